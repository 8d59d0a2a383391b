"""Audit events that the engine puts on EventBridge, stored by the ingest function."""

from __future__ import annotations

from aws_cdk import aws_events as events
from constructs import Construct

from . import permissions
from .constants import INGEST_SIZE
from .data import Tables
from .functions import FunctionDefaults, FunctionSpec, ServiceFunction


class EngineIngestion(Construct):
    """A rule on the default event bus that forwards events of the engine's source only."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        tables: Tables,
        engine_event_source: str,
    ) -> None:
        super().__init__(scope, construct_id)

        self.ingest = ServiceFunction(
            self,
            "Ingest",
            spec=FunctionSpec(
                "ingest",
                "ingest_handler.lambda_handler",
                INGEST_SIZE,
                "Store audit events the engine sends through EventBridge",
                asynchronous=True,
            ),
            defaults=defaults,
        )
        role = self.ingest.role
        # Guard items are read and events written in batches; the code sends no DeleteRequest,
        # which IAM cannot exclude from BatchWriteItem.
        permissions.allow_table(role, tables.audit, ["BatchGetItem", "BatchWriteItem"])
        # The org's retention setting, and the agent directory kept in the control table.
        permissions.allow_table(role, tables.control, ["GetItem", "UpdateItem"])

        # The handler trusts the org named in the event because only this source reaches it.
        self.rule = events.Rule(
            self,
            "EngineEvents",
            description="Forward the engine's audit events to the ingest function",
            event_pattern=events.EventPattern(source=[engine_event_source]),
            targets=[self.ingest.event_target()],
        )
