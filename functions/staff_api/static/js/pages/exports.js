// 申請・エクスポート: counts per form, the download through a 15-minute link, the admin's range
// re-export with a reason, and survey results as charts (counts per choice, never free text).

import { call } from "../api.js";
import { chartFigure } from "../charts.js";
import { clear, count, errorText, h, notify, section, table, when } from "../dom.js";

export async function renderExports(body, me) {
  const forms = await call("GET", "applications");
  const surveyArea = h("div", { id: "survey-results", "aria-live": "polite" });
  const rows = forms.map((form) => {
    const encodingId = `encoding-${form.formId}`;
    return [
      form.title || form.formId,
      h("span", { "data-waiting": form.formId }, count(form.waiting)),
      h("span", { "data-exported": form.formId }, count(form.exported)),
      h(
        "span",
        { class: "row-actions" },
        h("label", { for: encodingId, class: "visually-hidden" }, `${form.title || form.formId} の文字コード`),
        h(
          "select",
          { id: encodingId },
          h("option", { value: "utf-8-sig" }, "UTF-8（BOM付き）"),
          h("option", { value: "cp932" }, "Shift_JIS（Excel 向け）"),
        ),
        h(
          "button",
          {
            type: "button",
            class: "button-primary",
            "data-download": form.formId,
            onclick: (event) => download(event.target, { formId: form.formId, encoding: document.getElementById(encodingId).value }),
          },
          "ダウンロード",
        ),
      ),
    ];
  });
  body.append(
    section(
      "様式ごとの申請",
      h(
        "p",
        { class: "hint" },
        "「ダウンロード」は受付待ちの申請を CSV にまとめ、15分間だけ有効なリンクからダウンロードします。件数はホームの集計時点のものです。",
      ),
      table("(様式ごとの受付待ち・出力済み件数)", ["様式", "受付待ち", "出力済み", "操作"], rows, { id: "applications-table" }),
    ),
  );
  if (me.roles.includes("admin")) body.append(rangeSection(forms));
  body.append(await surveysSection(surveyArea), surveyArea);
}

async function surveysSection(area) {
  const surveys = await call("GET", "surveys");
  return section(
    "アンケートの集計",
    surveys.length
      ? h(
          "div",
          { class: "row-actions" },
          surveys.map((survey) =>
            h(
              "button",
              { type: "button", class: "button-quiet", "data-survey": survey.formId, onclick: () => showSurvey(area, survey) },
              survey.title || survey.formId,
            ),
          ),
        )
      : h("p", {}, "アンケートはありません。"),
  );
}

// The browser follows the presigned link itself (Content-Disposition: attachment): the CSV never
// passes through this page's script.
async function download(button, request, path = "exports") {
  button.disabled = true;
  try {
    const answer = await call("POST", path, request);
    if (!answer.url) {
      notify("出力する新しい申請はありませんでした。");
      return;
    }
    notify(`${count(answer.rows)} 件の CSV を用意しました（リンクの有効期限 ${when(answer.expiresAt)}）。ダウンロードを開始します。`);
    const link = h("a", { href: answer.url, rel: "noopener noreferrer", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    notify(errorText(error), "error");
  } finally {
    button.disabled = false;
  }
}

function rangeSection(forms) {
  const form = h(
    "form",
    { class: "stack range-form", id: "range-form", novalidate: true },
    h("p", { class: "hint" }, "出力済みを含め、受付日で期間を指定して再出力します（管理者のみ、366日以内、理由は監査ログに記録されます）。"),
    h(
      "div",
      { class: "field-row" },
      h("label", { for: "range-form-id" }, "様式"),
      h("select", { id: "range-form-id", name: "formId" }, forms.map((f) => h("option", { value: f.formId }, f.title || f.formId))),
      h("label", { for: "range-from" }, "開始日"),
      h("input", { id: "range-from", name: "from", type: "date", required: true }),
      h("label", { for: "range-to" }, "終了日"),
      h("input", { id: "range-to", name: "to", type: "date", required: true }),
    ),
    h("label", { for: "range-reason" }, "理由（必須）"),
    h("textarea", { id: "range-reason", name: "reason", rows: 2, required: true, maxlength: 500 }),
    h("div", {}, h("button", { type: "submit", class: "button-primary" }, "期間を指定して再出力")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const request = Object.fromEntries(["formId", "from", "to", "reason"].map((name) => [name, String(data.get(name)).trim()]));
    if (!request.from || !request.to || !request.reason) {
      notify("開始日・終了日・理由を入力してください。", "error");
      return;
    }
    download(form.querySelector("button"), request, "exports/range");
  });
  return section("期間を指定して再出力（管理者）", form);
}

async function showSurvey(area, form) {
  try {
    const results = await call("GET", `surveys/${encodeURIComponent(form.formId)}/results`);
    const questions = results.questions || [];
    clear(area).append(
      section(
        `集計: ${form.title || form.formId}`,
        questions.length
          ? h(
              "div",
              { class: "charts" },
              questions.map((question) =>
                chartFigure(
                  question.label || question.stepId,
                  question.choices.map((choice) => [choice.label || choice.value, choice.count]),
                  { kind: "horizontal", id: `survey-${question.stepId}` },
                ),
              ),
            )
          : h("p", {}, "選択式の設問がありません。"),
        h(
          "p",
          { class: "hint" },
          `回答 ${count(results.responses)} 件（集計時点: ${when(results.asOf)}）。選択式の回答の件数のみを表示し、自由記述は表示しません。`,
        ),
      ),
    );
  } catch (error) {
    clear(area).append(section(`集計: ${form.title || form.formId}`, h("p", { class: "error" }, errorText(error))));
  }
}
