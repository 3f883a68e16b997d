// リッチメニュー: the current mode, and the switch 通常 ↔ 防災 behind a confirmation (editor).

import { call } from "../api.js";
import { confirmAction, errorText, h, notify, section } from "../dom.js";

const MODES = {
  normal: {
    label: "通常",
    text: "通常のメニュー（区のホームページ・受信設定・電子申請・広報新宿・防災・お問い合わせの6項目）を表示しています。",
  },
  disaster: {
    label: "防災",
    text: "防災モードのメニュー（防災情報を大きく表示し、ほかの項目は小さく並べます）を表示しています。",
  },
};

// Residents reading another language have their language's menu linked: after a switch,
// RichMenuRelinkFunction relinks them (minutes at 1M residents); its state comes from the audit.
function relinkText(relink) {
  if (!relink) return "";
  const label = (MODES[relink.mode] || { label: relink.mode }).label;
  const when = (iso) => new Date(iso).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" });
  if (relink.status === "running") {
    return `日本語以外の言語の利用者のメニューを「${label}」に切り替えています（${when(relink.since)} 開始）。`;
  }
  if (relink.status === "not_started") {
    return `日本語以外の言語の利用者のメニューの切り替えを開始できませんでした（${when(relink.at)}）。もう一度同じモードに切り替えてください。`;
  }
  return `日本語以外の言語の利用者 ${relink.residents.toLocaleString("ja-JP")} 人のメニューを「${label}」に切り替えました（${when(relink.at)} 完了）。`;
}

export async function renderRichMenu(body, me) {
  const { mode, relink } = await call("GET", "richmenu");
  const current = MODES[mode] || { label: mode, text: "" };
  const other = mode === "disaster" ? "normal" : "disaster";
  const switchButton = me.can.richmenu
    ? h(
        "button",
        {
          type: "button",
          id: "switch-richmenu",
          class: other === "disaster" ? "button-danger" : "button-primary",
          onclick: async (event) => {
            const ok = await confirmAction(
              "リッチメニューの切り替え",
              `すべての友だちのリッチメニューを「${MODES[other].label}」に切り替えます。よろしいですか。`,
              `${MODES[other].label}に切り替える`,
            );
            if (!ok) return;
            event.target.disabled = true;
            try {
              const answer = await call("PUT", "richmenu", { mode: other });
              notify(
                `リッチメニューを「${(MODES[answer.mode] || MODES[other]).label}」に切り替えました。` +
                  "日本語以外の言語の利用者のメニューも順に切り替わります。",
              );
              window.dispatchEvent(new HashChangeEvent("hashchange"));
            } catch (error) {
              notify(errorText(error), "error");
              event.target.disabled = false;
            }
          },
        },
        other === "disaster" ? "防災モードに切り替える" : "通常モードに戻す",
      )
    : h("p", { class: "hint" }, "切り替えは配信担当または管理者が行います。");
  body.append(
    section(
      "現在のモード",
      h(
        "div",
        { class: `mode mode-${mode}` },
        h("output", { id: "richmenu-mode", "data-mode": mode }, current.label),
        h("p", {}, current.text),
      ),
      relink
        ? h(
            "p",
            { id: "richmenu-relink", "data-status": relink.status, role: "status" },
            relinkText(relink),
          )
        : null,
      switchButton,
    ),
  );
}
