// ホーム: the dashboard's counters (kept up to date by the API, never a scan per view) as figures and charts.

import { call } from "../api.js";
import { chartFigure } from "../charts.js";
import { count, errorText, h, notify, section, table, when } from "../dom.js";
import { BROADCAST_STATUS, labelOf } from "../labels.js";

function figure(id, label, value, note) {
  return h(
    "div",
    { class: "kpi" },
    h("div", { class: "kpi-label", id: `${id}-label` }, label),
    h("output", { class: "kpi-value", id, "data-value": value, "aria-labelledby": `${id}-label` }, count(value)),
    note ? h("div", { class: "kpi-note" }, note) : null,
  );
}

function entries(counts, labels, group, order) {
  const codes = order ? order.filter((code) => code in counts) : Object.keys(counts);
  for (const code of Object.keys(counts)) if (!codes.includes(code)) codes.push(code);
  return codes.map((code) => [labelOf(labels, group, code), counts[code]]);
}

export async function renderHome(body) {
  const data = await call("GET", "dashboard");
  const labels = data.labels || {};
  const active = data.friends.active;
  const share = active ? Math.round((data.settingsDone / active) * 100) : 0;
  const areaOrder = Object.keys(labels.areas || {});
  const decades = Object.keys(data.byDecade || {}).sort();

  body.append(
    h(
      "div",
      { class: "kpis" },
      figure("kpi-active", "友だち（有効）", active),
      figure("kpi-blocked", "ブロック", data.friends.blocked),
      figure("kpi-settings", "受信設定済み", data.settingsDone, `有効な友だちの ${share}%`),
    ),
    h(
      "p",
      { class: "as-of" },
      `集計時点: ${data.asOf ? when(data.asOf) : "まだ集計されていません"} `,
      h("button", { type: "button", id: "refresh-dashboard", class: "button-quiet", onclick: (event) => refresh(event.target, data.asOf) }, "最新の集計に更新"),
    ),
    h(
      "div",
      { class: "charts" },
      chartFigure("地域別", entries(data.byArea || {}, labels, "areas", areaOrder), { kind: "bar", id: "chart-area" }),
      chartFigure("性別", entries(data.byGender || {}, labels, "genders"), { kind: "doughnut", id: "chart-gender" }),
      chartFigure(
        "年代別（生まれ年）",
        decades.map((decade) => [/^\d+$/.test(decade) ? `${decade}年代` : labelOf(labels, "", decade), data.byDecade[decade]]),
        { kind: "bar", id: "chart-decade" },
      ),
      chartFigure("関心のあるジャンル", entries(data.byGenre || {}, labels, "genres"), {
        kind: "horizontal",
        id: "chart-genre",
      }),
    ),
    h(
      "div",
      { class: "two-columns" },
      section(
        "受付待ちの申請",
        table(
          "(様式ごとの受付待ち件数)",
          ["様式", "受付待ち"],
          (data.applicationsWaiting || []).map((form) => [form.title || form.formId, count(form.waiting)]),
          { id: "waiting-table" },
        ),
      ),
      section(
        "最近の配信",
        table(
          "(最近の配信)",
          ["作成日時", "状態", "対象", "送信済み", "失敗"],
          (data.latestBroadcasts || []).map((broadcast) => [
            when(broadcast.createdAt),
            BROADCAST_STATUS[broadcast.status] || broadcast.status,
            count(broadcast.recipients),
            count(broadcast.sent),
            count(broadcast.failed),
          ]),
          { id: "latest-broadcasts" },
        ),
      ),
    ),
  );
}

// The snapshot is taken in the background (202); read the dashboard again until its time moves.
async function refresh(button, asOf) {
  button.disabled = true;
  try {
    await call("POST", "dashboard/refresh", {});
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const data = await call("GET", "dashboard");
      if (data.asOf && data.asOf !== asOf) {
        window.dispatchEvent(new HashChangeEvent("hashchange"));
        return;
      }
    }
    notify("集計に時間がかかっています。しばらくしてからページを開き直してください。");
  } catch (error) {
    notify(errorText(error), "error");
  } finally {
    button.disabled = false;
  }
}
