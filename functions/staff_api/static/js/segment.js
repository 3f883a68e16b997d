// The segment builder: every condition of the BroadcastRequest model's Segment (and its Exclusion),
// read back as the JSON the API validates with that same model (its field names, as in the YAML request
// files of docs/broadcasts.md):
//
//   birth_years {from, to} or age {min, max} on the send date · genders · areas · genres any_of / all_of ·
//   each with include_unanswered · languages any_of (a resident with none stored reads Japanese, so no
//   "unanswered" box) · and the same conditions again under `exclude`.

import { h } from "./dom.js";

let serial = 0;

function choiceBoxes(name, legend, choices, onChange) {
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, legend),
    h(
      "div",
      { class: "choice-grid" },
      Object.entries(choices).map(([code, label]) => {
        const id = `${name}-${code}-${serial++}`;
        return h(
          "span",
          { class: "choice" },
          h("input", { type: "checkbox", id, name, value: code, onchange: onChange }),
          h("label", { for: id }, label),
        );
      }),
    ),
  );
}

function unansweredBox(name, text, onChange) {
  const id = `${name}-${serial++}`;
  return h(
    "span",
    { class: "choice unanswered" },
    h("input", { type: "checkbox", id, name, onchange: onChange }),
    h("label", { for: id }, text),
  );
}

function numberField(name, label, attributes, onChange) {
  const id = `${name}-${serial++}`;
  return h(
    "span",
    { class: "inline-field" },
    h("label", { for: id }, label),
    h("input", { type: "number", id, name, inputmode: "numeric", ...attributes, oninput: onChange }),
  );
}

// One block of conditions; `prefix` keeps the include and exclude blocks' names apart.
export function conditionsBlock(prefix, labels, onChange, { exclusion = false } = {}) {
  const unansweredText = exclusion ? "未回答の人も除く" : "未回答の人も含める";
  const ageId = `${prefix}-age-mode-${serial++}`;
  const genreModeName = `${prefix}-genre-mode`;
  const element = h(
    "div",
    { class: "conditions", "data-block": prefix },
    h(
      "fieldset",
      { class: "choices" },
      h("legend", {}, "年齢・生まれ年"),
      h(
        "div",
        { class: "radio-row", role: "radiogroup", "aria-label": "年齢の条件" },
        ...[
          ["none", "条件なし"],
          ["birth", "生まれ年で指定"],
          ["age", "配信日の年齢で指定"],
        ].map(([value, text], index) =>
          h(
            "span",
            { class: "choice" },
            h("input", {
              type: "radio",
              id: `${ageId}-${value}`,
              name: `${prefix}-age-mode`,
              value,
              checked: index === 0,
              onchange: () => {
                syncAge();
                onChange();
              },
            }),
            h("label", { for: `${ageId}-${value}` }, text),
          ),
        ),
      ),
      h(
        "div",
        { class: "field-row", "data-age": "birth", hidden: true },
        numberField(`${prefix}-birth-from`, "生まれ年（から）", { min: 1900, max: 2100, placeholder: "1950" }, onChange),
        numberField(`${prefix}-birth-to`, "生まれ年（まで）", { min: 1900, max: 2100, placeholder: "1965" }, onChange),
      ),
      h(
        "div",
        { class: "field-row", "data-age": "age", hidden: true },
        numberField(`${prefix}-age-min`, "年齢（以上）", { min: 0, max: 150, placeholder: "65" }, onChange),
        numberField(`${prefix}-age-max`, "年齢（以下）", { min: 0, max: 150, placeholder: "74" }, onChange),
      ),
      unansweredBox(`${prefix}-age-unanswered`, unansweredText, onChange),
    ),
    h(
      "div",
      { class: "choices-with-unanswered" },
      choiceBoxes(`${prefix}-genders`, "性別", labels.genders || {}, onChange),
      unansweredBox(`${prefix}-genders-unanswered`, unansweredText, onChange),
    ),
    h(
      "div",
      { class: "choices-with-unanswered" },
      choiceBoxes(`${prefix}-areas`, "地域", labels.areas || {}, onChange),
      unansweredBox(`${prefix}-areas-unanswered`, unansweredText, onChange),
    ),
    h(
      "div",
      { class: "choices-with-unanswered" },
      choiceBoxes(`${prefix}-genres`, "関心のあるジャンル", labels.genres || {}, onChange),
      h(
        "div",
        { class: "radio-row", role: "radiogroup", "aria-label": "ジャンルの一致" },
        ...[
          ["any", "いずれかを選んだ人"],
          ["all", "すべてを選んだ人"],
        ].map(([value, text], index) =>
          h(
            "span",
            { class: "choice" },
            h("input", {
              type: "radio",
              id: `${prefix}-genre-${value}`,
              name: genreModeName,
              value,
              checked: index === 0,
              onchange: onChange,
            }),
            h("label", { for: `${prefix}-genre-${value}` }, text),
          ),
        ),
      ),
      unansweredBox(`${prefix}-genres-unanswered`, unansweredText, onChange),
    ),
    choiceBoxes(`${prefix}-languages`, "言語（LINE で使っている言語）", labels.languages || {}, onChange),
  );

  const field = (name) => element.querySelector(`[name="${prefix}-${name}"]`);
  const checked = (name) => [...element.querySelectorAll(`[name="${prefix}-${name}"]:checked`)].map((box) => box.value);
  const number = (name) => (field(name).value === "" ? null : Number(field(name).value));

  function syncAge() {
    const mode = element.querySelector(`[name="${prefix}-age-mode"]:checked`).value;
    for (const row of element.querySelectorAll("[data-age]")) row.hidden = row.dataset.age !== mode;
  }

  // The conditions as the model's JSON; a dimension left empty is not restricted.
  function read() {
    const conditions = {};
    const mode = element.querySelector(`[name="${prefix}-age-mode"]:checked`).value;
    const ageUnanswered = field("age-unanswered").checked;
    if (mode === "birth" && (number("birth-from") !== null || number("birth-to") !== null)) {
      conditions.birth_years = { from: number("birth-from"), to: number("birth-to"), include_unanswered: ageUnanswered };
    } else if (mode === "age" && (number("age-min") !== null || number("age-max") !== null)) {
      conditions.age = { min: number("age-min"), max: number("age-max"), include_unanswered: ageUnanswered };
    }
    for (const [dimension, key] of [
      ["genders", "genders"],
      ["areas", "areas"],
    ]) {
      const chosen = checked(dimension);
      if (chosen.length) conditions[key] = { any_of: chosen, include_unanswered: field(`${dimension}-unanswered`).checked };
    }
    const genres = checked("genres");
    if (genres.length) {
      const match = element.querySelector(`[name="${genreModeName}"]:checked`).value;
      conditions.genres = {
        [match === "all" ? "all_of" : "any_of"]: genres,
        include_unanswered: field("genres-unanswered").checked,
      };
    }
    const languages = checked("languages");
    if (languages.length) conditions.languages = { any_of: languages };
    for (const condition of Object.values(conditions)) {
      for (const [name, value] of Object.entries(condition)) if (value === null) delete condition[name];
    }
    return conditions;
  }

  return { element, read };
}
