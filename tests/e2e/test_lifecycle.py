"""A report's life after creation: ended executions reconciled, retry, idempotent creates,
deletion with a tombstone, and the events on the service's bus."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from compliance_local.client import ApiClient
from compliance_local.functions import load_handler
from compliance_local.gateway import Gateway
from compliance_local.lambda_patch import LocalLambdaContext
from compliance_local.stack import REPORT_BUCKET, LocalStack
from compliance_reports import runtime

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail
from tests.e2e.lifecycle_helpers import (
    describe,
    event_queue,
    freeze_clock,
    stop_execution,
    sweep,
)

AUDIT_BODY = {"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}}


@pytest.fixture
def admin(org_id: str, client_for: ClientFactory) -> ApiClient:
    client = client_for(org_id)
    client.post_events(fixed_trail())
    return client


@pytest.fixture
def restore_clock() -> Iterator[None]:
    yield
    runtime.set_clock(None)


def _past_pending_timeout() -> datetime:
    """Return an instant after which every report created until now counts as stale."""
    timeout = runtime.services().settings.pending_timeout_seconds
    return datetime.now(UTC) + timedelta(seconds=timeout + 60)


def _create_stopped(admin: ApiClient, local_stack: LocalStack) -> dict[str, Any]:
    record: dict[str, Any] = admin.json(
        "POST", "/compliance/reports/audit", expected=202, json=AUDIT_BODY
    )
    stop_execution(local_stack, record["reportId"])
    return record


def _status_change(report_id: str, attempt: int, status: str) -> dict[str, Any]:
    """Call the status-change function with the event EventBridge would deliver."""
    stack_arn = runtime.services().settings.state_machine_arn
    event = {
        "version": "0",
        "id": "b1f0f4a2-0000-4000-8000-000000000000",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "executionArn": "unused",
            "stateMachineArn": stack_arn,
            "name": f"{report_id}-{attempt}",
            "status": status,
            "startDate": 1772344800000,
            "stopDate": 1772344860000,
            "input": json.dumps({"reportId": report_id, "attempt": attempt}),
            "error": None,
            "cause": None,
        },
    }
    handler = load_handler("compliance-status-change")
    result: dict[str, Any] = handler(event, LocalLambdaContext("compliance-status-change"))
    return result


def test_stopped_execution_failed_by_sweep(
    admin: ApiClient, local_stack: LocalStack, gateway: Gateway, restore_clock: None
) -> None:
    record = _create_stopped(admin, local_stack)
    report_id = record["reportId"]

    early = sweep(gateway)
    freeze_clock(_past_pending_timeout())
    command = subprocess.run(
        [sys.executable, "-m", "compliance_local.cli", "sweep", "--url", gateway.url],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    failed = admin.json("GET", f"/compliance/reports/{report_id}")

    assert report_id not in json.dumps(early["failed"])
    assert command.returncode == 0, command.stderr
    assert f"marked failed: {report_id} (attempt 1)" in command.stdout
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "ABORTED"
    assert "stopped" in failed["error"]["message"]
    assert failed["artifacts"] is None


def test_stopped_execution_failed_on_read(
    admin: ApiClient, local_stack: LocalStack, restore_clock: None
) -> None:
    record = _create_stopped(admin, local_stack)
    report_id = record["reportId"]

    fresh = admin.json("GET", f"/compliance/reports/{report_id}")
    freeze_clock(_past_pending_timeout())
    stale = admin.json("GET", f"/compliance/reports/{report_id}")

    assert fresh["status"] == "pending"
    assert stale["status"] == "failed"
    assert stale["error"]["code"] == "ABORTED"


def test_timed_out_execution_failed_by_event(admin: ApiClient, local_stack: LocalStack) -> None:
    record = _create_stopped(admin, local_stack)
    report_id = record["reportId"]

    first = _status_change(report_id, 1, "TIMED_OUT")
    repeated = _status_change(report_id, 1, "TIMED_OUT")
    failed = admin.json("GET", f"/compliance/reports/{report_id}")

    assert first == {"status": "failed"}
    assert repeated == {"status": "unchanged"}
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "TIMED_OUT"
    assert "time limit" in failed["error"]["message"]


def test_completed_report_never_overwritten(admin: ApiClient, gateway: Gateway) -> None:
    record = admin.json("POST", "/compliance/reports/audit", expected=202, json=AUDIT_BODY)
    completed = admin.wait_for(record["reportId"])

    result = _status_change(record["reportId"], 1, "FAILED")

    assert completed["status"] == "completed"
    assert result == {"status": "unchanged"}
    assert admin.json("GET", f"/compliance/reports/{record['reportId']}") == completed


def test_retry_completes_and_keeps_failure(admin: ApiClient, local_stack: LocalStack) -> None:
    record = _create_stopped(admin, local_stack)
    report_id = record["reportId"]
    _status_change(report_id, 1, "ABORTED")
    headers = {"Idempotency-Key": f"retry-{report_id}"}

    retried = admin.request("POST", f"/compliance/reports/{report_id}/retry", headers=headers)
    repeated = admin.request("POST", f"/compliance/reports/{report_id}/retry", headers=headers)
    finished = admin.wait_for(report_id)

    assert retried.status_code == 202
    assert retried.json()["attempt"] == 2
    assert retried.json()["status"] == "pending"
    assert repeated.status_code == 202
    assert repeated.headers["Idempotent-Replayed"] == "true"
    assert repeated.json() == retried.json()
    assert finished["status"] == "completed"
    assert finished["attempt"] == 2
    [earlier] = finished["history"]
    assert earlier["attempt"] == 1
    assert earlier["status"] == "failed"
    assert earlier["error"]["code"] == "ABORTED"
    assert earlier["endedAt"] is not None
    assert describe(local_stack, report_id, 1)["status"] == "ABORTED"
    assert describe(local_stack, report_id, 2)["status"] == "SUCCEEDED"
    content, _ = admin.download(report_id, "json")
    assert json.loads(content)["reportId"] == report_id


def test_retry_of_completed_is_409(admin: ApiClient) -> None:
    record = admin.json("POST", "/compliance/reports/audit", expected=202, json=AUDIT_BODY)
    admin.wait_for(record["reportId"])

    response = admin.request("POST", f"/compliance/reports/{record['reportId']}/retry")

    assert response.status_code == 409
    assert "only a failed report can be retried" in response.json()["error"]["message"]


def test_retry_needs_admin(admin: ApiClient, org_id: str, client_for: ClientFactory) -> None:
    auditor = client_for(org_id, "auditor")

    response = auditor.request("POST", "/compliance/reports/01ARZ3NDEKTSV4RRFFQ69G5FAV/retry")

    assert response.status_code == 403


def test_concurrent_creates_one_report(admin: ApiClient, local_stack: LocalStack) -> None:
    headers = {"Idempotency-Key": "6f1c2f7e-concurrent"}
    responses: list[requests.Response] = []
    lock = threading.Lock()

    def post() -> None:
        response = admin.request(
            "POST", "/compliance/reports/audit", json=AUDIT_BODY, headers=headers
        )
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(response.status_code for response in responses) == [202] * 10
    report_ids = {response.json()["reportId"] for response in responses}
    assert len(report_ids) == 1
    [report_id] = report_ids
    assert [item["reportId"] for item in admin.json("GET", "/compliance/reports")["items"]] == [
        report_id
    ]
    executions = local_stack.client("stepfunctions").list_executions(
        stateMachineArn=local_stack.state_machine_arn, maxResults=1000
    )["executions"]
    assert [item["name"] for item in executions if item["name"].startswith(report_id)] == [
        f"{report_id}-1"
    ]
    admin.wait_for(report_id)


def test_same_key_other_body_is_422(admin: ApiClient) -> None:
    headers = {"Idempotency-Key": "key-reused-with-another-body"}
    first = admin.request("POST", "/compliance/reports/audit", json=AUDIT_BODY, headers=headers)
    other_body = {"dateRange": {"from": "2026-03-01", "to": "2026-03-02"}}

    second = admin.request("POST", "/compliance/reports/audit", json=other_body, headers=headers)
    other_route = admin.request(
        "POST", "/compliance/reports/soc2", json=other_body, headers=headers
    )

    assert first.status_code == 202
    assert second.status_code == 422
    assert second.json()["error"]["field"] == "Idempotency-Key"
    # The key is scoped to the route, so the same key on another route is a new request.
    assert other_route.status_code == 202
    admin.wait_for(first.json()["reportId"])
    admin.wait_for(other_route.json()["reportId"])


def test_invalid_key_is_422(admin: ApiClient) -> None:
    response = admin.request(
        "POST",
        "/compliance/reports/audit",
        json=AUDIT_BODY,
        headers={"Idempotency-Key": "has spaces"},
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "Idempotency-Key"


def _object_keys(local_stack: LocalStack, prefix: str) -> list[str]:
    listing = local_stack.client("s3").list_objects_v2(Bucket=REPORT_BUCKET, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_delete_leaves_tombstone(
    admin: ApiClient, org_id: str, local_stack: LocalStack, client_for: ClientFactory
) -> None:
    with event_queue(local_stack) as queue:
        record = admin.json("POST", "/compliance/reports/audit", expected=202, json=AUDIT_BODY)
        report_id = record["reportId"]
        completed = admin.wait_for(report_id)
        folder = f"reports/{org_id}/{report_id}/"
        stored_before = _object_keys(local_stack, folder)

        deleted = admin.json("DELETE", f"/compliance/reports/{report_id}", expected=202)
        events = queue.received()

    assert completed["status"] == "completed"
    assert stored_before
    assert _object_keys(local_stack, folder) == []
    assert deleted["status"] == "deleted"
    assert deleted["deletedBy"] == f"admin@{org_id}.example"
    assert deleted["artifacts"] is None
    assert admin.json("GET", f"/compliance/reports/{report_id}")["status"] == "deleted"
    listed = admin.json("GET", "/compliance/reports?status=deleted")["items"]
    assert [item["reportId"] for item in listed] == [report_id]
    download = admin.request("GET", f"/compliance/reports/{report_id}/download?format=csv")
    assert download.status_code == 410
    assert admin.request("POST", f"/compliance/reports/{report_id}/retry").status_code == 409
    assert admin.request("DELETE", f"/compliance/reports/{report_id}").status_code == 202
    assert (
        client_for(org_id, "auditor")
        .request("DELETE", f"/compliance/reports/{report_id}")
        .status_code
        == 403
    )

    changed = [event for event in events if event["detail-type"] == "Report State Changed"]
    removed = [event for event in events if event["detail-type"] == "Report Deleted"]
    assert [event["detail"] for event in changed] == [
        {"orgId": org_id, "reportId": report_id, "attempt": 1, "status": "completed"}
    ]
    assert [event["detail"] for event in removed] == [{"orgId": org_id, "reportId": report_id}]
    assert {event["source"] for event in events} == {"compliance-reports"}


def test_delete_recorded_in_audit_trail(admin: ApiClient, org_id: str) -> None:
    record = admin.json("POST", "/compliance/reports/audit", expected=202, json=AUDIT_BODY)
    report_id = record["reportId"]
    admin.wait_for(report_id)
    admin.json("DELETE", f"/compliance/reports/{report_id}", expected=202)

    today = datetime.now(UTC).date().isoformat()
    trail = admin.json(
        "POST",
        "/compliance/reports/audit",
        expected=202,
        json={"dateRange": {"from": today, "to": today}, "timezone": "UTC"},
    )
    admin.wait_for(trail["reportId"])
    document = json.loads(admin.download(trail["reportId"], "json")[0])

    [deletion] = [item for item in document["records"] if item["action"] == "report.deleted"]
    assert deletion["actor"]["type"] == "user"
    assert deletion["actor"]["email"] == f"admin@{org_id}.example"
    assert deletion["target"]["type"] == "report"
    assert deletion["target"]["id"] == report_id
    assert deletion["outcome"] == "success"


def test_delete_pending_is_409(admin: ApiClient, local_stack: LocalStack) -> None:
    record = _create_stopped(admin, local_stack)

    response = admin.request("DELETE", f"/compliance/reports/{record['reportId']}")

    assert response.status_code == 409
    assert "pending" in response.json()["error"]["message"]


def test_failure_announced_on_bus(admin: ApiClient, org_id: str, local_stack: LocalStack) -> None:
    with event_queue(local_stack) as queue:
        record = _create_stopped(admin, local_stack)
        _status_change(record["reportId"], 1, "ABORTED")
        events = queue.received()

    assert [event["detail"] for event in events] == [
        {"orgId": org_id, "reportId": record["reportId"], "attempt": 1, "status": "failed"}
    ]
    assert events[0]["detail-type"] == "Report State Changed"
