// 配信: compose, segment, audience count (dry run), preview, test, send / schedule / cancel; the list
// with progress and each report. A viewer sees the list and the reports only.

import { ApiError, call } from "../api.js";
import { composer, preview } from "../compose.js";
import { clear, confirmAction, count, errorText, h, notify, section, table, when } from "../dom.js";
import { BROADCAST_STATUS, labelOf } from "../labels.js";
import { conditionsBlock } from "../segment.js";

const DRY_RUN_DELAY_MS = 400;

export async function renderBroadcasts(body, me) {
  const listArea = h("div", { id: "broadcast-list" });
  const reportArea = h("div", { id: "broadcast-report", "aria-live": "polite" });
  if (me.can.broadcast) {
    const dashboard = await call("GET", "dashboard");
    body.append(composeSection(dashboard.labels || {}, () => loadList(listArea, reportArea, me)));
  }
  body.append(section("配信の一覧", listArea), reportArea);
  await loadList(listArea, reportArea, me);
}

function composeSection(labels, reload) {
  let timer = null;
  let lastRequest = 0;
  const audience = h("output", { id: "audience-count", "aria-live": "polite" }, "—");
  const byArea = h("div", { id: "audience-by-area" });
  const audienceNote = h("p", { class: "hint", id: "audience-note" });
  const byLanguage = h("div", { id: "audience-by-language" });
  const bubbles = h("div", { class: "line-preview", id: "line-preview", "aria-label": "LINE での見え方" });
  const languageNames = labels.languages || {};
  const previewVersion = h("select", { id: "preview-version", onchange: () => showPreview() });
  const changed = () => {
    showPreview();
    clearTimeout(timer);
    timer = setTimeout(dryRun, DRY_RUN_DELAY_MS);
  };
  const messages = composer(changed);
  const versions = versionsBlock(languageNames, changed, () => syncPreviewChoices());

  function syncPreviewChoices() {
    const chosen = previewVersion.value || "ja";
    const codes = ["ja", ...versions.codes()];
    previewVersion.replaceChildren(
      ...codes.map((code) => h("option", { value: code, selected: code === chosen }, versionName(languageNames, code))),
    );
    if (!codes.includes(chosen)) previewVersion.value = "ja";
    showPreview();
  }

  function showPreview() {
    const code = previewVersion.value || "ja";
    preview(bubbles, code === "ja" ? messages.read() : versions.read()[code] || []);
  }
  const include = conditionsBlock("seg", labels, changed);
  const exclude = conditionsBlock("exc", labels, changed, { exclusion: true });
  const title = h("input", { id: "broadcast-title", name: "title", maxlength: 100, placeholder: "例: 11月 健康講座のお知らせ" });
  const sendAt = h("input", { id: "send-at", type: "datetime-local", name: "sendAt" });

  function request() {
    const exclusion = exclude.read();
    const segment = { ...include.read() };
    if (Object.keys(exclusion).length) segment.exclude = exclusion;
    const request = { title: title.value.trim(), messages: messages.read(), segment };
    const translations = versions.read();
    if (Object.keys(translations).length) request.translations = translations;
    return request;
  }

  async function dryRun() {
    const body = request();
    // The audience does not depend on the messages; a placeholder keeps the request valid while empty.
    if (!body.messages.length) body.messages = [{ type: "text", text: "（試算）" }];
    const mine = ++lastRequest;
    audience.textContent = "計算中…";
    try {
      const answer = await call("POST", "broadcasts/dry-run", body);
      if (mine !== lastRequest) return;
      audience.textContent = `${count(answer.audienceSize)} 人`;
      audience.dataset.value = answer.audienceSize;
      audienceNote.textContent = answer.sendDate ? `配信日 ${answer.sendDate} 時点の条件で試算しています。` : "";
      const rows = Object.entries(answer.byArea || {})
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => [labelOf(labels, "areas", code), count(n)]);
      clear(byArea).append(table("地域別の内訳", ["地域", "人数"], rows, { id: "audience-by-area-table" }));
      showLanguages(answer);
    } catch (error) {
      if (mine !== lastRequest) return;
      audience.textContent = "—";
      delete audience.dataset.value;
      audienceNote.textContent = errorText(error);
    }
  }

  // Each language's residents, and the version they will receive: their own, else the fallback the
  // planner names (やさしい日本語 when given, else Japanese).
  function showLanguages(answer) {
    const without = new Set(answer.languagesWithoutVersion || []);
    const fallback = answer.fallbackVersion || "ja";
    const order = Object.keys(languageNames);
    const rank = (code) => (order.includes(code) ? order.indexOf(code) : order.length);
    const rows = Object.entries(answer.byLanguage || {})
      .sort((a, b) => rank(a[0]) - rank(b[0]))
      .map(([code, n]) => [
        languageNames[code] || code,
        count(n),
        versionName(languageNames, without.has(code) ? fallback : code),
      ]);
    const missing = [...without].sort((a, b) => rank(a) - rank(b));
    clear(byLanguage).append(
      table("言語別の内訳", ["言語", "人数", "送る版"], rows, { id: "audience-by-language-table" }),
      missing.length
        ? h(
            "p",
            { class: "hint", id: "languages-without-version" },
            `版のない言語: ${missing.map((code) => languageNames[code] || code).join("、")}（${versionName(languageNames, fallback)}を送ります）`,
          )
        : "",
    );
  }

  async function act(kind) {
    const body = request();
    if (!body.messages.length) {
      notify("メッセージを1件以上入力してください。", "error");
      return;
    }
    try {
      if (kind === "test") {
        await call("POST", "broadcasts/test", { messages: body.messages, translations: body.translations || {} });
        notify("テスト配信を送りました。職員用のテスト受信者の LINE を確認してください。");
        return;
      }
      if (kind === "schedule") {
        if (!sendAt.value) {
          notify("予約する日時を入力してください。", "error");
          sendAt.focus();
          return;
        }
        body.send_at = new Date(`${sendAt.value}:00+09:00`).toISOString();
      }
      const size = audience.dataset.value !== undefined ? `${count(audience.dataset.value)} 人` : "対象者";
      const question =
        kind === "schedule"
          ? `${when(body.send_at)} に ${size} へ配信を予約します。よろしいですか。`
          : `${size} に今すぐ配信します。送信後は取り消せません。よろしいですか。`;
      if (!(await confirmAction(kind === "schedule" ? "予約配信の確認" : "配信の確認", question, kind === "schedule" ? "予約する" : "配信する")))
        return;
      const answer = await call("POST", "broadcasts", body);
      notify(
        answer.status === "scheduled" ? `配信を予約しました（${answer.broadcastId}）。` : `配信を開始しました（${answer.broadcastId}）。`,
      );
      await reload();
    } catch (error) {
      notify(errorText(error), "error");
    }
  }

  const element = section(
    "新しい配信",
    h(
      "div",
      { class: "compose-grid" },
      h(
        "div",
        { class: "compose-main" },
        h("div", { class: "stack" }, h("label", { for: "broadcast-title" }, "件名（職員用、住民には送られません）"), title),
        h("h3", {}, "メッセージ（1〜5件）"),
        messages.element,
        versions.element,
        h("h3", {}, "配信対象"),
        h("p", { class: "hint" }, "条件を指定しない項目は絞り込みません。ブロック中の友だちには届きません。"),
        include.element,
        h(
          "details",
          { class: "exclusions" },
          h("summary", {}, "除外する条件（いずれかに当てはまる人を除く）"),
          exclude.element,
        ),
      ),
      h(
        "aside",
        { class: "compose-side", "aria-label": "対象人数とプレビュー" },
        h(
          "div",
          { class: "audience" },
          h("div", { class: "kpi-label" }, "対象人数（試算）"),
          audience,
          audienceNote,
          byArea,
          byLanguage,
        ),
        h("h3", {}, "プレビュー"),
        h("div", { class: "field-row" }, h("label", { for: "preview-version" }, "プレビューする版"), previewVersion),
        bubbles,
        h(
          "div",
          { class: "send-actions" },
          h("button", { type: "button", id: "test-send", class: "button-quiet", onclick: () => act("test") }, "テスト配信"),
          h("button", { type: "button", id: "send-now", class: "button-primary", onclick: () => act("send") }, "今すぐ配信"),
          h(
            "div",
            { class: "schedule-row" },
            h("label", { for: "send-at" }, "予約日時（日本時間）"),
            sendAt,
            h("button", { type: "button", id: "schedule", class: "button-quiet", onclick: () => act("schedule") }, "予約配信"),
          ),
        ),
      ),
    ),
  );
  syncPreviewChoices();
  setTimeout(dryRun, 0);
  return element;
}

