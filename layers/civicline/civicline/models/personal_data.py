"""What civicline records about people: the catalogue the ward's privacy council reviews (記録項目).

Each entry names where a piece of personal data is stored (a resource of template.yaml and its
attributes), whether it is sealed with the applicant-PII key on top of the store's own encryption, how
a resident sees it (「登録情報の確認」) and has it deleted (「登録情報の削除」), which template parameter
bounds how long it lives, and the tests that prove what is claimed. `tools/privacy_report` renders it
for the council next to what the template and the code actually do; a stored attribute the code writes
and this catalogue does not name shows in red there. So adding a field to what we store means adding
it here, in words the council reads.

Every other attribute the code stores is listed in `BOOKKEEPING` with the reason it is not personal.

Over 300 lines on purpose: one cohesive pure unit, a catalogue of data (no logic, no I/O) the council
reviews as one document, its entry schema at the top; split, a store could be missed by whoever reads it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Disclosure(StrEnum):
    """What 「登録情報の確認」 shows the resident of a field."""

    SHOWN = "shown"  # the value itself
    MASKED = "masked"  # a partly masked copy (e.g. 山田 **)
    COUNTED = "counted"  # how many, not what
    NOT_SHOWN = "not_shown"


class Erasure(StrEnum):
    """What 「登録情報の削除」 does to a field."""

    DELETED = "deleted"
    UNLINKED = "unlinked"  # kept for the ward's records, no longer linked to the resident
    EXPIRES = "expires"  # not touched by the request; gone by its own retention
    KEPT = "kept"  # not touched, and no expiry: right for the audit of the request, a gap elsewhere


class PersonalDataField(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(description="the field as the council reads it (Japanese)")
    store: str = Field(description="logical id of the template resource that holds it")
    attributes: tuple[str, ...] = Field(description="attribute names in the store ('*' for whole objects)")
    source: str = Field(description="where the value comes from (Japanese)")
    sealed: bool = Field(default=False, description="field-encrypted with the applicant-PII key (PiiKey)")
    form_fields: bool = Field(
        default=False, description="the value is a form's answers: the report lists the forms' fields"
    )
    disclosure: Disclosure
    erasure: Erasure
    retention_parameter: str | None = Field(
        default=None, description="template parameter bounding its life; None: the store's TTL/lifecycle only"
    )
    retention_rule: str = Field(default="", description="from when its retention counts (Japanese)")
    expires: bool = Field(
        default=True, description="the items holding it carry the store's TTL attribute (or lifecycle)"
    )
    tests: tuple[str, ...] = Field(
        default=(), description="pytest node ids proving disclosure, erasure and that it stays out of logs"
    )


# Test files named by the entries below (pytest node ids are "<file>::<test>").
_DATA_RIGHTS = "tests/integration/conversation/test_data_rights.py"
_CONVERSATION = "tests/integration/conversation/test_conversation_worker.py"
_INTAKE = "tests/integration/intake/test_intake_handler.py"
_EXPORT = "tests/integration/export/test_export_handler.py"
_CHAT = "tests/e2e/test_applications_in_chat.py"
_CONSOLE_EXPORT = "tests/integration/staff_console/test_console_exports.py"
_BROADCAST_PRIVACY = "tests/integration/broadcast/test_broadcast_plan_privacy.py"

DATA_RIGHTS_TESTS = (
    f"{_DATA_RIGHTS}::test_disclosure_shows_what_is_held_masked_and_is_audited",
    f"{_DATA_RIGHTS}::test_erasure_leaves_no_personal_data_in_any_table",
)
CONVERSATION_LOGS = f"{_CONVERSATION}::test_logs_hold_no_display_name_or_message_text"
INTAKE_LOGS = f"{_INTAKE}::test_no_personal_data_reaches_logs_or_the_idempotency_table"
EXPORT_LOGS = f"{_EXPORT}::test_no_personal_data_in_the_logs"
CHAT_LOGS = f"{_CHAT}::test_the_logs_hold_nothing_the_residents_typed"

STORED: tuple[PersonalDataField, ...] = (
    PersonalDataField(
        id="line_user_id",
        label="LINE ID（LINEのユーザーID）",
        store="UsersTable",
        attributes=("userId",),
        source="LINEプラットフォーム（友だち追加・メッセージの送信元）",
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=(*DATA_RIGHTS_TESTS, CONVERSATION_LOGS),
    ),
    PersonalDataField(
        id="display_name",
        label="LINEプロフィール名",
        store="UsersTable",
        attributes=("displayName",),
        source="LINEプロフィール（友だち追加時に取得）",
        disclosure=Disclosure.SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=(*DATA_RIGHTS_TESTS, CONVERSATION_LOGS),
    ),
    PersonalDataField(
        id="picture_url",
        label="LINEアイコン（画像のURL）",
        store="UsersTable",
        attributes=("pictureUrl",),
        source="LINEプロフィール（友だち追加時に取得）",
        disclosure=Disclosure.COUNTED,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=DATA_RIGHTS_TESTS,
    ),
    PersonalDataField(
        id="language",
        label="利用言語（アカウントが住民に話す言語）",
        store="UsersTable",
        attributes=("language",),
        source="LINEプロフィールの言語設定（友だち追加時に取得）、または住民が選んだ言語（「言語」・受信設定）",
        disclosure=Disclosure.SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=(
            *DATA_RIGHTS_TESTS,
            f"{_CONVERSATION}::test_a_resident_is_answered_in_their_lines_language_then_in_the_one_they_choose",
            CONVERSATION_LOGS,
        ),
    ),
    PersonalDataField(
        id="follow_status",
        label="友だち登録の状態と日時",
        store="UsersTable",
        attributes=("status", "followedAt", "unfollowedAt", "lifecycleAt", "updatedAt"),
        source="LINEプラットフォーム（友だち追加・ブロックの通知）",
        disclosure=Disclosure.SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=DATA_RIGHTS_TESTS,
    ),
    PersonalDataField(
        id="birth_year",
        label="生年",
        store="UsersTable",
        attributes=("birthYear",),
        source="住民の回答（受信設定・任意）",
        disclosure=Disclosure.SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=DATA_RIGHTS_TESTS,
    ),
    PersonalDataField(
        id="gender",
        label="性別",
        store="UsersTable",
        attributes=("gender",),
        source="住民の回答（受信設定・任意）",
        disclosure=Disclosure.SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=DATA_RIGHTS_TESTS,
    ),
    PersonalDataField(
        id="area",
        label="居住地域（特別出張所の地域）",
        store="UsersTable",
        attributes=("area",),
        source="住民の回答（受信設定・任意）",
        disclosure=Disclosure.SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=DATA_RIGHTS_TESTS,
    ),
    PersonalDataField(
        id="genres",
        label="配信を希望する情報ジャンル",
        store="UsersTable",
        attributes=("genres",),
        source="住民の回答（受信設定・任意）",
        disclosure=Disclosure.SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="UnfollowedRetentionDays",
        retention_rule="ブロック（友だち解除）から",
        tests=DATA_RIGHTS_TESTS,
    ),
    PersonalDataField(
        id="conversation",
        label="入力途中の回答（申請・アンケート）",
        store="ConversationsTable",
        attributes=("userId", "flow", "state", "updatedAt"),
        source="住民の入力（トーク）",
        form_fields=True,
        disclosure=Disclosure.COUNTED,
        erasure=Erasure.DELETED,
        retention_rule="最後の入力から",
        tests=(*DATA_RIGHTS_TESTS, CHAT_LOGS),
    ),
    PersonalDataField(
        id="applicant_answers",
        label="申請者の氏名・フリガナ・郵便番号・住所・電話番号（申請の回答）",
        store="ApplicationsTable",
        attributes=("pii",),
        source="住民の入力（電子申請）",
        sealed=True,
        form_fields=True,
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.DELETED,
        retention_parameter="PiiRetentionDays",
        retention_rule="エクスポートから",
        tests=(
            *DATA_RIGHTS_TESTS,
            f"{_INTAKE}::test_the_pii_decrypts_to_the_answers_only_with_the_pii_key",
            INTAKE_LOGS,
            EXPORT_LOGS,
            CHAT_LOGS,
        ),
    ),
    PersonalDataField(
        id="applicant_masked",
        label="申請者情報の一部を伏せた写し（本人確認表示用）",
        store="ApplicationsTable",
        attributes=("piiMasked",),
        source="受付時に申請の回答から作成",
        disclosure=Disclosure.MASKED,
        erasure=Erasure.DELETED,
        retention_parameter="PiiRetentionDays",
        retention_rule="エクスポートから",
        tests=(*DATA_RIGHTS_TESTS, INTAKE_LOGS),
    ),
    PersonalDataField(
        id="application_record",
        label="申請の受付記録（受付番号・申請の種類・日時・状態・申請者の利用言語）と申請者のLINE ID",
        store="ApplicationsTable",
        attributes=(
            "userId",
            "receptionNumber",
            "formId",
            "formVersion",
            "kind",
            "submittedAt",
            "receivedAt",
            "status",
            "firstEdition",
            "lastEdition",
            "language",
        ),
        source="受付処理（利用言語は、申請したときの住民の言語。CSVの「言語」列で職員に渡す）",
        disclosure=Disclosure.SHOWN,
        erasure=Erasure.UNLINKED,
        retention_parameter="PiiRetentionDays",
        retention_rule="エクスポートから",
        tests=DATA_RIGHTS_TESTS,
    ),
    PersonalDataField(
        id="survey_answers",
        label="アンケートの回答",
        store="ApplicationsTable",
        attributes=("answers",),
        source="住民の入力（アンケート）",
        form_fields=True,
        disclosure=Disclosure.COUNTED,
        erasure=Erasure.UNLINKED,
        retention_parameter="SurveyRetentionDays",
        retention_rule="回答から",
        tests=(
            *DATA_RIGHTS_TESTS,
            f"{_EXPORT}::test_survey_results_are_counts_without_personal_data",
        ),
    ),
    PersonalDataField(
        id="survey_free_text",
        label="アンケートの自由記述（ご意見）",
        store="ApplicationsTable",
        attributes=("freeText", "freeTextLengths"),
        source="住民の入力（アンケートの自由記述）",
        sealed=True,
        disclosure=Disclosure.COUNTED,  # 登録情報の確認 shows each comment's length, never its words
        erasure=Erasure.DELETED,
        retention_parameter="SurveyRetentionDays",
        retention_rule="回答から",
        tests=(
            f"{_DATA_RIGHTS}::test_a_survey_comment_naming_the_resident_is_disclosed_masked_and_erased_everywhere",
            f"{_INTAKE}::test_a_survey_comment_naming_the_resident_is_sealed_and_expires",
        ),
    ),
    PersonalDataField(
        id="broadcast_recipients",
        label="配信先のLINE ID（配信計画の途中経過）",
        store="BroadcastsTable",
        attributes=("pending", "remainder", "after"),
        source="配信対象の抽出（受信設定による絞り込み）",
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.EXPIRES,
        # Removed when planning closes (seconds to minutes); a plan never closed expires by TTL.
        retention_rule="配信計画の完了まで（件数のみ残る）。完了しなかった計画も開始から15日",
        tests=(
            f"{_BROADCAST_PRIVACY}::test_once_a_broadcast_is_sent_no_broadcast_item_names_a_resident_and_retries_and_figures_hold",
            f"{_BROADCAST_PRIVACY}::test_a_planner_or_worker_invoked_again_after_the_ids_are_gone_enqueues_nothing",
        ),
    ),
    PersonalDataField(
        id="data_rights_subject",
        label="登録情報の確認・削除の記録（LINE IDの一方向ハッシュ）",
        store="AuditTable",
        attributes=("subject", "action", "webhookEventId", "requestedAt", "recordedAt", "counts"),
        source="住民の請求（登録情報の確認・削除）",
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.KEPT,
        tests=DATA_RIGHTS_TESTS,
    ),
    PersonalDataField(
        id="export_requester",
        label="エクスポートを依頼した職員の識別名（認証済みかどうか、期間の再エクスポートの理由）",
        store="AuditTable",
        attributes=("requestedBy", "requestedBySource", "identityVerified", "requestedBySub", "reason"),
        source="職員のIAM認証情報（呼び出し元）、または職員画面のサインイン（Cognito）と入力した理由",
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.KEPT,
        tests=(
            f"{_EXPORT}::test_every_link_is_audited",
            f"{_CONSOLE_EXPORT}::test_a_console_export_is_audited_under_the_signed_in_staff",
        ),
    ),
    PersonalDataField(
        id="export_grant",
        label="職員画面からのエクスポート依頼（職員のID・ユーザー名・役割、対象、理由）",
        store="StaffConsoleTable",
        attributes=("grant",),
        source="職員画面のサインイン（Cognitoのトークン）と職員の入力",
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.EXPIRES,
        retention_rule="依頼から5分（使用時に即削除）",
        tests=(f"{_CONSOLE_EXPORT}::test_a_grant_is_used_once",),
    ),
    PersonalDataField(
        id="export_file",
        label="エクスポートCSV（申請者の氏名・住所等、職員の事務処理用）",
        store="ExportBucket",
        attributes=("*",),
        source="エクスポート処理（申請の回答を復号）",
        form_fields=True,
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.EXPIRES,
        retention_parameter="ExportObjectExpirationDays",
        retention_rule="作成から",
        tests=(
            f"{_EXPORT}::test_staff_export_writes_the_csv_and_returns_a_sigv4_link",
            EXPORT_LOGS,
        ),
    ),
    PersonalDataField(
        id="staff_console_actor",
        label="管理画面で操作した職員のユーザー名・利用者ID（操作の記録）",
        store="StaffActionsTable",
        attributes=("actorUsername", "actorSub"),
        source="職員のサインイン（Cognitoのトークン）",
        disclosure=Disclosure.NOT_SHOWN,  # residents' data rights do not cover staff records
        erasure=Erasure.KEPT,
        expires=False,
        tests=(
            "tests/integration/staff_api/test_staff_console.py::"
            "test_an_editors_broadcast_reaches_exactly_the_active_residents_and_is_audited",
        ),
    ),
)

# In transit between functions: queue messages live until processed, or in the dead-letter queue.
QUEUED: tuple[PersonalDataField, ...] = (
    PersonalDataField(
        id="queued_events",
        label="処理待ちのLINEイベント（LINE ID・メッセージ本文・ポストバック）",
        store="EventsQueue",
        attributes=("*",),
        source="LINEプラットフォーム（Webhook）",
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.EXPIRES,
        retention_rule="処理まで（失敗し続けたものはデッドレターキューに）",
        tests=(CONVERSATION_LOGS,),
    ),
    PersonalDataField(
        id="queued_applications",
        label="受付待ちの申請（申請者の回答を含む）・アンケートの回答",
        store="ApplicationsQueue",
        attributes=("*",),
        source="会話処理（申請の確定）",
        form_fields=True,
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.EXPIRES,
        retention_rule="受付まで（失敗し続けたものはデッドレターキューに）",
        tests=(INTAKE_LOGS,),
    ),
    PersonalDataField(
        id="queued_recipients",
        label="送信待ちの配信先のLINE ID（バッチ）",
        store="BroadcastBatchesQueue",
        attributes=("*",),
        source="配信計画",
        disclosure=Disclosure.NOT_SHOWN,
        erasure=Erasure.EXPIRES,
        retention_rule="送信まで（失敗し続けたものはデッドレターキューに）",
    ),
)

PERSONAL_DATA: tuple[PersonalDataField, ...] = STORED + QUEUED

# Attributes the code stores that are not about a person, per store, and what they are.
_BROADCAST_PROGRESS = "配信の進捗・件数（住民ごとの情報を含まない）"
_EXPORT_RECORD = "エクスポートの記録（期間・件数・ファイル名・リンクの期限、内容は含まない）"
BOOKKEEPING: dict[str, dict[str, str]] = {
    "UsersTable": {"purgeAt": "削除予定日時（TTL）"},
    "ConversationsTable": {"version": "同時更新の検出用の版数", "expiresAt": "削除予定日時（TTL）"},
    "ApplicationsTable": {
        "applicationId": "申請ID（ランダムなUUID）",
        "recordType": "項目の種別",
        "exportedAt": "エクスポート日時",
        "exportId": "エクスポートID",
        "purgeAt": "削除予定日時（TTL）",
        "erasedAt": "本人の削除請求で個人情報を消した日時",
        "holderId": "二重申請防止：保留中の申請ID",
        "guardedAt": "二重申請防止：記録日時",
        "lastNumber": "受付番号の日ごとの連番",
    },
    "BroadcastsTable": {
        "broadcastId": "配信ID",
        "listing": "配信一覧の索引の区分（配信の記録にだけ付く）",
        "title": "配信の件名（職員が入力）",
        "request": "配信の依頼内容（本文・対象の条件）",
        "requestHash": "依頼内容の照合値",
        "test": "テスト配信の別",
        "status": "配信の状態",
        "createdAt": "作成日時",
        "sendDate": "配信日",
        "sendAt": "予約日時",
        "scanSegments": "抽出の並列数",
        "versions": "配信する言語の版（言語コード）",
        "language": "LINEが拒否したバッチの言語の版（言語コード）",
        "lease": "配信計画の実行権（実行中の呼び出しのID）",
        "leaseUntil": "実行権の期限",
        "planningComplete": "配信計画の完了",
        "nextIndex": "次のバッチ番号",
        "done": "抽出の完了",
        "recipients": "配信先の件数",
        "outcome": "バッチの送信結果",
        "lineStatus": "LINEの応答コード",
        "failures": "LINEが拒否したバッチ（番号と応答のみ）",
        "batchNumber": "バッチ番号",
        "message": "LINEの応答メッセージ",
        "retries": "再試行回数",
        "firstBatchAcceptedAt": "最初のバッチをLINEが受け付けた日時",
        "lastBatchAcceptedAt": "最後のバッチをLINEが受け付けた日時",
        "grants": "送信レート制御の枠",
        "expiresAt": "削除予定日時（TTL）：送信レート制御の枠、配信計画の途中経過",
        **dict.fromkeys(
            (
                "alreadyAccepted",
                "audienceSize",
                "audienceByVersion",
                "batchesCompleted",
                "batchesFailed",
                "batchesPlanned",
                "batchesSent",
                "recipientsFailed",
                "recipientsSent",
            ),
            _BROADCAST_PROGRESS,
        ),
    },
    "StaffActionsTable": {
        "pk": "記録の区分（月）",
        "sk": "記録の並び順（日時とID）",
        "at": "操作日時",
        "action": "操作の種類（配信・予約・取消・リッチメニュー切替など）",
        "target": "操作の対象（配信ID・モードなど、住民の情報を含まない）",
        "detail": "操作の詳細（件数・状態のみ、本文を含まない）",
    },
    "StaffConsoleTable": {
        "pk": "項目の区分",
        "counts": "職員画面の集計（件数のみ、住民ごとの情報を含まない）",
        "asOf": "集計日時",
        "expiresAt": "削除予定日時（TTL）",
    },
    "AuditTable": {
        "pk": "記録の区分",
        "sk": "記録の並び順",
        "recordType": "記録の種別",
        "formId": "申請様式のID",
        "version": "処理位置の版数",
        "current": "処理位置（受付日時）",
        "claim": "実行中のエクスポート",
        "upTo": "実行中のエクスポートの範囲",
        "leaseUntil": "実行権の期限",
        "abandoned": "中断されたエクスポート",
        "lastExportId": "最後のエクスポートID",
        "updatedAt": "更新日時",
        "unreadableReceptionNumbers": "復号できなかった申請の受付番号（職員の確認用）",
        **dict.fromkeys(
            (
                "exportId",
                "invocationId",
                "issuedAt",
                "trigger",
                "window",
                "recordCount",
                "encoding",
                "objectKey",
                "expiresAt",
                "expirySeconds",
                "unencodable",
                "unencodableTotal",
                "skippedUnreadable",
                "reissued",
            ),
            _EXPORT_RECORD,
        ),
    },
}

# Which tables each module of civicline/adapters/dynamodb writes or reads (the report checks its
# attributes against these tables' entries above; a module missing here shows in red).
ADAPTER_TABLES: dict[str, tuple[str, ...]] = {
    "residents": ("UsersTable",),
    "audience": ("UsersTable",),
    "resident_languages": ("UsersTable",),  # read only: the rich-menu relink (make richmenu)
    "conversations": ("ConversationsTable",),
    "applications": ("ApplicationsTable",),
    "export_source": ("ApplicationsTable",),
    "data_rights": ("UsersTable", "ConversationsTable", "ApplicationsTable"),
    "data_rights_audit": ("AuditTable",),
    "export_audit": ("AuditTable",),
    "broadcasts_table": ("BroadcastsTable",),
    "broadcast_ledger": ("BroadcastsTable",),
    "broadcast_checkpoints": ("BroadcastsTable",),
    "broadcast_report": ("BroadcastsTable",),
    "broadcast_messages": ("BroadcastsTable",),
    "send_slots": ("BroadcastsTable",),
    "staff_actions": ("StaffActionsTable",),
    "resident_census": ("UsersTable",),
    "application_counts": ("ApplicationsTable",),
    "broadcast_digest": ("BroadcastsTable",),
    "console_snapshots": ("StaffConsoleTable",),
    "export_grants": ("StaffConsoleTable",),
    "wire_client": (),  # the broadcast adapters' DynamoDB client: no table of its own
}

# Who may read the sealed fields in plain text: the design's intent, checked against the template.
PII_DECRYPT_FUNCTIONS: tuple[str, ...] = ("ExportFunction",)
PII_ENCRYPT_FUNCTIONS: tuple[str, ...] = ("IntakeFunction",)
