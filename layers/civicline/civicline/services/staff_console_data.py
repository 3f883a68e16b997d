"""The staff console's counts and exports (docs/staff_api.md): what the routes in
functions/staff_api/routes/{dashboard,applications,exports,surveys}.py call.

Counts come from the snapshot (civicline.domain.dashboard.refresh): a page view reads one item, never
a resident table, and the console's role has no grant on any. Exports go through ExportFunction, the
same service as `make export`, with an export grant naming the signed-in staff (models/export_grant.py).
After an export the snapshot is refreshed (asynchronously) so the waiting counts drop at once.

Refusals carry the HTTP status and a Japanese message staff can act on; no value from a request or
a table ever goes into one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.console_snapshots import DynamoConsoleSnapshots
from civicline.adapters.dynamodb.export_grants import DynamoExportGrants
from civicline.adapters.staff_lambdas import LambdaFunctions, lambda_client
from civicline.domain.applications.forms.definition import FormDefinitionError, load_form
from civicline.domain.dashboard.ports import SnapshotStore
from civicline.domain.export.grants import GrantStore, RangeNotAllowed, check_range
from civicline.models.city import load_city
from civicline.models.dashboard import Dashboard, DashboardLabels, FormApplications
from civicline.models.environment import StaffConsoleDataEnvironment
from civicline.models.export_grant import GRANT_LIFETIME, ExportGrant
from civicline.models.forms import FormPurpose
from civicline.models.language import STAFF_LABELS
from civicline.models.staff import StaffIdentity
from civicline.models.staff_exports import ExportAsk, ExportLink, RangeExportAsk
from civicline.models.survey_results import SurveyResults

# A refresh reads the whole Users table (≈ 30,000 read units at 1M residents): one a minute at most.
REFRESH_INTERVAL = timedelta(minutes=1)

# ExportFunction's refusals (its `error.type`) as staff read them.
EXPORT_REFUSALS: dict[str, tuple[int, str]] = {
    "InvalidRequest": (400, "エクスポートの指定に誤りがあります。様式と期間を確かめてください。"),
    "UnknownForm": (404, "その申請様式はありません。一覧から選び直してください。"),
    "ExportInProgress": (409, "同じ様式のエクスポートが実行中です。少し待ってからもう一度お試しください。"),
    "RangeNotAllowed": (
        403,
        "期間の再エクスポートは管理者が理由を添えて、366日以内の期間で依頼してください。",
    ),
    "GrantRefused": (409, "依頼の有効期限が切れました。もう一度ダウンロードを押してください。"),
    "ExportNotFound": (
        404,
        "そのエクスポートのファイルはもうありません。期間を指定して再エクスポートしてください。",
    ),
    "PiiUnavailable": (503, "申請の内容を復号できませんでした。時間をおいてお試しください。"),
}
UNAVAILABLE = (503, "エクスポートを実行できませんでした。時間をおいてもう一度お試しください。")


class ConsoleRefusal(Exception):
    """What the console answers instead: an HTTP status and a message for staff (Japanese)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ConsoleFunctions(Protocol):
    def export(self, grant_id: str) -> dict[str, Any]: ...

    def start_refresh(self) -> None: ...


def _labels() -> DashboardLabels:
    city = load_city()
    return DashboardLabels(
        areas={choice.id: choice.label for choice in city.areas},
        genders={choice.id: choice.label for choice in city.genders},
        genres={choice.id: choice.label for choice in city.genres},
        languages={language.value: label for language, label in STAFF_LABELS.items()},
    )


def _form_of(form_id: str, purpose: FormPurpose) -> None:
    try:
        form = load_form(form_id)
    except FormDefinitionError:
        form = None
    if form is None or form.purpose is not purpose:
        kind = "アンケート" if purpose is FormPurpose.SURVEY else "申請様式"
        raise ConsoleRefusal(404, f"その{kind}はありません。一覧から選び直してください。")


