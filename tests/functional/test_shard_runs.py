"""Shard failures, multipart aborts and progress while a report runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from compliance_local.stack import AUDIT_TABLE, REPORT_BUCKET, LocalStack
from compliance_reports import runtime
from compliance_reports.adapters.artifacts import PART_SIZE, ArtifactStore
from compliance_reports.adapters.audit_store import AuditStore

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail

PERIOD = {"dateRange": {"from": "2026-02-27", "to": "2026-03-05"}}


def test_bad_shard_fails_report(
    local_stack: LocalStack, org_id: str, client_for: ClientFactory
) -> None:
    admin = client_for(org_id)
    admin.post_events(fixed_trail())
    # An item no service would write: its event JSON is cut short, so the 2026-03-02 shard fails.
    local_stack.client("dynamodb").put_item(
        TableName=AUDIT_TABLE,
        Item={
            "pk": {"S": f"ORG#{org_id}#DAY#2026-03-02"},
            "sk": {"S": "2026-03-02T05:00:00.000Z#broken"},
            "event": {"S": '{"eventId": "broken"'},
            "expiresAt": {"N": str(int(time.time()) + 86400)},
        },
    )

    record = admin.json("POST", "/compliance/reports/audit", expected=202, json=PERIOD)
    finished = admin.wait_for(record["reportId"])
    keys = [
        item["Key"]
        for item in local_stack.client("s3")
        .list_objects_v2(Bucket=REPORT_BUCKET, Prefix=f"reports/{org_id}/{record['reportId']}/")
        .get("Contents", [])
    ]
    uploads = (
        local_stack.client("s3")
        .list_multipart_uploads(Bucket=REPORT_BUCKET, Prefix=f"reports/{org_id}/")
        .get("Uploads", [])
    )

    assert finished["status"] == "failed"
    assert finished["error"]["code"] == "SHARD_FAILED"
    assert "2026-03-02" in finished["error"]["message"]
    assert not any(key.endswith(("report.json", "report.csv")) for key in keys)
    assert uploads == []


def test_multipart_abort_leaves_nothing(local_stack: LocalStack, org_id: str) -> None:
    store = ArtifactStore(local_stack.client("s3"), REPORT_BUCKET)
    key = f"reports/{org_id}/abort-test/report.json"
    sink = store.open_sink(key, "application/json")

    sink.write(b"x" * (PART_SIZE + 1024))
    uploads_during = (
        local_stack.client("s3")
        .list_multipart_uploads(Bucket=REPORT_BUCKET, Prefix=key)
        .get("Uploads", [])
    )
    sink.abort()
    uploads_after = (
        local_stack.client("s3")
        .list_multipart_uploads(Bucket=REPORT_BUCKET, Prefix=key)
        .get("Uploads", [])
    )

    assert len(uploads_during) == 1
    assert uploads_after == []
    assert not store.exists(key)


@pytest.fixture
def slow_last_day() -> Iterator[threading.Event]:
    """Hold the shard of 2026-03-05 until the test releases it."""
    release = threading.Event()
    original = AuditStore.query_range

    def held(self: AuditStore, org_id: str, start: datetime, *args: Any, **kwargs: Any) -> Any:
        if start.date().isoformat() == "2026-03-05":
            release.wait(timeout=60)
        return original(self, org_id, start, *args, **kwargs)

    AuditStore.query_range = held  # type: ignore[method-assign]
    try:
        yield release
    finally:
        release.set()
        AuditStore.query_range = original  # type: ignore[method-assign]


def test_progress_moves_while_running(
    org_id: str, client_for: ClientFactory, slow_last_day: threading.Event
) -> None:
    admin = client_for(org_id)
    admin.post_events(fixed_trail())

    record = admin.json("POST", "/compliance/reports/soc2", expected=202, json=PERIOD)
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = admin.json("GET", f"/compliance/reports/{record['reportId']}")
        seen.append(current["progress"])
        if current["progress"]["shardsDone"] >= 6:
            break
        time.sleep(0.2)
    slow_last_day.set()
    finished = admin.wait_for(record["reportId"])

    assert seen[-1]["shardsTotal"] == 7
    assert seen[-1]["shardsDone"] == 6
    assert seen[-1]["eventsRead"] == 17  # all 17 events fall before the held day
    assert finished["status"] == "completed"
    assert finished["progress"] == {"shardsTotal": 7, "shardsDone": 7, "eventsRead": 17}
    assert runtime.services().control.find_org(record["reportId"]) == org_id


def test_partials_are_tagged(
    local_stack: LocalStack, org_id: str, client_for: ClientFactory
) -> None:
    admin = client_for(org_id)
    admin.post_events(fixed_trail())
    record = admin.json("POST", "/compliance/reports/audit", expected=202, json=PERIOD)
    admin.wait_for(record["reportId"])
    s3 = local_stack.client("s3")
    prefix = f"reports/{org_id}/{record['reportId']}/attempt-1/"

    def tags(key: str) -> list[dict[str, str]]:
        return list(s3.get_object_tagging(Bucket=REPORT_BUCKET, Key=prefix + key)["TagSet"])

    partial = [{"Key": "report-artifact", "Value": "partial"}]
    assert tags("manifest.json") == partial
    assert tags("shards/00000/summary.json") == partial
    assert tags("shards/00000/records.jsonl") == partial
    assert tags("shards/00000/records.csv") == partial
    assert tags("report.json") == []
    assert tags("report.csv") == []
