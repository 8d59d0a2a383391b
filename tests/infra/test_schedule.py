"""EventBridge rules: schedules, execution status changes, engine events and deletions."""

from __future__ import annotations

from typing import Any

from tests.infra.helpers import functions_by_handler, only, resources


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
