"""IAM: each role has exactly the actions its function calls, on its own resources."""

from __future__ import annotations

from typing import Any

import pytest

from infra.stack.constants import RECORD_STATUS_ATTRIBUTES
from tests.infra.helpers import (
    actions,
    as_list,
    functions_by_handler,
    only,
    referenced_ids,
    resources,
    role_id,
    role_statements,
    statements_with,
)

# Actions every function role has: its own log group, X-Ray and, for asynchronous functions,
# its dead-letter queue.
PLATFORM_ACTIONS = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "sqs:SendMessage",
}
STATUS_WRITER = {"dynamodb:GetItem", "dynamodb:UpdateItem"}
OBJECT_WRITER = {"s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:ListBucket"}
EXPECTED_ACTIONS: dict[str, set[str]] = {
    "api_handler.lambda_handler": {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "s3:GetObject",
        "s3:ListBucket",
        "states:StartExecution",
        "states:DescribeExecution",
        "events:PutEvents",
        "secretsmanager:GetSecretValue",
    },
    "generator_handler.plan_handler": STATUS_WRITER | OBJECT_WRITER,
    "generator_handler.shard_handler": STATUS_WRITER | OBJECT_WRITER | {"dynamodb:Query"},
    "generator_handler.merge_handler": STATUS_WRITER | OBJECT_WRITER | {"s3:AbortMultipartUpload"},
    "generator_handler.mark_completed_handler": STATUS_WRITER | {"events:PutEvents"},
    "generator_handler.mark_failed_handler": STATUS_WRITER | {"events:PutEvents"},
    "ingest_handler.lambda_handler": {
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
    },
    "scheduler_handler.lambda_handler": {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "states:StartExecution",
        "events:PutEvents",
    },
    "scheduler_handler.sweep_handler": STATUS_WRITER
    | {"dynamodb:Query", "states:DescribeExecution", "events:PutEvents"},
    "scheduler_handler.status_change_handler": STATUS_WRITER | {"events:PutEvents"},
    "deleter_handler.lambda_handler": {
        "s3:ListBucketVersions",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
    },
}
STATUS_WRITERS = [
    handler
    for handler in EXPECTED_ACTIONS
    if handler.startswith("generator_handler.")
    or handler in {"scheduler_handler.sweep_handler", "scheduler_handler.status_change_handler"}
]
# Actions that support no resource-level permissions.
RESOURCELESS_PREFIXES = ("xray:", "logs:", "cloudfront:")


def _statements(template_dict: dict[str, Any], handler: str) -> list[dict[str, Any]]:
    _, function = functions_by_handler(template_dict)[handler]
    return role_statements(template_dict, role_id(function))


def _table_ids(template_dict: dict[str, Any]) -> dict[str, str]:
    tables = resources(template_dict, "AWS::DynamoDB::GlobalTable")
    return {
        ("audit" if logical_id.startswith("DataAudit") else "control"): logical_id
        for logical_id in tables
    }


@pytest.mark.parametrize("handler", sorted(EXPECTED_ACTIONS))
def test_function_actions(template_dict: dict[str, Any], handler: str) -> None:
    granted = actions(_statements(template_dict, handler)) - PLATFORM_ACTIONS
    assert granted == EXPECTED_ACTIONS[handler]


def test_no_wildcard_actions(template_dict: dict[str, Any]) -> None:
    for logical_id, policy in resources(template_dict, "AWS::IAM::Policy").items():
        if logical_id.startswith("CustomCDKBucketDeployment"):
            continue  # the aws-cdk-lib deployment handler, acknowledged in stack.web
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            wildcards = [action for action in as_list(statement["Action"]) if "*" in action]
            assert not wildcards, logical_id


