"""Operations in template.yaml: alarms reach staff, the dashboard, the audit trail, backups of personal data.

moto creates none of these; what a ward would only learn in an incident is asserted on the translated
template.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from tests.support.repo import REPO_ROOT, TEMPLATE_PATH

from devstack.sam_template import resources_of_type, translate

STAFF_TOPIC = {"Ref": "StaffNoticesTopic"}
# Tables holding residents' personal data (docs/restore.md): backed up daily.
PERSONAL_DATA_TABLES = {"UsersTable", "ApplicationsTable"}
NAMESPACE = "Civicline"


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translate(TEMPLATE_PATH)


def alarms(cfn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources_of_type(cfn, "AWS::CloudWatch::Alarm").items()}


def alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """Every metric an alarm reads: its own, or each of its metric-math inputs."""
    if "MetricName" in alarm:
        return [{k: alarm[k] for k in ("Namespace", "MetricName", "Dimensions")}]
    return [query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query]


def dimension(metric: dict[str, Any], name: str) -> Any:
    values = [d["Value"] for d in metric.get("Dimensions", []) if d["Name"] == name]
    return values[0] if values else None


def contract_metric_patterns() -> list[re.Pattern[str]]:
    """The metric names docs/contracts.md ("Metrics") lists, `<value>` families as patterns."""
    text = (REPO_ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    section = text.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    names: list[re.Pattern[str]] = []
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith(("| metric", "|---")):
            continue
        for name in line.split("|")[1].split(","):
            pattern = re.escape(name.strip().replace("`", "")).replace(r"<", "<").replace(r">", ">")
            names.append(re.compile(re.sub(r"<[a-z]+>", "[a-z_]+", pattern) + "$"))
    return names


def test_every_alarm_tells_staff(cfn: dict[str, Any]) -> None:
    for alarm_id, alarm in alarms(cfn).items():
        assert alarm["AlarmActions"] == [STAFF_TOPIC], alarm_id
        assert alarm["TreatMissingData"] == "notBreaching", alarm_id


def test_every_dead_letter_queue_alarms_at_its_first_message(cfn: dict[str, Any]) -> None:
    # Given every queue that is some queue's dead-letter queue
    dead_letter = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in resources_of_type(cfn, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in q["Properties"]
    }
    watched = {
        dimension(metric, "QueueName")["Fn::GetAtt"][0]
        for alarm in alarms(cfn).values()
        if alarm.get("Threshold") == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
        for metric in alarm_metrics(alarm)
        if metric["MetricName"] == "ApproximateNumberOfMessagesVisible"
    }
    # Then each has an alarm that fires on one message
    assert dead_letter
    assert watched == dead_letter


@pytest.mark.parametrize("metric_name", ["Errors", "Throttles"])
def test_every_functions_errors_and_throttles_alarm(cfn: dict[str, Any], metric_name: str) -> None:
    functions = {f: {"Ref": f} for f in resources_of_type(cfn, "AWS::Lambda::Function")}
    watched = [
        dimension(metric, "FunctionName")
        for alarm in alarms(cfn).values()
        for metric in alarm_metrics(alarm)
        if metric["Namespace"] == "AWS/Lambda" and metric["MetricName"] == metric_name
    ]
    assert sorted(map(str, watched)) == sorted(map(str, functions.values()))


@pytest.mark.parametrize("status", ["4xx", "5xx"])
def test_the_webhooks_error_rates_alarm(cfn: dict[str, Any], status: str) -> None:
    # Given an alarm on the HTTP API's answers
    (alarm,) = [
        a
        for a in alarms(cfn).values()
        if any(m["MetricName"] == status for m in alarm_metrics(a) if m["Namespace"] == "AWS/ApiGateway")
    ]
    # Then it compares that status to all calls of the webhook's API (a rate, not a count)
    names = {m["MetricName"] for m in alarm_metrics(alarm)}
    assert names == {status, "Count"}
    assert all(dimension(m, "ApiId") == {"Ref": "WebhookHttpApi"} for m in alarm_metrics(alarm))
    (expression,) = [q["Expression"] for q in alarm["Metrics"] if "Expression" in q]
    assert "/" in expression


@pytest.mark.parametrize("metric_name", ["RateLimited", "BatchesFailed", "ExportsFailed", "KmsErrors"])
def test_service_failures_alarm_on_the_functions_own_metrics(cfn: dict[str, Any], metric_name: str) -> None:
    # Given the metrics the functions emit through Powertools (namespace and service from Globals)
    function = next(iter(resources_of_type(cfn, "AWS::Lambda::Function").values()))
    variables = function["Properties"]["Environment"]["Variables"]
    # Then an alarm reads the metric exactly as Powertools writes it
    matching = [
        metric
        for alarm in alarms(cfn).values()
        for metric in alarm_metrics(alarm)
        if metric["MetricName"] == metric_name
    ]
    assert matching, metric_name
    for metric in matching:
        assert metric["Namespace"] == variables["POWERTOOLS_METRICS_NAMESPACE"] == NAMESPACE
        assert metric["Dimensions"] == [{"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}]


def dashboard_metrics(cfn: dict[str, Any]) -> list[list[str]]:
    (dashboard,) = resources_of_type(cfn, "AWS::CloudWatch::Dashboard").values()
    body, _ = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]
    rows: list[list[str]] = []
    for widget in widgets:
        previous: list[str] = []
        for written in widget["properties"]["metrics"]:
            parts = [p for p in written if isinstance(p, str)]
            if parts[0] == "...":  # CloudWatch's shorthand: the previous row with another last value
                row = [*previous[:-1], *parts[1:]]
            else:  # "." repeats the previous row's value at that place
                row = [previous[i] if part == "." else part for i, part in enumerate(parts)]
            rows.append(row)
            previous = row
    return rows


def metrics_read_by_template(cfn: dict[str, Any]) -> set[str]:
    """The names of our namespace's metrics that the alarms and the dashboard read."""
    return {
        metric["MetricName"]
        for alarm in alarms(cfn).values()
        for metric in alarm_metrics(alarm)
        if metric["Namespace"] == NAMESPACE
    } | {row[1] for row in dashboard_metrics(cfn) if row[0] == NAMESPACE}


