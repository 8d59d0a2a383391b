"""Creating a report records `report.created` first. Without that record the report never starts."""

from __future__ import annotations

from datetime import timedelta

from compliance_local.stack import LocalStack
from compliance_reports import runtime
from compliance_reports.adapters.audit_store import AuditStore
from compliance_reports.adapters.workflow import WorkflowStarter
from compliance_reports.models.reports import AuditRequest, DateRange, ReportType
from compliance_reports.services.reports import Caller, CursorCodec, ReportService
from compliance_reports.services.trail import AuditTrail

from tests.conftest import ClientFactory

PERIOD = {"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}}


def test_created_report_in_trail(org_id: str, client_for: ClientFactory) -> None:
    admin = client_for(org_id)
    before = runtime.now()
    record = admin.json("POST", "/compliance/reports/audit", expected=202, json=PERIOD)

    events = runtime.services().audit.query_range(
        org_id,
        before - timedelta(seconds=1),
        runtime.now() + timedelta(seconds=1),
        None,
        runtime.now(),
    )
    created = [event for event in events if event.action == "report.created"]

    assert len(created) == 1
    [event] = created
    assert event.category.value == "admin"
    assert event.target is not None
    assert (event.target.type, event.target.id) == ("report", record["reportId"])
    assert event.actor.type == "user"
    assert event.details == {"type": "audit", "from": "2026-03-01", "to": "2026-03-03"}
    admin.wait_for(record["reportId"])


def test_unrecorded_report_not_started(local_stack: LocalStack, org_id: str) -> None:
    services = runtime.services()
    dynamodb = local_stack.client("dynamodb")
    stepfunctions = local_stack.client("stepfunctions")
    # A trail whose table does not exist fails the way an unavailable table does.
    broken_trail = AuditTrail(AuditStore(dynamodb, "no-such-audit-table"), runtime.now)
    reports = ReportService(
        services.control,
        services.artifacts,
        WorkflowStarter(stepfunctions, local_stack.state_machine_arn),
        CursorCodec(b"k" * 32),
        runtime.now,
        record_created=broken_trail.report_created,
    )
    period = DateRange.model_validate(PERIOD["dateRange"])

    record = reports.create(
        Caller(org_id, "u-1", "admin"), ReportType.AUDIT, AuditRequest(dateRange=period)
    )

    assert record.status.value == "failed"
    assert record.error is not None
    assert record.error.code == "AUDIT_TRAIL_UNAVAILABLE"
    assert "audit trail" in record.error.message
    stored = services.control.get_report(org_id, record.reportId)
    assert stored is not None
    assert stored[0].status.value == "failed"
    executions = stepfunctions.list_executions(stateMachineArn=local_stack.state_machine_arn)
    names = [execution["name"] for execution in executions["executions"]]
    assert not any(name.startswith(record.reportId) for name in names)
