"""Tables: on-demand, point-in-time recovery, TTL, indexes and deletion protection."""

from __future__ import annotations

from typing import Any

from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra.stack.data import Tables
from tests.infra.helpers import resources

INDEXES = {
    "DataAudit": ("byAgentMonth", "gsi1pk", "gsi1sk"),
    "DataControl": ("pendingReports", "pendingPk", "pendingSince"),
}


def _tables(template_dict: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        prefix: table["Properties"]
        for logical_id, table in resources(template_dict, "AWS::DynamoDB::GlobalTable").items()
        for prefix in INDEXES
        if logical_id.startswith(prefix)
    }


def test_tables_on_demand_with_pitr(template_dict: dict[str, Any]) -> None:
    tables = _tables(template_dict)
    assert set(tables) == set(INDEXES)
    for name, table in tables.items():
        assert table["BillingMode"] == "PAY_PER_REQUEST", name
        [replica] = table["Replicas"]
        assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], name
        assert table["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
        assert [key["AttributeName"] for key in table["KeySchema"]] == ["pk", "sk"], name


def test_table_indexes(template_dict: dict[str, Any]) -> None:
    for name, table in _tables(template_dict).items():
        index_name, partition, sort = INDEXES[name]
        [index] = table["GlobalSecondaryIndexes"]
        assert index["IndexName"] == index_name
        assert [key["AttributeName"] for key in index["KeySchema"]] == [partition, sort]


def test_production_tables_protected(template_dict: dict[str, Any]) -> None:
    for logical_id, table in resources(template_dict, "AWS::DynamoDB::GlobalTable").items():
        [replica] = table["Properties"]["Replicas"]
        assert replica["DeletionProtectionEnabled"] is True, logical_id
        assert table["DeletionPolicy"] == "Retain", logical_id


def test_development_tables_unprotected() -> None:
    stack = Stack(App(), "Development")
    Tables(stack, "Data", protect=False)
    for logical_id, table in (
        Template.from_stack(stack).find_resources("AWS::DynamoDB::GlobalTable").items()
    ):
        [replica] = table["Properties"]["Replicas"]
        assert replica.get("DeletionProtectionEnabled") in (None, False), logical_id
        assert table["DeletionPolicy"] == "Delete", logical_id
