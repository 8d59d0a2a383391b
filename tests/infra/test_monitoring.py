"""Alarms on failed and timed-out executions, API 5xx, function errors and dead letters."""

from __future__ import annotations

from typing import Any

from tests.infra.helpers import functions_by_handler, only, resources


def _alarms(template_dict: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        alarm["Properties"] for alarm in resources(template_dict, "AWS::CloudWatch::Alarm").values()
    ]


def _alarmed_metrics(template_dict: dict[str, Any]) -> set[tuple[str, str, str]]:
    """Return (namespace, metric, dimension value) of every alarm."""
    found = set()
    for alarm in _alarms(template_dict):
        for dimension in alarm.get("Dimensions", []):
            value = dimension["Value"]
            reference = (
                value.get("Ref") or value.get("Fn::GetAtt", [""])[0]
                if isinstance(value, dict)
                else value
            )
            found.add((alarm["Namespace"], alarm["MetricName"], reference))
    return found


def test_execution_alarms(template_dict: dict[str, Any]) -> None:
    machine_id, _ = only(template_dict, "AWS::StepFunctions::StateMachine")
    metrics = _alarmed_metrics(template_dict)
    assert ("AWS/States", "ExecutionsFailed", machine_id) in metrics
    assert ("AWS/States", "ExecutionsTimedOut", machine_id) in metrics


def test_api_server_error_alarm(template_dict: dict[str, Any]) -> None:
    api_id, _ = only(template_dict, "AWS::ApiGatewayV2::Api")
    assert ("AWS/ApiGateway", "5xx", api_id) in _alarmed_metrics(template_dict)


def test_function_error_alarms(template_dict: dict[str, Any]) -> None:
    metrics = _alarmed_metrics(template_dict)
    for handler, (function_id, _) in functions_by_handler(template_dict).items():
        assert ("AWS/Lambda", "Errors", function_id) in metrics, handler


def test_dead_letter_alarms(template_dict: dict[str, Any]) -> None:
    metrics = _alarmed_metrics(template_dict)
    for queue_id in resources(template_dict, "AWS::SQS::Queue"):
        assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue_id) in metrics


def test_alarms_notify_topic(template_dict: dict[str, Any]) -> None:
    topic_id, _ = only(template_dict, "AWS::SNS::Topic")
    for alarm in _alarms(template_dict):
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["TreatMissingData"] == "notBreaching"
    [subscription] = resources(template_dict, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"] == "oncall@example.test"
