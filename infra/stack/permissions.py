"""IAM grants that name actions one by one, narrower than the CDK `grant_*` helpers.

The CDK helpers grant action groups, such as `dynamodb:DeleteItem` with every write or
`s3:DeleteObject*` with every object write. Here each function gets only the actions it calls,
on one table, index, key prefix or state machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from . import nag
from .constants import EVENT_SOURCE, LIMITED_RETURN_VALUES, REPORT_OBJECTS, REPORT_PREFIX


def allow(
    role: iam.IRole,
    actions: Sequence[str],
    resources: Sequence[str],
    *,
    conditions: Mapping[str, Any] | None = None,
    wildcard_reason: str | None = None,
) -> iam.PolicyStatement:
    """Add one Allow statement to `role`.

    A resource ARN that ends in a wildcard (a key prefix, the executions of a state machine)
    needs `wildcard_reason`, which becomes the cdk-nag acknowledgment of that resource.
    """
    statement = iam.PolicyStatement(
        actions=list(actions), resources=list(resources), conditions=dict(conditions or {})
    )
    role.add_to_principal_policy(statement)
    if wildcard_reason is not None:
        nag.acknowledge_wildcard_resources(role, statement, wildcard_reason)
    return statement


def allow_table(role: iam.IRole, table: dynamodb.ITableV2, actions: Sequence[str]) -> None:
    """Allow item actions on the table itself; its indexes need `allow_index`."""
    allow(role, [f"dynamodb:{action}" for action in actions], [table.table_arn])


def allow_index(role: iam.IRole, table: dynamodb.ITableV2, index_name: str) -> None:
    """Allow Query on one global secondary index."""
    allow(role, ["dynamodb:Query"], [f"{table.table_arn}/index/{index_name}"])


def allow_attribute_updates(
    role: iam.IRole, table: dynamodb.ITableV2, attributes: Sequence[str]
) -> None:
    """Allow UpdateItem that names only `attributes` and returns no other attribute.

    `ForAllValues:StringEquals` on `dynamodb:Attributes` holds when every attribute named in the
    request (keys, updated attributes, condition attributes) is listed.
    """
    allow(
        role,
        ["dynamodb:UpdateItem"],
        [table.table_arn],
        conditions={
            "ForAllValues:StringEquals": {"dynamodb:Attributes": list(attributes)},
            "StringEqualsIfExists": {"dynamodb:ReturnValues": list(LIMITED_RETURN_VALUES)},
        },
    )


def allow_report_objects(role: iam.IRole, bucket: s3.IBucket, actions: Sequence[str]) -> None:
    """Allow object actions on keys under `reports/`, the only prefix report files use."""
    allow(
        role,
        [f"s3:{action}" for action in actions],
        [bucket.arn_for_objects(REPORT_OBJECTS)],
        wildcard_reason=(
            f"Object actions are limited to the {REPORT_PREFIX} key prefix of the report bucket. "
            "Keys continue with the org and report ids, which IAM cannot bind to the tenant of "
            "a request, because one function serves every org."
        ),
    )


def allow_report_listing(role: iam.IRole, bucket: s3.IBucket, action: str = "ListBucket") -> None:
    """Allow listing (`ListBucket` or `ListBucketVersions`) only under `reports/`.

    With ListBucket, S3 returns 404 instead of 403 for a GET or HEAD of a missing key.
    """
    allow(
        role,
        [f"s3:{action}"],
        [bucket.bucket_arn],
        conditions={"StringLike": {"s3:prefix": [REPORT_OBJECTS]}},
    )


def execution_arns(
    scope: IConstruct, state_machine_name: str, *, include_map_runs: bool = False
) -> list[str]:
    """Return the ARN pattern of the executions of a state machine, found by its name.

    Started executions are `execution:<name>:<execution>`; with `include_map_runs`, the child
    workflows of a Distributed Map, `execution:<name>/<map run label>:<execution>`, are added.
    """
    separators = (":", "/") if include_map_runs else (":",)
    return [
        Stack.of(scope).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{state_machine_name}{separator}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        for separator in separators
    ]


def allow_report_events(role: iam.IRole, bus: events.IEventBus) -> None:
    """Allow PutEvents on the service's bus, for events with the service's own source only."""
    allow(
        role,
        ["events:PutEvents"],
        [bus.event_bus_arn],
        conditions={"StringEquals": {"events:source": EVENT_SOURCE}},
    )