def test_alarms_and_the_dashboard_use_only_the_metrics_of_the_contract(cfn: dict[str, Any]) -> None:
    # Given the metric names docs/contracts.md promises the functions emit
    contract = contract_metric_patterns()
    used = metrics_read_by_template(cfn)
    # Then every one the template reads is one of them (a typo here would be a silent, empty graph)
    unknown = {name for name in used if not any(p.match(name) for p in contract)}
    assert used
    assert not unknown, f"not in docs/contracts.md Metrics: {sorted(unknown)}"


def metric_names_in_code() -> set[str]:
    """Every string literal the production code passes as a metric's name (`name="..."`, `_count("...")`)."""
    sources = [*(REPO_ROOT / "layers" / "civicline").rglob("*.py"), *(REPO_ROOT / "functions").rglob("*.py")]
    literal = re.compile(r'(?:name=|_count\((?:self\._metrics, )?)"([A-Z][A-Za-z]+)"')
    # Names chosen from a table: `<NAME>_METRICS = {key: "Name", ...}` (intake's results, webhook refusals)
    table = re.compile(r"_METRICS = \{(.*?)\}", re.S)
    names: set[str] = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        names |= set(literal.findall(text))
        for body in table.findall(text):
            names |= set(re.findall(r':\s*"([A-Z][A-Za-z]+)"', body))
    return names


def test_every_metric_an_alarm_or_the_dashboard_reads_is_emitted_by_the_code(cfn: dict[str, Any]) -> None:
    # Given the metrics of our namespace the alarms and the dashboard read
    used = metrics_read_by_template(cfn)
    # Then the functions really emit each one (an alarm on a name nobody writes never fires)
    missing = used - metric_names_in_code()
    assert not missing, f"read by the template but emitted nowhere: {sorted(missing)}"


def test_the_dashboard_shows_every_function_and_dead_letter_queue(cfn: dict[str, Any]) -> None:
    (dashboard,) = resources_of_type(cfn, "AWS::CloudWatch::Dashboard").values()
    body, variables = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    for function_id in resources_of_type(cfn, "AWS::Lambda::Function"):
        assert f'"${{{function_id}}}"' in body, function_id
    queues = {v["Fn::GetAtt"][0] for v in variables.values()}
    dead_letter = {q for q in resources_of_type(cfn, "AWS::SQS::Queue") if q.endswith("DeadLetterQueue")}
    assert queues == dead_letter


