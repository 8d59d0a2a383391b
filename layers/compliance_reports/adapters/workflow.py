"""Step Functions: one execution per report attempt, named `<reportId>-<attempt>`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


def execution_name(report_id: str, attempt: int) -> str:
    return f"{report_id}-{attempt}"


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
