"""Helpers of the schedule and lifecycle tests: the process clock, local-only routes, executions
and a queue that receives the service's bus events."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import requests
from botocore.exceptions import ClientError
from compliance_local.gateway import Gateway
from compliance_local.stack import EVENT_BUS, LocalStack
from compliance_reports import runtime
from compliance_reports.adapters.workflow import execution_arn, execution_name

SetClock = Callable[[datetime], None]


def freeze_clock(at: datetime) -> None:
    """Make the process clock, which the API, the scheduler and the generator read, return `at`."""
    runtime.set_clock(lambda: at)


def run_schedule(gateway: Gateway, at: str | None = None) -> dict[str, Any]:
    body = {"at": at} if at else {}
    response = requests.post(f"{gateway.url}/local/run-schedule", json=body, timeout=300)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def sweep(gateway: Gateway) -> dict[str, Any]:
    response = requests.post(f"{gateway.url}/local/sweep", json={}, timeout=300)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def created_for(result: dict[str, Any], org_id: str) -> list[dict[str, Any]]:
    """Return the reports a schedule run created for one org, by month."""
    return sorted(
        (report for report in result["created"] if report["orgId"] == org_id),
        key=lambda report: (report["month"], report["type"]),
    )


def describe(stack: LocalStack, report_id: str, attempt: int) -> dict[str, Any]:
    arn = execution_arn(stack.state_machine_arn, execution_name(report_id, attempt))
    response: dict[str, Any] = stack.client("stepfunctions").describe_execution(executionArn=arn)
    return response


def stop_execution(stack: LocalStack, report_id: str, attempt: int = 1) -> None:
    """Stop an attempt's execution and wait until it is ABORTED.

    moto 5.2.5 fails StopExecution while the execution's worker is still starting (its
    environment is not created yet), so the stop waits for the first history event.
    """
    client = stack.client("stepfunctions")
    arn = execution_arn(stack.state_machine_arn, execution_name(report_id, attempt))
    deadline = time.monotonic() + 30
    while not client.get_execution_history(executionArn=arn)["events"]:
        assert time.monotonic() < deadline, "the execution did not start within 30 s"
        time.sleep(0.02)
    while True:
        status = client.describe_execution(executionArn=arn)["status"]
        if status == "ABORTED":
            return
        assert status == "RUNNING", f"the execution ended {status} before it could be stopped"
        with contextlib.suppress(ClientError):
            client.stop_execution(executionArn=arn)
        assert time.monotonic() < deadline, "the execution could not be stopped within 30 s"
        time.sleep(0.2)


class EventQueue:
    """An SQS queue with a rule on the service's bus, so a test can read what was published."""

    def __init__(self, stack: LocalStack) -> None:
        self._sqs = stack.client("sqs")
        self._events = stack.client("events")
        self.name = f"test-events-{uuid.uuid4().hex[:8]}"
        self._url = self._sqs.create_queue(QueueName=self.name)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self._events.put_rule(
            Name=self.name,
            EventBusName=EVENT_BUS,
            EventPattern=json.dumps({"source": ["compliance-reports"]}),
        )
        self._events.put_targets(
            Rule=self.name, EventBusName=EVENT_BUS, Targets=[{"Id": "queue", "Arn": arn}]
        )

    def received(self) -> list[dict[str, Any]]:
        """Return the events delivered so far (and remove them from the queue)."""
        events: list[dict[str, Any]] = []
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return events
            for message in messages:
                events.append(json.loads(message["Body"]))
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])

    def close(self) -> None:
        self._events.remove_targets(Rule=self.name, EventBusName=EVENT_BUS, Ids=["queue"])
        self._events.delete_rule(Name=self.name, EventBusName=EVENT_BUS)
        self._sqs.delete_queue(QueueUrl=self._url)


@contextmanager
def event_queue(stack: LocalStack) -> Iterator[EventQueue]:
    queue = EventQueue(stack)
    try:
        yield queue
    finally:
        queue.close()