def test_star_resource_only_for_resourceless(template_dict: dict[str, Any]) -> None:
    for logical_id, policy in resources(template_dict, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "*" in as_list(statement["Resource"]):
                for action in as_list(statement["Action"]):
                    assert action.startswith(RESOURCELESS_PREFIXES), (logical_id, action)


def test_dynamodb_on_own_tables(template_dict: dict[str, Any]) -> None:
    tables = set(_table_ids(template_dict).values())
    for handler in EXPECTED_ACTIONS:
        for statement in _statements(template_dict, handler):
            if any(action.startswith("dynamodb:") for action in as_list(statement["Action"])):
                assert referenced_ids(statement["Resource"]) <= tables, handler
                assert "*" not in as_list(statement["Resource"]), handler


def test_generator_reads_no_audit_writes(template_dict: dict[str, Any]) -> None:
    audit = _table_ids(template_dict)["audit"]
    for handler in STATUS_WRITERS:
        for statement in _statements(template_dict, handler):
            if audit in referenced_ids(statement["Resource"]):
                assert as_list(statement["Action"]) == ["dynamodb:Query"], handler


@pytest.mark.parametrize("handler", STATUS_WRITERS)
def test_status_update_attributes(template_dict: dict[str, Any], handler: str) -> None:
    [update] = statements_with(_statements(template_dict, handler), "dynamodb:UpdateItem")
    assert as_list(update["Action"]) == ["dynamodb:UpdateItem"]
    condition = update["Condition"]
    attributes = condition["ForAllValues:StringEquals"]["dynamodb:Attributes"]
    assert attributes == list(RECORD_STATUS_ATTRIBUTES)
    assert "parameters" not in attributes
    assert set(condition["StringEqualsIfExists"]["dynamodb:ReturnValues"]) == {
        "NONE",
        "UPDATED_OLD",
        "UPDATED_NEW",
    }
    assert referenced_ids(update["Resource"]) == {_table_ids(template_dict)["control"]}


def test_only_deleter_deletes_objects(template_dict: dict[str, Any]) -> None:
    deleting = {
        handler
        for handler in EXPECTED_ACTIONS
        if actions(_statements(template_dict, handler))
        & {"s3:DeleteObject", "s3:DeleteObjectVersion"}
    }
    assert deleting == {"deleter_handler.lambda_handler"}


def test_objects_limited_to_report_prefix(template_dict: dict[str, Any]) -> None:
    for handler in EXPECTED_ACTIONS:
        for statement in _statements(template_dict, handler):
            for action in as_list(statement["Action"]):
                if not action.startswith("s3:"):
                    continue
                if action.startswith("s3:ListBucket"):
                    assert statement["Condition"] == {"StringLike": {"s3:prefix": ["reports/*"]}}
                else:
                    [resource] = as_list(statement["Resource"])
                    assert resource["Fn::Join"][1][-1] == "/reports/*", (handler, action)


def test_events_limited_to_service_source(template_dict: dict[str, Any]) -> None:
    bus_id, _ = only(template_dict, "AWS::Events::EventBus")
    for handler in EXPECTED_ACTIONS:
        for statement in statements_with(_statements(template_dict, handler), "events:PutEvents"):
            assert statement["Condition"] == {
                "StringEquals": {"events:source": "compliance-reports"}
            }
            assert referenced_ids(statement["Resource"]) == {bus_id}


def test_secret_read_by_api_only(template_dict: dict[str, Any]) -> None:
    secret_id, _ = only(template_dict, "AWS::SecretsManager::Secret")
    readers = {
        handler
        for handler in EXPECTED_ACTIONS
        for statement in statements_with(
            _statements(template_dict, handler), "secretsmanager:GetSecretValue"
        )
        if referenced_ids(statement["Resource"]) == {secret_id}
    }
    assert readers == {"api_handler.lambda_handler"}


def test_no_managed_policies(template_dict: dict[str, Any]) -> None:
    for logical_id, role in resources(template_dict, "AWS::IAM::Role").items():
        if logical_id.startswith("CustomCDKBucketDeployment"):
            continue
        assert "ManagedPolicyArns" not in role["Properties"], logical_id
