"""The report files do not depend on how the period is split into shards, pages or tally runs."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from compliance_local.stack import CONTROL_TABLE, LocalStack
from compliance_reports import runtime
from compliance_reports.adapters.artifacts import report_prefix
from compliance_reports.models.reports import (
    AuditRequest,
    DateRange,
    GdprRequest,
    ReportStatus,
    ReportType,
    Soc2Request,
)
from compliance_reports.services.generation import Generator
from compliance_reports.services.reports import Caller

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail

FIXED = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
SUBJECTS = ["s-alice", "s-bob", "Zoë Ångström", "渡辺 健", "s-1", "s-10", "s-2", "=s-formula"]


def _processing_events() -> list[dict[str, Any]]:
    """Agent events spread over four days, with data subjects recurring across days."""
    events = []
    for index in range(24):
        day = 1 + index % 4
        first, second = SUBJECTS[index % 8], SUBJECTS[(index * 3 + 1) % 8]
        events.append(
            {
                "eventId": f"p{index:02d}",
                "occurredAt": f"2026-03-0{day}T{index % 24:02d}:30:00.000Z",
                "category": "agent_activity",
                "action": "email.read",
                "outcome": "success",
                "actor": {"type": "agent", "id": "ag-1"},
                "agentId": "ag-1",
                "personalData": [
                    {
                        "subjectId": first,
                        "categories": [f"c{index % 3}"],
                        "purpose": "triage",
                        "recipient": f"desk-{index % 5}@example.org",
                        "source": "inbox" if index % 2 else "=crm",
                    },
                    {"subjectId": second, "categories": ["email content"], "purpose": "triage"},
                ],
            }
        )
    return events


def _generate(
    stack: LocalStack, org_id: str, report_id: str, attempt: int, generator: Generator
) -> dict[str, bytes]:
    plan = generator.plan(report_id, attempt)
    manifest = runtime.services().artifacts.get_json(plan["manifestKey"])
    for shard in manifest:
        generator.run_shard(report_id, attempt, shard)
    generator.merge(report_id, attempt)
    s3 = stack.client("s3")
    prefix = report_prefix(org_id, report_id, attempt)
    return {
        name: s3.get_object(
            Bucket=runtime.services().artifacts.bucket, Key=prefix + f"report.{name}"
        )["Body"].read()
        for name in ("json", "csv")
    }


def _next_attempt(stack: LocalStack, org_id: str, report_id: str, attempt: int) -> None:
    """Make the record pending for another attempt, as a retry would, without starting it."""
    stack.client("dynamodb").update_item(
        TableName=CONTROL_TABLE,
        Key={"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": f"REPORT#{report_id}"}},
        UpdateExpression="SET attempt = :attempt, #status = :pending",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":attempt": {"N": str(attempt)}, ":pending": {"S": "pending"}},
    )
    stored = runtime.services().control.get_report(org_id, report_id)
    assert stored is not None
    record = stored[0].model_copy(update={"attempt": attempt, "status": ReportStatus.PENDING})
    stack.client("dynamodb").update_item(
        TableName=CONTROL_TABLE,
        Key={"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": f"REPORT#{report_id}"}},
        UpdateExpression="SET #record = :record",
        ExpressionAttributeNames={"#record": "record"},
        ExpressionAttributeValues={":record": {"S": record.model_dump_json()}},
    )


def test_shard_and_page_splits_give_same_bytes(
    local_stack: LocalStack, org_id: str, client_for: ClientFactory
) -> None:
    client_for(org_id).post_events(fixed_trail() + _processing_events())
    services = runtime.services()
    period = DateRange.model_validate({"from": "2026-02-27", "to": "2026-03-05"})
    requests: dict[ReportType, Soc2Request | AuditRequest | GdprRequest] = {
        ReportType.SOC2: Soc2Request(dateRange=period),
        ReportType.AUDIT: AuditRequest(dateRange=period),
        ReportType.GDPR: GdprRequest(dateRange=period, agentId="ag-1"),
    }
    runtime.set_clock(lambda: FIXED)
    try:
        for report_type, request in requests.items():
            record = services.reports.create(Caller(org_id, "u-1", "admin"), report_type, request)
            # The workflow started by create runs attempt 1, and these runs use attempts 2 to 4.
            one_shard = _generator(days_per_shard=31)
            # Every second data subject spills the tally to disk.
            many_shards = _generator(days_per_shard=1, page_size=2, memory_keys=1)
            # Shards of three, three and one days, pages of three items, runs of three subjects.
            uneven = _generator(days_per_shard=3, page_size=3, memory_keys=3)

            _wait_settled(org_id, record.reportId)
            _next_attempt(local_stack, org_id, record.reportId, 2)
            whole = _generate(local_stack, org_id, record.reportId, 2, one_shard)
            _next_attempt(local_stack, org_id, record.reportId, 3)
            split = _generate(local_stack, org_id, record.reportId, 3, many_shards)

            _next_attempt(local_stack, org_id, record.reportId, 4)
            odd = _generate(local_stack, org_id, record.reportId, 4, uneven)

            assert whole["json"] == split["json"], report_type
            assert whole["csv"] == split["csv"], report_type
            assert whole["json"] == odd["json"], report_type
            assert whole["csv"] == odd["csv"], report_type
            if report_type is ReportType.GDPR:
                _check_subjects(json.loads(whole["json"]))
    finally:
        runtime.set_clock(None)


def _generator(**options: int) -> Generator:
    services = runtime.services()
    return Generator(services.control, services.audit, services.artifacts, runtime.now, **options)


def _check_subjects(document: dict[str, Any]) -> None:
    records: Counter[str] = Counter(row["subjectId"] for row in document["records"])
    assert [row["subjectId"] for row in document["dataSubjects"]] == sorted(records)
    assert {row["subjectId"]: row["records"] for row in document["dataSubjects"]} == records
    assert len(records) == len(SUBJECTS)
    article15 = document["article15"]
    recipients = {row["recipient"] for row in document["records"] if row["recipient"]}
    assert article15["recipients"] == sorted(recipients)
    assert {f"desk-{index}@example.org" for index in range(5)} <= recipients
    assert article15["sources"] == sorted(
        {row["source"] for row in document["records"] if row["source"]}
    )


def _wait_settled(org_id: str, report_id: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stored = runtime.services().control.get_report(org_id, report_id)
        if stored is not None and stored[0].status.value != "pending":
            return
        time.sleep(0.2)
    raise TimeoutError(report_id)
