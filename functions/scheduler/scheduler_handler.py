"""Entry points of the scheduler functions: the hourly scheduled reports, the sweeper of stale
pending reports and the handler of execution status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from compliance_reports import runtime
from compliance_reports.models.reports import ReportRecord, ReportStatus
from pydantic import BaseModel, ConfigDict, Field

logger = Logger()
tracer = Tracer()
metrics = Metrics()

# Execution names are `<reportId>-<attempt>`; report ids are alphanumeric.
EXECUTION_NAME_PATTERN = r"^[0-9A-Za-z]+-[1-9][0-9]*$"


class ExecutionStatusChange(BaseModel):
    """The `detail` of a "Step Functions Execution Status Change" event."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(pattern=EXECUTION_NAME_PATTERN)
    status: str
    error: str | None = None
    cause: str | None = None


def _announce(record: ReportRecord) -> None:
    """Put "Report State Changed" on the bus; a failure is logged, not raised, because the
    record itself is already correct."""
    error = runtime.services().lifecycle.try_announce(record)
    if error is not None:
        logger.warning(
            "report state event not published",
            report_id=record.reportId,
            org_id=record.orgId,
            status=record.status.value,
            error=error,
        )


def _scheduled_time(event: EventBridgeEvent) -> datetime:
    """Return the time the rule fired (the event's `time`), else the process clock's now."""
    text = event.get("time")
    if not text:
        return runtime.now()
    at = datetime.fromisoformat(str(text))
    if at.tzinfo is None:
        raise ValueError(f"the event time '{text}' has no UTC offset; send it as RFC 3339")
    return at


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def lambda_handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    """Create the scheduled reports that are due at the time the hourly rule fired."""
    at = _scheduled_time(event)
    run = runtime.services().scheduling.run(at)

    created = []
    for record in run.created:
        logger.append_keys(report_id=record.reportId, org_id=record.orgId)
        schedule = record.schedule
        logger.info(
            "scheduled report created",
            report_type=record.type.value,
            month=schedule.month if schedule else None,
            late=schedule.late if schedule else False,
            status=record.status.value,
        )
        if record.status is not ReportStatus.PENDING:
            _announce(record)
        created.append(
            {
                "orgId": record.orgId,
                "reportId": record.reportId,
                "type": record.type.value,
                "month": schedule.month if schedule else None,
                "late": schedule.late if schedule else False,
                "status": record.status.value,
            }
        )
    logger.remove_keys(["report_id", "org_id"])
    for failure in run.failures:
        logger.warning(
            "scheduled report not created",
            org_id=failure.org_id,
            report_type=failure.report_type,
            month=failure.month,
            code=failure.code,
            reason=failure.message,
        )

    metrics.add_metric(name="ScheduledReportsCreated", unit=MetricUnit.Count, value=len(created))
    metrics.add_metric(
        name="ScheduledReportsNotCreated", unit=MetricUnit.Count, value=len(run.failures)
    )
    logger.info(
        "schedule run finished",
        at=at.isoformat(),
        orgs=run.orgs,
        created=len(created),
        existing=run.existing,
        not_created=len(run.failures),
    )
    return {
        "at": at.isoformat(),
        "orgs": run.orgs,
        "created": created,
        "existing": run.existing,
        "failures": [
            {
                "orgId": failure.org_id,
                "type": failure.report_type,
                "month": failure.month,
                "code": failure.code,
                "message": failure.message,
            }
            for failure in run.failures
        ],
    }


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def sweep_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Mark failed the reports pending past the timeout whose execution has ended."""
    result = runtime.services().lifecycle.sweep()
    for record in result.failed:
        logger.append_keys(report_id=record.reportId, org_id=record.orgId)
        logger.warning(
            "stale pending report marked failed",
            attempt=record.attempt,
            code=record.error.code if record.error else None,
        )
        _announce(record)
    logger.remove_keys(["report_id", "org_id"])
    # The stale-reports alarm fires on this metric.
    metrics.add_metric(name="StalePendingReports", unit=MetricUnit.Count, value=len(result.failed))
    logger.info(
        "sweep finished",
        checked=result.checked,
        failed=len(result.failed),
        still_running=result.still_running,
    )
    return {
        "checked": result.checked,
        "failed": [
            {"orgId": record.orgId, "reportId": record.reportId, "attempt": record.attempt}
            for record in result.failed
        ],
        "stillRunning": result.still_running,
    }


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def status_change_handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    """Mark a report failed when its execution failed, timed out or was aborted."""
    change = ExecutionStatusChange.model_validate(event.detail)
    report_id, _, attempt_text = change.name.rpartition("-")
    attempt = int(attempt_text)
    logger.append_keys(report_id=report_id, attempt=attempt)

    record = runtime.services().lifecycle.execution_ended(
        report_id, attempt, change.status, change.error or "", change.cause or ""
    )
    if record is None:
        logger.info("report was no longer pending; nothing changed", execution_status=change.status)
        return {"status": "unchanged"}

    logger.append_keys(org_id=record.orgId)
    logger.warning(
        "report marked failed after its execution ended",
        execution_status=change.status,
        code=record.error.code if record.error else None,
    )
    metrics.add_metric(name="ReportsFailed", unit=MetricUnit.Count, value=1)
    _announce(record)
    return {"status": "failed"}
