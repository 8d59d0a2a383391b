"""The report-generation state machine and the five generator functions its tasks invoke."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from . import nag, permissions
from .constants import (
    AUDIT_AGENT_INDEX,
    EXECUTION_TIMEOUT_SECONDS,
    MARK_SIZE,
    MAX_SHARD_CONCURRENCY,
    MERGE_SIZE,
    PLAN_SIZE,
    RECORD_STATUS_ATTRIBUTES,
    RETRY_INTERVAL_SECONDS,
    SHARD_SIZE,
    STATE_MACHINE_DEFINITION,
    FunctionSize,
)
from .data import Tables
from .functions import FunctionDefaults, FunctionSpec, ServiceFunction

GENERATOR_FOLDER = "generator"
GENERATOR_MODULE = "generator_handler"


class ReportWorkflow(Construct):
    """Plan, a Distributed Map of day shards, Merge, then MarkCompleted or MarkFailed.

    The definition is `infra/workflow/report_generation.asl.json`, the file the local stack runs;
    its `${…}` placeholders become CloudFormation definition substitutions.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machine_name: str,
        defaults: FunctionDefaults,
        tables: Tables,
        reports: s3.IBucket,
        bus: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)
        self.state_machine_name = state_machine_name
        self.state_machine_arn = Stack.of(self).format_arn(
            service="states",
            resource="stateMachine",
            resource_name=state_machine_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

        def generator(
            construct_id: str, handler: str, size: FunctionSize, description: str
        ) -> ServiceFunction:
            spec = FunctionSpec(
                GENERATOR_FOLDER, f"{GENERATOR_MODULE}.{handler}", size, description
            )
            return ServiceFunction(self, construct_id, spec=spec, defaults=defaults)

        self.plan = generator("Plan", "plan_handler", PLAN_SIZE, "Plan the day shards of a report")
        self.shard = generator("Shard", "shard_handler", SHARD_SIZE, "Read one day of events")
        self.merge = generator("Merge", "merge_handler", MERGE_SIZE, "Write the JSON and CSV files")
        self.mark_completed = generator(
            "MarkCompleted", "mark_completed_handler", MARK_SIZE, "Mark a report completed"
        )
        self.mark_failed = generator(
            "MarkFailed", "mark_failed_handler", MARK_SIZE, "Mark a report failed"
        )
        self._grant_steps(tables, reports, bus)

        self.log_group = logs.LogGroup(
            self,
            "ExecutionLogs",
            log_group_name=f"/aws/vendedlogs/states/{state_machine_name}",
            retention=defaults.log_retention,
            removal_policy=defaults.removal_policy,
        )
        self.role = self._state_machine_role(reports)
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(STATE_MACHINE_DEFINITION.read_text()),
            definition_substitutions=self._substitutions(),
            role=self.role,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.log_group,
                level=sfn.LogLevel.ALL,
                # Execution input and output hold ids only, but state outputs are not logged
                # either, so no error text from a task lands in the logs.
                include_execution_data=False,
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        nag.acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, "
            "GetSamplingTargets) and CloudWatch Logs delivery (logs:CreateLogDelivery and "
            "related actions) support no resource-level permissions.",
        )

    def _substitutions(self) -> dict[str, str]:
        return {
            "PlanFunctionArn": self.plan.function.function_arn,
            "ShardFunctionArn": self.shard.function.function_arn,
            "MergeFunctionArn": self.merge.function.function_arn,
            "MarkCompletedFunctionArn": self.mark_completed.function.function_arn,
            "MarkFailedFunctionArn": self.mark_failed.function.function_arn,
            "MaxConcurrency": str(MAX_SHARD_CONCURRENCY),
            "RetryIntervalSeconds": str(RETRY_INTERVAL_SECONDS),
            "ExecutionTimeoutSeconds": str(EXECUTION_TIMEOUT_SECONDS),
        }

    def _grant_steps(self, tables: Tables, reports: s3.IBucket, bus: events.IEventBus) -> None:
        steps = (self.plan, self.shard, self.merge, self.mark_completed, self.mark_failed)
        for step in steps:
            # Each step reads whole items by key: the record, its reference and subject items.
            # `dynamodb:Attributes` cannot narrow this, because a GetItem without a projection
            # names no attribute and passes the condition. `dynamodb:LeadingKeys` cannot narrow
            # it either: one generator serves every org.
            permissions.allow_table(step.role, tables.control, ["GetItem"])
            permissions.allow_attribute_updates(step.role, tables.control, RECORD_STATUS_ATTRIBUTES)

        # The shard lists the org's agents (a Query of its partition) and reads the audit table.
        permissions.allow_table(self.shard.role, tables.control, ["Query"])
        permissions.allow_table(self.shard.role, tables.audit, ["Query"])
        permissions.allow_index(self.shard.role, tables.audit, AUDIT_AGENT_INDEX)

        # Plan writes the manifest, Shard its partial, Merge reads partials and writes the files.
        writes = ["GetObject", "PutObject", "PutObjectTagging"]
        permissions.allow_report_objects(self.plan.role, reports, writes)
        permissions.allow_report_objects(self.shard.role, reports, writes)
        permissions.allow_report_objects(
            self.merge.role, reports, [*writes, "AbortMultipartUpload"]
        )
        for step in (self.plan, self.shard, self.merge):
            permissions.allow_report_listing(step.role, reports)

        for step in (self.mark_completed, self.mark_failed):
            permissions.allow_report_events(step.role, bus)

    def _state_machine_role(self, reports: s3.IBucket) -> iam.Role:
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=f"Runs the {self.state_machine_name} state machine",
        )
        steps = (self.plan, self.shard, self.merge, self.mark_completed, self.mark_failed)
        # The tasks name the unqualified function ARNs, so versions and aliases stay out.
        permissions.allow(
            role, ["lambda:InvokeFunction"], [step.function.function_arn for step in steps]
        )
        # The Distributed Map's ItemReader reads the manifest the Plan step wrote.
        permissions.allow_report_objects(role, reports, ["GetObject"])
        # A Distributed Map runs its items as child executions of this state machine. The ARNs
        # are built from the name, because a reference would make the role and the state
        # machine depend on each other.
        permissions.allow(role, ["states:StartExecution"], [self.state_machine_arn])
        permissions.allow(
            role,
            ["states:DescribeExecution", "states:StopExecution"],
            permissions.execution_arns(self, self.state_machine_name, include_map_runs=True),
            wildcard_reason=(
                "Executions of this state machine only: the Distributed Map describes and stops "
                "its child executions, whose names Step Functions generates."
            ),
        )
        return role