# ---------------------------------------------------------------- audit trail


def test_the_audit_trail_records_who_exported_and_every_use_of_the_keys(cfn: dict[str, Any]) -> None:
    # Given the trail (created when the ward names a bucket; otherwise the README's organisation trail)
    (trail,) = resources_of_type(cfn, "AWS::CloudTrail::Trail").values()
    props = trail["Properties"]
    assert trail["Condition"] == "HasAuditTrailBucket"
    selectors = [{f["Field"]: f for f in s["FieldSelectors"]} for s in props["AdvancedEventSelectors"]]
    # Then it records management events without excluding KMS (Decrypt on the PII key is one)
    management = [s for s in selectors if s["eventCategory"]["Equals"] == ["Management"]]
    assert management
    assert all("eventSource" not in s for s in management)
    # And the invocations of ExportFunction, the only way to a file of applicants' data
    (exports,) = [s for s in selectors if s["eventCategory"]["Equals"] == ["Data"]]
    assert exports["resources.type"]["Equals"] == ["AWS::Lambda::Function"]
    assert exports["resources.ARN"]["Equals"] == [{"Fn::GetAtt": ["ExportFunction", "Arn"]}]
    # And its files are encrypted and tamper-evident
    assert props["KMSKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert props["EnableLogFileValidation"] is True
    assert props["IsLogging"] is True


# ---------------------------------------------------------------- backups


def test_tables_holding_personal_data_are_backed_up_for_a_bounded_time(cfn: dict[str, Any]) -> None:
    # Given the backup plan and what it selects
    (selection,) = resources_of_type(cfn, "AWS::Backup::BackupSelection").values()
    selected = {r["Fn::GetAtt"][0] for r in selection["Properties"]["BackupSelection"]["Resources"]}
    (plan,) = resources_of_type(cfn, "AWS::Backup::BackupPlan").values()
    (rule,) = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    # Then the tables with residents' personal data are backed up daily
    assert selected == PERSONAL_DATA_TABLES
    assert rule["ScheduleExpression"].startswith("cron(")
    # And kept no longer than a bounded parameter (erased data lives on in backups until they expire)
    assert rule["Lifecycle"]["DeleteAfterDays"] == {"Ref": "BackupRetentionDays"}
    retention = cfn["Parameters"]["BackupRetentionDays"]
    assert 1 <= retention["MinValue"] <= retention["Default"] <= retention["MaxValue"] <= 35
    # And the vault is encrypted with the data key and outlives the stack
    (vault_id, vault), *_ = resources_of_type(cfn, "AWS::Backup::BackupVault").items()
    assert rule["TargetBackupVault"] == {"Ref": vault_id}
    assert vault["Properties"]["EncryptionKeyArn"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert vault["UpdateReplacePolicy"] == "Retain"


def test_the_restore_runbook_exists_for_every_backed_up_table() -> None:
    runbook = (REPO_ROOT / "docs" / "restore.md").read_text(encoding="utf-8")
    for table in PERSONAL_DATA_TABLES:
        assert table in runbook, table


def test_a_failed_backup_tells_staff(cfn: dict[str, Any]) -> None:
    # Given the EventBridge rules of the template
    rules = [
        r["Properties"]
        for r in resources_of_type(cfn, "AWS::Events::Rule").values()
        if r["Properties"]["EventPattern"]["source"] == ["aws.backup"]
    ]
    (rule,) = rules
    (vault_id,) = resources_of_type(cfn, "AWS::Backup::BackupVault")
    # Then a backup job of the vault that fails reaches the staff topic
    assert "FAILED" in rule["EventPattern"]["detail"]["state"]
    assert rule["EventPattern"]["detail"]["backupVaultName"] == [{"Ref": vault_id}]
    assert [target["Arn"] for target in rule["Targets"]] == [STAFF_TOPIC]
    # And the topic lets that rule (and only it, of EventBridge) publish
    (policy,) = resources_of_type(cfn, "AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (from_events,) = [s for s in statements if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert from_events["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0] in resources_of_type(
        cfn, "AWS::Events::Rule"
    )
