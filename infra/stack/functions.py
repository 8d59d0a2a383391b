"""One Lambda function with its own role, log group and, when invoked asynchronously, a DLQ."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aws_cdk import RemovalPolicy, Size
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from . import nag
from .constants import (
    DEAD_LETTER_RETENTION,
    EVENT_MAX_AGE,
    EVENT_RETRY_ATTEMPTS,
    FUNCTIONS_DIRECTORY,
    FunctionSize,
)

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
ASSET_EXCLUDES = ("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache")
RUNTIME_REASON = (
    "The function runs python3.12 because the shared layer is built for CPython 3.12 on arm64 "
    "(pydantic-core wheels are specific to the Python version); moving to a newer runtime means "
    "rebuilding the layer for it and testing the handlers on it."
)


@dataclass(frozen=True)
class FunctionDefaults:
    """Settings that every function of the stack shares."""

    layer: lambda_.ILayerVersion
    environment: Mapping[str, str]
    log_retention: logs.RetentionDays
    removal_policy: RemovalPolicy
    functions_directory: Path = FUNCTIONS_DIRECTORY


@dataclass(frozen=True)
class FunctionSpec:
    """A function: `folder` under functions/ is its whole asset, `handler` is `module.function`."""

    folder: str
    handler: str
    size: FunctionSize
    description: str
    environment: Mapping[str, str] = field(default_factory=dict)
    # EventBridge invokes asynchronously: events whose retries fail go to a dead-letter queue.
    # API Gateway and Step Functions invoke synchronously and handle the error themselves.
    asynchronous: bool = False


class ServiceFunction(Construct):
    """A Lambda function whose role starts with no permission but writing its own logs."""

    def __init__(
        self, scope: Construct, construct_id: str, *, spec: FunctionSpec, defaults: FunctionDefaults
    ) -> None:
        super().__init__(scope, construct_id)
        folder = defaults.functions_directory / spec.folder
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is missing; {spec.handler} is deployed from it")

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=defaults.log_retention,
            removal_policy=defaults.removal_policy,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.description} ({spec.folder}/{spec.handler})",
        )
        self.log_group.grant_write(self.role)

        self.dead_letter_queue: sqs.Queue | None = None
        if spec.asynchronous:
            self.dead_letter_queue = sqs.Queue(
                self,
                "DeadLetters",
                retention_period=DEAD_LETTER_RETENTION,
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )

        self.function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            code=lambda_.Code.from_asset(str(folder), exclude=list(ASSET_EXCLUDES)),
            handler=spec.handler,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            memory_size=spec.size.memory_mb,
            ephemeral_storage_size=Size.mebibytes(spec.size.ephemeral_storage_mb),
            timeout=spec.size.timeout,
            layers=[defaults.layer],
            environment={**defaults.environment, **spec.environment},
            tracing=lambda_.Tracing.ACTIVE,
            role=self.role,
            log_group=self.log_group,
            dead_letter_queue=self.dead_letter_queue,
        )
        self._acknowledge(spec)

    def event_target(self) -> targets.LambdaFunction:
        """Return an EventBridge target that sends undeliverable events to this function's DLQ."""
        if self.dead_letter_queue is None:
            raise ValueError("an EventBridge target needs a function spec with asynchronous=True")
        return targets.LambdaFunction(
            self.function,
            dead_letter_queue=self.dead_letter_queue,
            max_event_age=EVENT_MAX_AGE,
            retry_attempts=EVENT_RETRY_ATTEMPTS,
        )

    def _acknowledge(self, spec: FunctionSpec) -> None:
        nag.acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which "
            "support no resource-level permissions; every other statement of this role names "
            "its resources.",
        )
        nag.acknowledge(self.function, "AwsSolutions-L1", RUNTIME_REASON)
        nag.acknowledge(self.function, "Serverless-LambdaLatestVersion", RUNTIME_REASON)
        if self.dead_letter_queue is None:
            nag.acknowledge(
                self.function,
                "Serverless-LambdaDLQ",
                f"{spec.folder}/{spec.handler} is only invoked synchronously (API Gateway or a "
                "Step Functions task), so a dead-letter queue would never receive a message; "
                "the caller retries and handles the error.",
            )
        else:
            nag.acknowledge(
                self.dead_letter_queue,
                "Serverless-SQSRedrivePolicy",
                "This queue is itself the dead-letter queue of the function and of its "
                "EventBridge target; nothing reads it automatically, and an alarm fires on "
                "its first message.",
            )
