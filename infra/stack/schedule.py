"""Scheduled reports and the reconciliation of records whose execution ended without success."""

from __future__ import annotations

from aws_cdk import aws_events as events
from constructs import Construct

from . import permissions
from .constants import (
    CONTROL_PENDING_INDEX,
    ENDED_WITHOUT_SUCCESS,
    EXECUTION_STATUS_CHANGE,
    PENDING_TIMEOUT_SECONDS,
    RECORD_STATUS_ATTRIBUTES,
    SCHEDULER_CRON,
    SCHEDULER_SIZE,
    STATUS_CHANGE_SIZE,
    SWEEPER_RATE,
    SWEEPER_SIZE,
    FunctionSize,
)
from .data import Tables
from .functions import FunctionDefaults, FunctionSpec, ServiceFunction

FOLDER = "scheduler"


class ReportSchedule(Construct):
    """Three EventBridge rules, each with its own function from functions/scheduler.

    - hourly: create the SOC2 and audit reports of each org whose month has ended;
    - every 15 minutes: the sweeper checks records pending too long against their execution;
    - on execution status changes (FAILED, TIMED_OUT, ABORTED): mark the record failed.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        tables: Tables,
        bus: events.IEventBus,
        state_machine_arn: str,
        state_machine_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        workflow_environment = {
            "STATE_MACHINE_ARN": state_machine_arn,
            "PENDING_TIMEOUT_SECONDS": str(PENDING_TIMEOUT_SECONDS),
        }

        def function(
            construct_id: str, handler: str, size: FunctionSize, description: str
        ) -> ServiceFunction:
            spec = FunctionSpec(
                FOLDER,
                handler,
                size,
                description,
                environment=workflow_environment,
                asynchronous=True,
            )
            return ServiceFunction(self, construct_id, spec=spec, defaults=defaults)

        executions = permissions.execution_arns(self, state_machine_name)
        executions_reason = (
            "Executions of the report state machine only, named <reportId>-<attempt>, which "
            "are not known when the policy is written."
        )

        self.scheduler = function(
            "Scheduler",
            "scheduler_handler.lambda_handler",
            SCHEDULER_SIZE,
            "Create the scheduled reports of months that have ended",
        )
        role = self.scheduler.role
        # Schedule items share one partition, so a Query finds every org's schedule. PutItem
        # and UpdateItem create reports (through a transaction) and record schedule progress.
        permissions.allow_table(role, tables.control, ["GetItem", "Query", "PutItem", "UpdateItem"])
        permissions.allow(role, ["states:StartExecution"], [state_machine_arn])
        permissions.allow_report_events(role, bus)
        self.hourly_rule = events.Rule(
            self,
            "Hourly",
            description="Create scheduled compliance reports",
            schedule=events.Schedule.cron(**SCHEDULER_CRON),
            targets=[self.scheduler.event_target()],
        )

        self.sweeper = function(
            "Sweeper",
            "scheduler_handler.sweep_handler",
            SWEEPER_SIZE,
            "Reconcile reports pending longer than their execution can run",
        )
        role = self.sweeper.role
        permissions.allow_index(role, tables.control, CONTROL_PENDING_INDEX)
        permissions.allow_table(role, tables.control, ["GetItem"])
        permissions.allow_attribute_updates(role, tables.control, RECORD_STATUS_ATTRIBUTES)
        permissions.allow(
            role, ["states:DescribeExecution"], executions, wildcard_reason=executions_reason
        )
        permissions.allow_report_events(role, bus)
        self.sweep_rule = events.Rule(
            self,
            "Sweep",
            description="Reconcile stale pending compliance reports",
            schedule=events.Schedule.rate(SWEEPER_RATE),
            targets=[self.sweeper.event_target()],
        )

        self.status_change = function(
            "StatusChange",
            "scheduler_handler.status_change_handler",
            STATUS_CHANGE_SIZE,
            "Mark a report failed when its execution fails, times out or is aborted",
        )
        role = self.status_change.role
        permissions.allow_table(role, tables.control, ["GetItem"])
        permissions.allow_attribute_updates(role, tables.control, RECORD_STATUS_ATTRIBUTES)
        permissions.allow_report_events(role, bus)
        # Distributed Map child executions carry their own ARN with the map run label, so
        # matching the parent's ARN leaves them out.
        self.status_rule = events.Rule(
            self,
            "ExecutionEnded",
            description="Reconcile reports whose execution ended without success",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=[EXECUTION_STATUS_CHANGE],
                detail={
                    "status": list(ENDED_WITHOUT_SUCCESS),
                    "stateMachineArn": [state_machine_arn],
                },
            ),
            targets=[self.status_change.event_target()],
        )
