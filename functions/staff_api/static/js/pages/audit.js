// 監査ログ (admin): who did what and when, newest first, as the API records it (ids, never PII).

import { call } from "../api.js";
import { h, section, table, when } from "../dom.js";
import { AUDIT_ACTIONS } from "../labels.js";

function detailText(detail) {
  if (detail === null || detail === undefined || detail === "") return "";
  if (typeof detail !== "object") return String(detail);
  return Object.entries(detail)
    .map(([name, value]) => `${name}: ${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join(" / ");
}

export async function renderAudit(body) {
  const answer = await call("GET", "audit");
  const entries = Array.isArray(answer) ? answer : answer.entries || answer.items || [];
  body.append(
    section(
      "操作の記録",
      table(
        "(監査ログ、新しい順)",
        ["日時", "担当者", "操作", "対象", "詳細"],
        entries.map((entry) => [
          when(entry.at),
          (entry.actor && (entry.actor.username || entry.actor.sub)) || "—",
          h("span", { "data-action": entry.action }, AUDIT_ACTIONS[entry.action] || entry.action),
          entry.target || "—",
          h("span", { class: "detail" }, detailText(entry.detail)),
        ]),
        { id: "audit-table" },
      ),
    ),
  );
}