function versionName(languageNames, code) {
  return code === "ja" ? "日本語版" : `${languageNames[code] || code}版`;
}

// Optional versions per language (the request's `translations`): each its own 1–5 messages, added
// when staff have one. A resident reads their language's version, else やさしい日本語, else Japanese.
function versionsBlock(languageNames, onChange, onVersionsChanged) {
  const editors = new Map(); // code → { element, composer }
  const list = h("div", { class: "versions" });
  const buttons = h("div", { class: "version-buttons", role: "group", "aria-label": "版を追加" });
  const codes = () => Object.keys(languageNames).filter((code) => editors.has(code));

  function add(code, button) {
    const versionComposer = composer(onChange, code);
    const name = versionName(languageNames, code);
    const element = h(
      "fieldset",
      { class: "version", "data-version": code },
      h("legend", {}, name),
      versionComposer.element,
      h(
        "button",
        {
          type: "button",
          class: "button-quiet",
          onclick: () => {
            element.remove();
            editors.delete(code);
            button.hidden = false;
            button.focus();
            onVersionsChanged();
            onChange();
          },
        },
        `${name}を削除`,
      ),
    );
    editors.set(code, { element, composer: versionComposer });
    const after = codes().map((c) => editors.get(c).element);
    list.replaceChildren(...after);
    button.hidden = true;
    versionComposer.focus();
    onVersionsChanged();
  }

  for (const [code, name] of Object.entries(languageNames)) {
    if (code === "ja") continue;
    const button = h(
      "button",
      { type: "button", class: "button-quiet", "data-add-version": code, onclick: () => add(code, button) },
      `＋ ${name}版`,
    );
    buttons.append(button);
  }

  function read() {
    const translations = {};
    for (const code of codes()) {
      const versionMessages = editors.get(code).composer.read();
      if (versionMessages.length) translations[code] = versionMessages;
    }
    return translations;
  }

  const element = h(
    "div",
    { class: "versions-block" },
    h("h3", {}, "他の言語の版（任意）"),
    h(
      "p",
      { class: "hint" },
      "版のない言語の利用者には、やさしい日本語版があればそれを、なければ日本語のメッセージを送ります。",
    ),
    list,
    buttons,
  );
  return { element, read, codes };
}

