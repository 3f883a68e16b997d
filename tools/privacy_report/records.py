"""Section 1, 記録項目: each catalogued field beside what the template and the code say about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from civicline.domain.applications.forms.definition import form_ids, load_form
from civicline.messages import text
from civicline.models.city import City
from civicline.models.forms import FormPurpose
from civicline.models.personal_data import Disclosure, Erasure, PersonalDataField
from tools.privacy_report.stored_attributes import ModuleScan
from tools.privacy_report.template_facts import (
    READ_ACTIONS,
    at_rest_key,
    grants_on,
    parameter_default,
    pii_key_users,
    referenced_ids,
    role_function,
    table_retention,
)
from tools.privacy_report.test_results import Outcome, TestResults

PII_KEY = "PiiKey"
SQS_DEFAULT_RETENTION = 345600  # 4 days: SQS's default MessageRetentionPeriod
DISCLOSURE = {
    Disclosure.SHOWN: "表示する",
    Disclosure.MASKED: "一部を伏せて表示",
    Disclosure.COUNTED: "件数・有無のみ表示",
    Disclosure.NOT_SHOWN: "表示しない",
}
ERASURE = {
    Erasure.DELETED: "削除する",
    Erasure.UNLINKED: "本人との結び付きを消して保存",
    Erasure.EXPIRES: "対象外（保存期間で消去）",
    Erasure.KEPT: "削除しない",
}


@dataclass(frozen=True)
class TestLine:
    node_id: str
    outcome: Outcome

    __test__ = False

    @property
    def name(self) -> str:
        return self.node_id.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class FieldRow:
    field: PersonalDataField
    at_rest_key: str | None
    field_key: str | None
    readers: tuple[str, ...]  # functions (or roles) that may read the store
    plaintext_readers: tuple[str, ...]  # for sealed fields: who can decrypt
    retention: str
    retention_bounded: bool
    choices: str  # the values a resident can choose (city.yaml, forms)
    disclosure: str
    erasure: str
    tests: tuple[TestLine, ...]


@dataclass(frozen=True)
class Uncatalogued:
    module: str
    attribute: str
    tables: tuple[str, ...]


def _readers(cfn: dict, store: str) -> tuple[str, ...]:
    resource = cfn["Resources"].get(store)
    if resource is None:
        return ()
    actions = READ_ACTIONS.get(resource["Type"], ())
    by_role = role_function(cfn)
    return tuple(sorted(by_role.get(role, role) for role in grants_on(cfn, store, actions)))


def _period(cfn: dict, field: PersonalDataField) -> str:
    """How long, in words: the parameter's default, or for conversations the forms' own TTL."""
    parameter = cfn.get("Parameters", {}).get(field.retention_parameter or "", {})
    if parameter:
        return f"{field.retention_rule}{parameter.get('Default')}日（{field.retention_parameter}の既定値）"
    if field.store == "ConversationsTable":
        hours = max(load_form(form_id).ttl_hours for form_id in form_ids())
        return f"{field.retention_rule}{hours}時間（申請フォームの ttl_hours）"
    return field.retention_rule


def _table_retention(cfn: dict, field: PersonalDataField, _table: dict) -> tuple[str, bool]:
    retention = table_retention(cfn, field.store)
    if not retention.bounded:
        return retention.text, False
    if not field.expires:
        return f"TTLの対象外（無期限）。表の{retention.text}は他の項目のみ", False
    return f"{_period(cfn, field)}に削除：{retention.text}", True


def _bucket_retention(cfn: dict, field: PersonalDataField, bucket: dict) -> tuple[str, bool]:
    rules = bucket["Properties"].get("LifecycleConfiguration", {}).get("Rules", [])
    expiring = [r for r in rules if r.get("Status") == "Enabled" and "ExpirationInDays" in r]
    if not expiring:
        return "ライフサイクル規則なし（無期限）", False
    value = parameter_default(cfn, expiring[0]["ExpirationInDays"])
    return f"{field.retention_rule}{value}日で削除：ライフサイクル規則", True


def _queue_retention(cfn: dict, field: PersonalDataField, queue: dict) -> tuple[str, bool]:
    def days(props: dict) -> str:
        seconds = int(parameter_default(cfn, props.get("MessageRetentionPeriod", SQS_DEFAULT_RETENTION)))
        return f"{seconds / 86400:g}日"

    props = queue.get("Properties", {})
    text = f"{field.retention_rule}、最長{days(props)}"
    for dead_letter in sorted(referenced_ids(props.get("RedrivePolicy", {}).get("deadLetterTargetArn"))):
        text += (
            f"。デッドレターキュー {dead_letter} に最長{days(cfn['Resources'][dead_letter]['Properties'])}"
        )
    return text, True


_RETENTION = {
    "AWS::DynamoDB::Table": _table_retention,
    "AWS::S3::Bucket": _bucket_retention,
    "AWS::SQS::Queue": _queue_retention,
}


def _retention(cfn: dict, field: PersonalDataField) -> tuple[str, bool]:
    resource = cfn["Resources"].get(field.store)
    if resource is None or resource["Type"] not in _RETENTION:
        return "保存先がテンプレートにない", False
    return _RETENTION[resource["Type"]](cfn, field, resource)


def _form_fields(purposes: set[FormPurpose]) -> str:
    names = []
    for form_id in form_ids():
        form = load_form(form_id)
        if form.purpose in purposes:
            labels = [text(step.label) for step in form.steps if step.label]
            names.append(f"{text(form.title)}：{'・'.join(labels)}")
    return "／".join(names)


def _choices(field: PersonalDataField, city: City) -> str:
    """What a resident picks from (city.yaml) or answers (the form definitions), in the field's row."""
    from_city = {
        "area": [c.label for c in city.areas],
        "genres": [c.label for c in city.genres],
        "gender": [*(c.label for c in city.genders), "回答しない"],
        "birth_year": [f"{city.birth_year_min}年〜今年", "回答しない"],
    }
    if field.id in from_city:
        return "・".join(from_city[field.id])
    if not field.form_fields:
        return ""
    if field.id == "survey_answers":
        return _form_fields({FormPurpose.SURVEY})
    if field.sealed or field.store == "ExportBucket":
        return _form_fields({FormPurpose.APPLICATION})
    return _form_fields({FormPurpose.APPLICATION, FormPurpose.SURVEY})


