// Words staff read: statuses, roles, audit actions. Codes the API sends stay codes on the wire.

export const ROLE_LABELS = {
  admin: "管理者",
  editor: "配信担当",
  exporter: "申請担当",
  viewer: "閲覧",
};

export const BROADCAST_STATUS = {
  scheduled: "予約中",
  planned: "準備中",
  sending: "配信中",
  done: "配信完了",
  partially_failed: "一部失敗",
  cancelled: "予約取消",
};

export const AUDIT_ACTIONS = {
  "broadcast.send": "配信",
  "broadcast.schedule": "予約配信",
  "broadcast.cancel": "予約取消",
  "broadcast.test": "テスト配信",
  "export.link": "エクスポート（リンク発行）",
  "export.range": "期間再エクスポート",
  "richmenu.switch": "リッチメニュー切替",
  "richmenu.relink": "リッチメニュー切替（他言語の利用者）",
  "dataRights.disclose": "登録情報の開示（住民）",
  "dataRights.delete": "登録情報の削除（住民）",
  "auth.sign-in": "サインイン",
  "auth.sign-out": "サインアウト",
};

export const UNANSWERED = "未回答";

export function labelOf(labels, group, code) {
  if (code === "unanswered" || code === "none" || code === "") return UNANSWERED;
  const names = (labels && labels[group]) || {};
  return names[code] || code;
}
