"""EventBridge rules: schedules, execution status changes, engine events and deletions."""

from __future__ import annotations

from typing import Any

from infra.stack.constants import FUNCTIONS_DIRECTORY
from tests.infra.helpers import (
    actions,
    functions_by_handler,
    only,
    resources,
    role_id,
    role_statements,
)


def _rule_targeting(template_dict: dict[str, Any], handler: str) -> dict[str, Any]:
    function_id, _ = functions_by_handler(template_dict)[handler]
    rules: list[dict[str, Any]] = [
        rule["Properties"]
        for rule in resources(template_dict, "AWS::Events::Rule").values()
        if rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert len(rules) == 1, f"{len(rules)} rules target {handler}"
    return rules[0]


def test_hourly_scheduler(template_dict: dict[str, Any]) -> None:
    rule = _rule_targeting(template_dict, "scheduler_handler.lambda_handler")
    assert rule["ScheduleExpression"] == "cron(5 * * * ? *)"


def test_sweeper_every_quarter_hour(template_dict: dict[str, Any]) -> None:
    rule = _rule_targeting(template_dict, "scheduler_handler.sweep_handler")
    assert rule["ScheduleExpression"] == "rate(15 minutes)"


def test_status_change_pattern(template_dict: dict[str, Any]) -> None:
    machine_id, _ = only(template_dict, "AWS::StepFunctions::StateMachine")
    rule = _rule_targeting(template_dict, "scheduler_handler.status_change_handler")
    assert rule["EventPattern"] == {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {
            "status": ["FAILED", "TIMED_OUT", "ABORTED"],
            "stateMachineArn": [{"Ref": machine_id}],
        },
    }


def test_engine_events_pattern(template_dict: dict[str, Any]) -> None:
    rule = _rule_targeting(template_dict, "ingest_handler.lambda_handler")
    assert rule["EventPattern"] == {"source": ["agent-platform.engine"]}
    assert "EventBusName" not in rule  # the default bus


def test_report_deleted_pattern(template_dict: dict[str, Any]) -> None:
    bus_id, _ = only(template_dict, "AWS::Events::EventBus")
    rule = _rule_targeting(template_dict, "deleter_handler.lambda_handler")
    assert rule["EventBusName"] == {"Ref": bus_id}
    assert rule["EventPattern"] == {
        "source": ["compliance-reports"],
        "detail-type": ["Report Deleted"],
    }


def test_targets_have_dead_letters(template_dict: dict[str, Any]) -> None:
    queues = resources(template_dict, "AWS::SQS::Queue")
    for logical_id, rule in resources(template_dict, "AWS::Events::Rule").items():
        for target in rule["Properties"]["Targets"]:
            assert target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0] in queues, logical_id
            assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2, logical_id


def test_stale_reports_alarm_matches_sweeper(template_dict: dict[str, Any]) -> None:
    alarms = [
        alarm["Properties"]
        for alarm in resources(template_dict, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == "StalePendingReports"
    ]
    sweeper = (FUNCTIONS_DIRECTORY / "scheduler" / "scheduler_handler.py").read_text()

    [alarm] = alarms
    assert alarm["Namespace"] == "ComplianceReports"
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "compliance-reports"}]
    # The sweeper publishes the metric with Powertools, whose `service` dimension comes from
    # POWERTOOLS_SERVICE_NAME.
    assert 'name="StalePendingReports"' in sweeper


def test_scheduler_finds_schedules_without_scan(template_dict: dict[str, Any]) -> None:
    _, function = functions_by_handler(template_dict)["scheduler_handler.lambda_handler"]
    statements = role_statements(template_dict, role_id(function))

    assert "dynamodb:Scan" not in actions(statements)