def field_rows(
    cfn: dict, catalogue: tuple[PersonalDataField, ...], city: City, results: TestResults
) -> list[FieldRow]:
    rows = []
    plaintext = pii_key_users(cfn, PII_KEY, "kms:Decrypt")
    by_role = role_function(cfn)
    for field in catalogue:
        retention, bounded = _retention(cfn, field)
        rows.append(
            FieldRow(
                field=field,
                at_rest_key=at_rest_key(cfn, field.store),
                field_key=PII_KEY if field.sealed and PII_KEY in cfn["Resources"] else None,
                readers=_readers(cfn, field.store),
                plaintext_readers=tuple(sorted(by_role.get(r, r) for r in plaintext)) if field.sealed else (),
                retention=retention,
                retention_bounded=bounded,
                choices=_choices(field, city),
                disclosure=DISCLOSURE[field.disclosure],
                erasure=ERASURE[field.erasure],
                tests=tuple(TestLine(t, results.outcome(t)) for t in field.tests),
            )
        )
    return rows


def uncatalogued(
    scans: Mapping[str, ModuleScan],
    catalogue: tuple[PersonalDataField, ...],
    bookkeeping: Mapping[str, Mapping[str, str]],
    adapter_tables: Mapping[str, tuple[str, ...]],
) -> list[Uncatalogued]:
    """Attributes the adapters write that the catalogue does not name (and modules it does not know)."""
    known: dict[str, set[str]] = {}
    for field in catalogue:
        known.setdefault(field.store, set()).update(field.attributes)
    for store, attributes in bookkeeping.items():
        known.setdefault(store, set()).update(attributes)
    missing = []
    for module, scan in sorted(scans.items()):
        tables = adapter_tables.get(module)
        if tables is None:
            missing.append(Uncatalogued(module, "（モジュール全体：どの表のものか未登録）", ()))
            continue
        allowed = set().union(*(known.get(t, set()) for t in tables))
        missing += [Uncatalogued(module, a, tables) for a in sorted(scan.attributes - allowed)]
        missing += [Uncatalogued(module, f"解析できない属性名（{u}）", tables) for u in scan.unresolved]
    return missing
