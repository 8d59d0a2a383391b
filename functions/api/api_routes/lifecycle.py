"""Routes of a report's life after creation, and the org's monthly schedules: retry, delete,
and GET/PUT /compliance/schedules."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from compliance_reports import runtime
from compliance_reports.auth import require_role
from compliance_reports.models.reports import ReportStatus
from compliance_reports.models.schedules import Schedules

from api_routes.common import current_caller, json_response, logger
from api_routes.idempotency import accepted_once

router = APIGatewayHttpRouter()
REPORT_ID = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$")]
RETRY_ROUTE = "POST /compliance/reports/{reportId}/retry"


@router.post(
    "/compliance/reports/<reportId>/retry",
    summary="Run a failed report again as its next attempt",
    responses={202: {"description": "The record of the new, pending attempt"}},
)
def retry_report(
    reportId: REPORT_ID,
    # Declared for the OpenAPI document; accepted_once reads the header from the event, as it
    # does for the create routes.
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Repeats within 24 hours return the first result instead of retrying again"
        ),
    ] = None,
) -> Response[Any]:
    caller = current_caller(router)
    require_role(caller, "admin")
    logger.append_keys(report_id=reportId)

    def retry() -> dict[str, Any]:
        services = runtime.services()
        record = services.lifecycle.retry(caller, reportId)
        logger.info("report retried", attempt=record.attempt, status=record.status.value)
        if record.status is ReportStatus.FAILED:
            error = services.lifecycle.try_announce(record)
            if error is not None:
                logger.warning("report state event not published", error=error)
        return record.model_dump(mode="json")

    return accepted_once(router, caller, RETRY_ROUTE, {"reportId": reportId}, retry)


@router.delete(
    "/compliance/reports/<reportId>",
    summary="Delete a completed or failed report; its record stays as a tombstone",
    responses={202: {"description": "The tombstone; the files are removed asynchronously"}},
)
def delete_report(reportId: REPORT_ID) -> Response[Any]:
    caller = current_caller(router)
    require_role(caller, "admin")
    logger.append_keys(report_id=reportId)

    http = router.current_event.request_context.http
    source = {"ip": http.source_ip, "userAgent": http.user_agent}
    result = runtime.services().lifecycle.delete(caller, reportId, source)
    logger.info("report deleted", newly_deleted=result.newly_deleted)
    return json_response(202, result.record.model_dump(mode="json"))


@router.get("/compliance/schedules", summary="Read the org's monthly report schedules")
def get_schedules() -> Schedules:
    caller = current_caller(router)
    require_role(caller, "admin")

    return runtime.services().scheduling.get(caller.org_id)


@router.put(
    "/compliance/schedules",
    summary="Replace the org's monthly report schedules (previous month, org's time zone)",
)
def put_schedules(schedules: Annotated[Schedules, Body(embed=False)]) -> Schedules:
    caller = current_caller(router)
    require_role(caller, "admin")

    stored = runtime.services().scheduling.put(caller.org_id, schedules)
    logger.info("schedules updated", soc2=stored.soc2.enabled, audit=stored.audit.enabled)
    return stored