function progress(broadcast) {
  const total = Number(broadcast.batches || broadcast.batchesPlanned || 0);
  const done = Number(broadcast.batchesCompleted ?? broadcast.batchesSent ?? 0);
  if (!total) return h("span", { class: "muted" }, "—");
  const percent = Math.min(100, Math.round((done / total) * 100));
  return h(
    "span",
    { class: "progress-cell" },
    h("progress", { max: total, value: done, "aria-label": `進捗 ${percent}%` }),
    ` ${percent}%`,
  );
}

async function loadList(listArea, reportArea, me) {
  const broadcasts = await call("GET", "broadcasts");
  const items = Array.isArray(broadcasts) ? broadcasts : broadcasts.broadcasts || broadcasts.items || [];
  const rows = items.map((broadcast) => [
    when(broadcast.createdAt),
    broadcast.title || "（件名なし）",
    h("span", { class: `status status-${broadcast.status}` }, BROADCAST_STATUS[broadcast.status] || broadcast.status),
    broadcast.sendAt ? when(broadcast.sendAt) : "—",
    count(broadcast.sent ?? broadcast.recipientsSent),
    progress(broadcast),
    h(
      "span",
      { class: "row-actions" },
      h(
        "button",
        {
          type: "button",
          class: "button-quiet",
          "data-report": broadcast.broadcastId,
          onclick: () => showReport(reportArea, broadcast.broadcastId),
        },
        "レポート",
      ),
      me.can.broadcast && broadcast.status === "scheduled"
        ? h(
            "button",
            {
              type: "button",
              class: "button-danger",
              "data-cancel": broadcast.broadcastId,
              onclick: () => cancel(broadcast, listArea, reportArea, me),
            },
            "予約を取り消す",
          )
        : null,
    ),
  ]);
  clear(listArea).append(
    table("(配信の一覧、新しい順)", ["作成日時", "件名", "状態", "予約日時", "送信済み", "進捗", "操作"], rows, {
      id: "broadcasts-table",
    }),
  );
  if (items.some((broadcast) => ["planned", "sending"].includes(broadcast.status))) {
    setTimeout(() => {
      if (listArea.isConnected) loadList(listArea, reportArea, me).catch(() => {});
    }, 3000);
  }
}

