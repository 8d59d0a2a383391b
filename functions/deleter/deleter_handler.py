"""Entry point of the deleter: remove every version of a deleted report's files.

The api puts "Report Deleted" with `{orgId, reportId}` on the service's bus; a rule on that bus
invokes this function, the only one allowed to delete objects.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from compliance_reports import runtime
from compliance_reports.adapters.artifacts import report_folder
from pydantic import BaseModel, ConfigDict, Field

logger = Logger()
tracer = Tracer()
metrics = Metrics()


class DeletedReport(BaseModel):
    """The `detail` of a "Report Deleted" event; neither id may contain a `/`."""

    model_config = ConfigDict(extra="ignore")

    orgId: str = Field(min_length=1, max_length=256, pattern=r"^[^/\x00-\x1f\x7f]+$")
    reportId: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def lambda_handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    deleted = DeletedReport.model_validate(event.detail)
    logger.append_keys(org_id=deleted.orgId, report_id=deleted.reportId)

    removed = runtime.services().artifacts.delete_all_versions(
        report_folder(deleted.orgId, deleted.reportId)
    )
    metrics.add_metric(name="ObjectVersionsDeleted", unit=MetricUnit.Count, value=removed)
    logger.info("report files deleted", versions=removed)
    return {"deleted": removed}
