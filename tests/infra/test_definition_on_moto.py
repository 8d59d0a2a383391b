"""The state machine definition from the synthesized template runs on moto with the real handlers."""

from __future__ import annotations

import json
import time
from typing import Any

from compliance_local.stack import ACCOUNT, REGION, LocalStack
from compliance_reports import runtime
from compliance_reports.adapters.workflow import WorkflowStarter
from compliance_reports.models.reports import AuditRequest, DateRange, ReportStatus, ReportType
from compliance_reports.services.reports import Caller, CursorCodec, ReportService

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail
from tests.helpers import report_bucket_removed
from tests.infra.helpers import state_machine_definition

FUNCTION_PARAMETERS = {
    "PlanFunctionArn": "compliance-plan",
    "ShardFunctionArn": "compliance-shard",
    "MergeFunctionArn": "compliance-merge",
    "MarkCompletedFunctionArn": "compliance-mark-completed",
    "MarkFailedFunctionArn": "compliance-mark-failed",
}


def _deploy(stack: LocalStack, template: dict[str, Any]) -> str:
    arns = {
        name: f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"
        for name, function in FUNCTION_PARAMETERS.items()
    }
    definition = state_machine_definition(template, arns)
    # Retries wait their real interval on moto too; one second keeps the failing run short.
    text = json.dumps(definition).replace('"IntervalSeconds": 2', '"IntervalSeconds": 1')
    return stack.deploy_state_machine(f"synthesized-{time.monotonic_ns()}", text)


def _service(stack: LocalStack, state_machine_arn: str) -> ReportService:
    services = runtime.services()
    return ReportService(
        services.control,
        services.artifacts,
        WorkflowStarter(stack.client("stepfunctions"), state_machine_arn),
        CursorCodec(b"test"),
        runtime.now,
    )


def _wait(org_id: str, report_id: str) -> ReportStatus:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        record, _ = runtime.services().control.get_report(org_id, report_id) or (None, None)
        assert record is not None
        if record.status is not ReportStatus.PENDING:
            return record.status
        time.sleep(0.3)
    raise TimeoutError(report_id)


def _request() -> AuditRequest:
    return AuditRequest(
        dateRange=DateRange.model_validate({"from": "2026-03-01", "to": "2026-03-03"})
    )


def test_synthesized_definition_completes(
    local_stack: LocalStack, template_dict: dict[str, Any], org_id: str, client_for: ClientFactory
) -> None:
    client_for(org_id).post_events(fixed_trail())
    service = _service(local_stack, _deploy(local_stack, template_dict))

    record = service.create(Caller(org_id, "u-1", "admin"), ReportType.AUDIT, _request())

    assert _wait(org_id, record.reportId) is ReportStatus.COMPLETED


def test_synthesized_definition_marks_failed(
    local_stack: LocalStack, template_dict: dict[str, Any], org_id: str, client_for: ClientFactory
) -> None:
    client_for(org_id).post_events(fixed_trail())
    service = _service(local_stack, _deploy(local_stack, template_dict))

    with report_bucket_removed(local_stack):
        record = service.create(Caller(org_id, "u-1", "admin"), ReportType.AUDIT, _request())
        status = _wait(org_id, record.reportId)

    assert status is ReportStatus.FAILED
    stored = runtime.services().control.get_report(org_id, record.reportId)
    assert stored is not None
    assert stored[0].error is not None
    assert stored[0].error.code == "STORAGE_UNAVAILABLE"