async function cancel(broadcast, listArea, reportArea, me) {
  const ok = await confirmAction(
    "予約の取り消し",
    `${when(broadcast.sendAt)} に予約されている「${broadcast.title || broadcast.broadcastId}」を取り消します。よろしいですか。`,
    "取り消す",
  );
  if (!ok) return;
  try {
    await call("DELETE", `broadcasts/${encodeURIComponent(broadcast.broadcastId)}/schedule`);
    notify("予約を取り消しました。");
    await loadList(listArea, reportArea, me);
  } catch (error) {
    notify(errorText(error), "error");
  }
}

async function showReport(reportArea, broadcastId) {
  try {
    const report = await call("GET", `broadcasts/${encodeURIComponent(broadcastId)}`);
    const rows = [
      ["配信 ID", report.broadcastId],
      ["件名", report.title || "（件名なし）"],
      ["状態", BROADCAST_STATUS[report.status] || report.status],
      ["テスト配信", report.test ? "はい" : "いいえ"],
      ["作成日時", when(report.createdAt)],
      ["予約日時", report.sendAt ? when(report.sendAt) : "—"],
      ["対象人数", count(report.audienceSize)],
      ["送信済み", count(report.recipientsSent)],
      ["失敗", count(report.recipientsFailed)],
      ["バッチ（完了 / 計画）", `${count(report.batchesCompleted)} / ${count(report.batchesPlanned)}`],
      ["再試行", count(report.retries)],
      ["最初のバッチ受付", when(report.firstBatchAcceptedAt)],
      ["最後のバッチ受付", when(report.lastBatchAcceptedAt)],
    ];
    const failures = (report.failures || []).map((failure) => [
      String(failure.batchNumber),
      count(failure.recipients),
      failure.status === null ? "応答なし" : String(failure.status),
      failure.message,
    ]);
    clear(reportArea).append(
      section(
        "配信レポート",
        h(
          "dl",
          { class: "report", id: "report-details" },
          rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]),
        ),
        failures.length ? table("LINE が受け付けなかったバッチ", ["バッチ", "人数", "状態", "内容"], failures) : null,
      ),
    );
    reportArea.querySelector("h2").setAttribute("tabindex", "-1");
    reportArea.querySelector("h2").focus();
  } catch (error) {
    notify(error instanceof ApiError ? error.message : errorText(error), "error");
  }
}
