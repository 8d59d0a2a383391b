"""Entry points of the generator: one Lambda function per state of the report workflow."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from compliance_reports import runtime
from compliance_reports.domain.errors import GenerationError
from compliance_reports.models.reports import ReportRecord
from compliance_reports.services.generation import GENERIC_FAILURE
from pydantic import BaseModel, ConfigDict, Field

logger = Logger()
tracer = Tracer()
metrics = Metrics()


class StepInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reportId: str = Field(min_length=1, max_length=64)
    attempt: int = Field(ge=1)


class ShardInput(StepInput):
    shard: dict[str, Any]


class CompletedInput(StepInput):
    artifacts: dict[str, Any]
    rowCount: int
    eventsRead: int


class FailedInput(StepInput):
    error: str = "States.ALL"
    cause: str = ""


def _safe(step: str, error: Exception) -> GenerationError:
    """Return an error whose message is safe for the execution history and the record."""
    if isinstance(error, GenerationError):
        return error
    logger.exception("generation step failed", step=step)
    return GenerationError(GENERIC_FAILURE)


def _announce(record: ReportRecord) -> None:
    """Put "Report State Changed" on the bus; the record is already final, so a failure to
    publish is logged and the step still succeeds."""
    error = runtime.services().lifecycle.try_announce(record)
    if error is not None:
        logger.warning("report state event not published", status=record.status.value, error=error)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def plan_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = StepInput.model_validate(event)
    logger.append_keys(report_id=step.reportId, attempt=step.attempt)
    try:
        plan = runtime.services().generator.plan(step.reportId, step.attempt)
    except Exception as error:
        raise _safe("plan", error) from error
    logger.info("shards planned", shards=plan["shardsTotal"])
    return plan


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def shard_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = ShardInput.model_validate(event)
    logger.append_keys(report_id=step.reportId, attempt=step.attempt, shard=step.shard.get("index"))
    try:
        result = runtime.services().generator.run_shard(step.reportId, step.attempt, step.shard)
    except Exception as error:
        raise _safe("shard", error) from error
    metrics.add_metric(name="EventsRead", unit=MetricUnit.Count, value=result["eventsRead"])
    logger.info("shard finished", events_read=result["eventsRead"])
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def merge_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = StepInput.model_validate(event)
    logger.append_keys(report_id=step.reportId, attempt=step.attempt)
    try:
        result = runtime.services().generator.merge(step.reportId, step.attempt)
    except Exception as error:
        raise _safe("merge", error) from error
    logger.info("report files written", rows=result["rowCount"], events_read=result["eventsRead"])
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def mark_completed_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = CompletedInput.model_validate(event)
    logger.append_keys(report_id=step.reportId, attempt=step.attempt)
    try:
        record = runtime.services().generator.mark_completed(
            step.reportId, step.attempt, step.artifacts, step.rowCount, step.eventsRead
        )
    except Exception as error:
        raise _safe("mark_completed", error) from error
    metrics.add_metric(name="ReportsCompleted", unit=MetricUnit.Count, value=1)
    logger.info("report completed")
    _announce(record)
    return {"status": "completed"}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def mark_failed_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = FailedInput.model_validate(event)
    logger.append_keys(report_id=step.reportId, attempt=step.attempt)
    record = runtime.services().generator.mark_failed(
        step.reportId, step.attempt, step.error, step.cause
    )
    if record is None:
        logger.info("report was no longer pending; failure not recorded", error=step.error)
        return {"status": "unchanged"}
    metrics.add_metric(name="ReportsFailed", unit=MetricUnit.Count, value=1)
    logger.warning(
        "report failed", error=step.error, code=record.error.code if record.error else None
    )
    _announce(record)
    return {"status": "failed"}
