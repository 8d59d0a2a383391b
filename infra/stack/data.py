"""The audit table (events and guard items) and the control table (reports, agents, settings)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from .constants import (
    AUDIT_AGENT_INDEX,
    AUDIT_AGENT_INDEX_KEYS,
    CONTROL_PENDING_INDEX,
    CONTROL_PENDING_INDEX_KEYS,
    PARTITION_KEY,
    SORT_KEY,
    TTL_ATTRIBUTE,
)


class Tables(Construct):
    """On-demand tables with point-in-time recovery and TTL.

    Outside development they are retained on stack deletion and protected against deletion.
    """

    def __init__(self, scope: Construct, construct_id: str, *, protect: bool) -> None:
        super().__init__(scope, construct_id)

        # Partition `ORG#<orgId>#DAY#<YYYY-MM-DD>`, sort `<occurredAt>#<eventId>`; the index
        # serves agent-scoped reads by month.
        self.audit = self._table("Audit", protect, AUDIT_AGENT_INDEX, AUDIT_AGENT_INDEX_KEYS)
        # Partition `ORG#<orgId>` and reference items; the sparse index lists pending reports.
        self.control = self._table(
            "Control", protect, CONTROL_PENDING_INDEX, CONTROL_PENDING_INDEX_KEYS
        )

    def _table(
        self, construct_id: str, protect: bool, index_name: str, index_keys: tuple[str, str]
    ) -> dynamodb.TableV2:
        index_partition, index_sort = index_keys
        return dynamodb.TableV2(
            self,
            construct_id,
            partition_key=dynamodb.Attribute(
                name=PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing=dynamodb.Billing.on_demand(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=protect,
            removal_policy=RemovalPolicy.RETAIN if protect else RemovalPolicy.DESTROY,
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=index_name,
                    partition_key=dynamodb.Attribute(
                        name=index_partition, type=dynamodb.AttributeType.STRING
                    ),
                    sort_key=dynamodb.Attribute(
                        name=index_sort, type=dynamodb.AttributeType.STRING
                    ),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            ],
        )