@dataclass
class ConsoleData:
    snapshots: SnapshotStore
    grants: GrantStore
    functions: ConsoleFunctions
    logger: Logger
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    # ------------------------------------------------------------------ counts (any role / exporter)

    def dashboard(self) -> Dashboard:
        snapshot = self.snapshots.dashboard()
        return Dashboard(**dict(snapshot), labels=_labels())

    def applications(self) -> list[FormApplications]:
        return list(self.snapshots.dashboard().applications_waiting)

    def survey_results(self, form_id: str) -> SurveyResults:
        _form_of(form_id, FormPurpose.SURVEY)
        results = self.snapshots.survey(form_id)
        if results is None:
            raise ConsoleRefusal(503, "集計がまだありません。数分後にもう一度開いてください。")
        return results

    def refresh(self) -> datetime | None:
        """Start a refresh unless the snapshot is younger than a minute; the current `asOf`."""
        as_of = self.snapshots.dashboard().as_of
        if as_of is not None and self.clock() - as_of < REFRESH_INTERVAL:
            raise ConsoleRefusal(429, "集計は1分以内に更新したばかりです。少し待ってからお試しください。")
        self.functions.start_refresh()
        return as_of

    # ------------------------------------------------------------------ exports (exporter / admin)

    def export(self, staff: StaffIdentity, ask: ExportAsk) -> ExportLink:
        _form_of(ask.form_id, FormPurpose.APPLICATION)
        what = {} if ask.export_id is None else {"exportId": ask.export_id}
        return self._run(self._grant(staff, ask.form_id, ask.encoding.value, **what))

    def export_range(self, staff: StaffIdentity, ask: RangeExportAsk) -> ExportLink:
        _form_of(ask.form_id, FormPurpose.APPLICATION)
        try:
            check_range(staff, ask.from_, ask.to, ask.reason)
        except RangeNotAllowed:
            raise ConsoleRefusal(*EXPORT_REFUSALS["RangeNotAllowed"]) from None
        grant = self._grant(
            staff,
            ask.form_id,
            ask.encoding.value,
            **{"from": ask.from_.isoformat(), "to": ask.to.isoformat(), "reason": ask.reason.strip()},
        )
        return self._run(grant)

    def _grant(self, staff: StaffIdentity, form_id: str, encoding: str, **what: str) -> ExportGrant:
        now = self.clock()
        grant = ExportGrant.model_validate(
            {
                "grantId": uuid.uuid4().hex,
                "staff": staff.model_dump(by_alias=True, mode="json"),
                "formId": form_id,
                "encoding": encoding,
                "createdAt": now,
                "expiresAt": now + GRANT_LIFETIME,
                **what,
            }
        )
        self.grants.issue(grant)
        return grant

    def _run(self, grant: ExportGrant) -> ExportLink:
        answer = self.functions.export(grant.grant_id)
        if "error" in answer:
            kind = str(answer["error"].get("type", ""))
            self.logger.warning("console export refused", extra={"reason": kind[:40]})
            raise ConsoleRefusal(*EXPORT_REFUSALS.get(kind, UNAVAILABLE))
        self.logger.info(
            "console export", extra={"export_id": answer.get("exportId"), "rows": answer.get("recordCount")}
        )
        try:
            self.functions.start_refresh()  # the waiting counts drop on the page at once
        except Exception:
            self.logger.warning("dashboard refresh not started after an export")
        return ExportLink(
            export_id=str(answer["exportId"]),
            url=answer.get("url"),
            expires_at=answer.get("expiresAt"),
            rows=int(answer.get("recordCount", 0)),
        )


def build(env: StaffConsoleDataEnvironment, logger: Logger) -> ConsoleData:
    """StaffApiFunction's wiring of the console's counts and exports (its app.py, once per container)."""
    table = dynamodb_resource().Table(env.staff_console_table)
    return ConsoleData(
        snapshots=DynamoConsoleSnapshots(table),
        grants=DynamoExportGrants(table),
        functions=LambdaFunctions(lambda_client(), env.export_function, env.dashboard_refresh_function),
        logger=logger,
    )
