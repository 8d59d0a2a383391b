"""Step Functions: one execution per report attempt, named `<reportId>-<attempt>`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


def execution_name(report_id: str, attempt: int) -> str:
    return f"{report_id}-{attempt}"


def execution_arn(state_machine_arn: str, name: str) -> str:
    """Return the ARN of the execution `name` of a standard state machine."""
    prefix, separator, machine = state_machine_arn.rpartition(":stateMachine:")
    if not separator:
        raise ValueError(
            f"'{state_machine_arn}' is not a state machine ARN; set STATE_MACHINE_ARN to "
            "arn:aws:states:<region>:<account>:stateMachine:<name>"
        )
    return f"{prefix}:execution:{machine}:{name}"


# Statuses of an execution that can still change; every other status is final.
OPEN_STATUSES = frozenset({"RUNNING", "PENDING_REDRIVE"})


@dataclass(frozen=True)
class ExecutionState:
    """The status, error and cause of one execution, as DescribeExecution returns them."""

    status: str
    error: str = ""
    cause: str = ""

    @property
    def ended(self) -> bool:
        return self.status not in OPEN_STATUSES


class WorkflowStarter:
    def __init__(self, client: SFNClient, state_machine_arn: str) -> None:
        self._client = client
        self._state_machine_arn = state_machine_arn

    def start(self, report_id: str, attempt: int) -> str:
        """Start the generation; the input carries ids only, never parameters or personal data."""
        response = self._client.start_execution(
            stateMachineArn=self._state_machine_arn,
            name=execution_name(report_id, attempt),
            input=json.dumps({"reportId": report_id, "attempt": attempt}),
        )
        return response["executionArn"]

    def describe(self, report_id: str, attempt: int) -> ExecutionState | None:
        """Return the state of the attempt's execution, or None when it was never started."""
        try:
            response = self._client.describe_execution(
                executionArn=execution_arn(
                    self._state_machine_arn, execution_name(report_id, attempt)
                )
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise
        return ExecutionState(
            status=response["status"],
            error=response.get("error", ""),
            cause=response.get("cause", ""),
        )
