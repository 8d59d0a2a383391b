"""Entry point of the ingest function: audit events the engine puts on EventBridge."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from compliance_reports import runtime

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def lambda_handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    """Store the audit event in `detail`; the org comes from `detail.orgId`.

    The EventBridge rule only forwards events of the engine's own source, so the org named in the
    event is trusted here as the engine's.
    """
    detail = event.detail
    org_id = str(detail.get("orgId", ""))
    logger.append_keys(org_id=org_id)
    if not org_id:
        logger.warning("event without orgId skipped", source=event.source)
        return {"accepted": 0, "invalid": 1}

    result = runtime.services().ingestion.ingest(org_id, [detail]).as_response()
    metrics.add_metric(name="EventsAccepted", unit=MetricUnit.Count, value=result["accepted"])
    if result["results"]:
        logger.warning(
            "event not stored",
            status=result["results"][0]["status"],
            reason=result["results"][0]["reason"],
        )
    return {key: value for key, value in result.items() if key != "results"}
