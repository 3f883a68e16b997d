"""Staff notices on the SNS topic: a scheduled export is ready.

The notice carries no download link, on purpose. A presigned URL is a bearer token: whoever holds it
downloads applicants' names, addresses and phone numbers until it expires, and S3 cannot tell who
that was. SNS delivers to e-mail (plain text through mail servers outside the ward's AWS account, kept
in mailboxes, forwarded) and to any other subscriber the topic gains later. The notice says how many
applications are waiting and which export holds them; a member of staff then asks for a link with
their own IAM credentials (`make export LINK=<export id>`), which is short-lived and audited with their
name. Nothing in the notice is personal data.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.domain.errors import RetryableError
from civicline.models.export import ExportResult

SUBJECT = "civicline: export {export_id} ready ({form_id}, {count} records)"
BODY = """広報新宿の申請データの定期エクスポートが完了しました。

フォーム: {form_id}
件数: {count} 件
エクスポートID: {export_id}
対象期間（受付日時, UTC）: {after} 〜 {up_to}
{problems}
ダウンロード用リンクは、職員の IAM 認証情報で次のコマンドを実行すると発行されます
（有効期限は短く、発行は監査記録に残ります）:

    make export FORM={form_id} LINK={export_id}

ファイルは {retention} 日後に自動で削除されます。
"""
PROBLEMS = (
    "注意: 文字コードで表せない文字 {unencodable} 件、"
    "復号できなかった申請 {unreadable} 件（詳細は監査記録）。\n"
)


class NoticeFailed(RetryableError):
    """The topic refused or could not be reached."""


def notice_text(result: ExportResult, file_days: int) -> tuple[str, str]:
    """(subject, body) of the notice for a scheduled export."""
    problems = ""
    if result.unencodable_total or result.skipped_unreadable:
        problems = PROBLEMS.format(unencodable=result.unencodable_total, unreadable=result.skipped_unreadable)
    subject = SUBJECT.format(export_id=result.export_id, form_id=result.form_id, count=result.record_count)
    body = BODY.format(
        form_id=result.form_id,
        count=result.record_count,
        export_id=result.export_id,
        after=result.window.after or "—",
        up_to=result.window.up_to,
        problems=problems,
        retention=file_days,
    )
    return subject, body


class SnsStaffNotifier:
    """StaffNotifier over the staff notices topic (`client`: a boto3 SNS client)."""

    def __init__(self, client: Any, topic_arn: str, file_days: int = 7) -> None:
        self._sns = client
        self._topic_arn = topic_arn
        self._file_days = file_days

    def export_ready(self, result: ExportResult) -> None:
        subject, body = notice_text(result, self._file_days)
        try:
            self._sns.publish(TopicArn=self._topic_arn, Subject=subject[:99], Message=body)
        except (ClientError, BotoCoreError) as error:
            raise NoticeFailed(
                f"staff notice for {result.export_id} failed: {type(error).__name__}"
            ) from None
