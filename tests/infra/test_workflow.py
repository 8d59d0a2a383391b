"""State machine: the shared definition file, timeout, retries, catches, tracing and logging."""

from __future__ import annotations

from typing import Any

import pytest

from infra.stack.constants import EXECUTION_TIMEOUT_SECONDS, STATE_MACHINE_DEFINITION
from tests.infra.helpers import (
    actions,
    functions_by_handler,
    only,
    referenced_ids,
    role_id,
    role_statements,
    state_machine_definition,
    statements_with,
)

LAMBDA_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}
STEP_HANDLERS = {
    "PlanFunctionArn": "generator_handler.plan_handler",
    "ShardFunctionArn": "generator_handler.shard_handler",
    "MergeFunctionArn": "generator_handler.merge_handler",
    "MarkCompletedFunctionArn": "generator_handler.mark_completed_handler",
    "MarkFailedFunctionArn": "generator_handler.mark_failed_handler",
}


@pytest.fixture(scope="module")
def definition(template_dict: dict[str, Any]) -> dict[str, Any]:
    return state_machine_definition(template_dict)


def _tasks(states: dict[str, Any]) -> dict[str, dict[str, Any]]:
    tasks: dict[str, dict[str, Any]] = {}
    for name, state in states.items():
        if state["Type"] == "Task":
            tasks[name] = state
        if state["Type"] == "Map":
            tasks.update(_tasks(state["ItemProcessor"]["States"]))
    return tasks


def test_definition_is_shared_file(template_dict: dict[str, Any]) -> None:
    _, machine = only(template_dict, "AWS::StepFunctions::StateMachine")
    assert machine["Properties"]["DefinitionString"] == STATE_MACHINE_DEFINITION.read_text()


def test_substitutions_name_step_functions(template_dict: dict[str, Any]) -> None:
    _, machine = only(template_dict, "AWS::StepFunctions::StateMachine")
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    functions = functions_by_handler(template_dict)
    for placeholder, handler in STEP_HANDLERS.items():
        function_id, _ = functions[handler]
        assert substitutions[placeholder] == {"Fn::GetAtt": [function_id, "Arn"]}


def test_execution_timeout(definition: dict[str, Any]) -> None:
    assert definition["TimeoutSeconds"] == EXECUTION_TIMEOUT_SECONDS


def test_tasks_retry_with_backoff(definition: dict[str, Any]) -> None:
    tasks = _tasks(definition["States"])
    assert set(tasks) == {"Plan", "Shard", "Merge", "MarkCompleted", "MarkFailed"}
    for name, task in tasks.items():
        [retry] = task["Retry"]
        assert retry["BackoffRate"] > 1, name
        assert retry["IntervalSeconds"] >= 1, name
        assert retry["MaxAttempts"] >= 3, name
        retried = set(retry["ErrorEquals"])
        assert retried >= LAMBDA_ERRORS or retried == {"States.ALL"}, name


def test_failures_caught_to_mark_failed(definition: dict[str, Any]) -> None:
    states = definition["States"]
    for name in ("Plan", "Shards", "Merge", "MarkCompleted"):
        [catch] = states[name]["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"], name
        assert catch["Next"] == "MarkFailed", name
    assert states["MarkFailed"]["Next"] == "GenerationFailed"
    assert states["GenerationFailed"]["Type"] == "Fail"


def test_distributed_map_reads_manifest(definition: dict[str, Any]) -> None:
    shards = definition["States"]["Shards"]
    assert shards["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert shards["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert shards["MaxConcurrency"] == 20


def test_tracing_and_logging(template_dict: dict[str, Any]) -> None:
    _, machine = only(template_dict, "AWS::StepFunctions::StateMachine")
    properties = machine["Properties"]
    assert properties["TracingConfiguration"] == {"Enabled": True}
    logging = properties["LoggingConfiguration"]
    assert logging["IncludeExecutionData"] is False
    assert logging["Level"] == "ALL"
    [destination] = logging["Destinations"]
    assert referenced_ids(destination)


def test_state_machine_role(template_dict: dict[str, Any]) -> None:
    _, machine = only(template_dict, "AWS::StepFunctions::StateMachine")
    statements = role_statements(template_dict, role_id(machine))
    assert {"lambda:InvokeFunction", "s3:GetObject", "states:StartExecution"} <= actions(statements)
    [invoke] = statements_with(statements, "lambda:InvokeFunction")
    invoked = referenced_ids(invoke["Resource"])
    step_ids = {functions_by_handler(template_dict)[h][0] for h in STEP_HANDLERS.values()}
    assert invoked == step_ids
    [describe] = statements_with(statements, "states:DescribeExecution")
    resources = [str(part) for part in describe["Resource"]]
    assert any("report-generation/*" in resource for resource in resources)
    assert "states:StopExecution" in describe["Action"]
