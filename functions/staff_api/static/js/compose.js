// Composing a broadcast's 1–5 messages (text, or an image by https URL) and previewing them as LINE
// chat bubbles.

import { h } from "./dom.js";

export const MAX_MESSAGES = 5;
const TEXT_MAX = 5000;

function messageEditor(index, version, onChange, onRemove) {
  const typeId = `message-${version}-${index}-type`;
  const textId = `message-${version}-${index}-text`;
  const urlId = `message-${version}-${index}-url`;
  const editor = h(
    "fieldset",
    { class: "message-editor", "data-index": index },
    h("legend", {}, `メッセージ ${index + 1}`),
    h(
      "div",
      { class: "field-row" },
      h("label", { for: typeId }, "種類"),
      h(
        "select",
        { id: typeId, name: "type", onchange: () => sync() },
        h("option", { value: "text" }, "テキスト"),
        h("option", { value: "image" }, "画像（https の URL）"),
      ),
      h("button", { type: "button", class: "button-quiet remove", onclick: () => onRemove(editor) }, "削除"),
    ),
    h(
      "div",
      { class: "stack", "data-kind": "text" },
      h("label", { for: textId }, "本文"),
      h("textarea", { id: textId, name: "text", rows: 4, maxlength: TEXT_MAX, oninput: onChange }),
    ),
    h(
      "div",
      { class: "stack", "data-kind": "image", hidden: true },
      h("label", { for: urlId }, "画像の URL（https://…、JPEG または PNG）"),
      h("input", { id: urlId, name: "url", type: "url", placeholder: "https://", oninput: onChange }),
    ),
  );
  function sync() {
    const type = editor.querySelector("[name=type]").value;
    for (const part of editor.querySelectorAll("[data-kind]")) part.hidden = part.dataset.kind !== type;
    onChange();
  }
  return editor;
}

// `version`: "ja" (the messages every resident without a version of their own may receive) or a
// language code of the request's `translations`; it keeps the editors' ids apart.
export function composer(onChange, version = "ja") {
  const list = h("div", { class: "messages", "data-version": version });
  const add = h("button", { type: "button", class: "button-quiet", onclick: () => addMessage() }, "＋ メッセージを追加");
  const element = h("div", { class: "composer" }, list, add);

  function renumber() {
    [...list.children].forEach((editor, index) => {
      editor.querySelector("legend").textContent = `メッセージ ${index + 1}`;
    });
    add.disabled = list.children.length >= MAX_MESSAGES;
    for (const button of list.querySelectorAll(".remove")) button.disabled = list.children.length <= 1;
  }

  function addMessage({ quiet = false } = {}) {
    if (list.children.length >= MAX_MESSAGES) return;
    const editor = messageEditor(list.children.length, version, onChange, (removed) => {
      removed.remove();
      renumber();
      onChange();
    });
    list.append(editor);
    renumber();
    if (quiet) return;
    editor.querySelector("select").focus();
    onChange();
  }

  // The messages as the model's wire JSON; blanks are left out.
  function read() {
    const messages = [];
    for (const editor of list.children) {
      const type = editor.querySelector("[name=type]").value;
      if (type === "text") {
        const text = editor.querySelector("[name=text]").value;
        if (text.trim()) messages.push({ type: "text", text });
      } else {
        const url = editor.querySelector("[name=url]").value.trim();
        if (url) messages.push({ type: "image", originalContentUrl: url, previewImageUrl: url });
      }
    }
    return messages;
  }

  addMessage({ quiet: true }); // the first, empty message: nothing changed yet
  return { element, read, focus: () => list.querySelector("select").focus() };
}

// LINE-like chat bubbles of the messages, as residents will see them.
export function preview(container, messages) {
  container.replaceChildren(
    ...(messages.length
      ? messages.map((message) =>
          h(
            "div",
            { class: "bubble-row" },
            h("span", { class: "bubble-icon", "aria-hidden": "true" }, "区"),
            message.type === "text"
              ? h("div", { class: "bubble" }, message.text)
              : h(
                  "div",
                  { class: "bubble bubble-image" },
                  message.originalContentUrl.startsWith("https://")
                    ? h("img", { src: message.originalContentUrl, alt: "配信する画像", loading: "lazy" })
                    : h("span", { class: "error" }, "画像の URL は https:// で始めてください"),
                ),
          ),
        )
      : [h("p", { class: "bubble-empty" }, "メッセージを入力するとここに表示されます")]),
  );
}
