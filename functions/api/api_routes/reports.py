"""Report routes: create, list, read and download."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from compliance_reports import runtime
from compliance_reports.auth import require_own_org, require_role
from compliance_reports.models.reports import (
    ArtifactFormat,
    AuditRequest,
    GdprRequest,
    ReportList,
    ReportRecord,
    ReportStatus,
    ReportType,
    Soc2Request,
)
from compliance_reports.services.trail import user_actor

from api_routes.common import current_caller, json_response, logger
from api_routes.idempotency import accepted_once

router = APIGatewayHttpRouter()
REPORT_ID = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$")]


def _create(
    report_type: ReportType, request: Soc2Request | AuditRequest | GdprRequest
) -> Response[Any]:
    caller = current_caller(router)
    require_role(caller, "admin")
    require_own_org(caller, request.orgId)

    def create() -> dict[str, Any]:
        services = runtime.services()
        record = services.reports.create(caller, report_type, request)
        logger.append_keys(report_id=record.reportId)
        logger.info(
            "report created",
            report_type=report_type.value,
            status=record.status.value,
            error=record.error.code if record.error else None,
        )
        if record.status is ReportStatus.FAILED:
            error = services.lifecycle.try_announce(record)
            if error is not None:
                logger.warning("report state event not published", error=error)
        return record.model_dump(mode="json")

    route = f"POST /compliance/reports/{report_type.value}"
    return accepted_once(router, caller, route, request.model_dump(mode="json"), create)


@router.post("/compliance/reports/soc2", summary="Generate a SOC2 summary", responses={202: {}})
def create_soc2(request: Annotated[Soc2Request, Body(embed=False)]) -> Response[Any]:
    return _create(ReportType.SOC2, request)


@router.post(
    "/compliance/reports/gdpr", summary="Generate a GDPR Art. 15 export", responses={202: {}}
)
def create_gdpr(request: Annotated[GdprRequest, Body(embed=False)]) -> Response[Any]:
    return _create(ReportType.GDPR, request)


@router.post("/compliance/reports/audit", summary="Generate an audit summary", responses={202: {}})
def create_audit(request: Annotated[AuditRequest, Body(embed=False)]) -> Response[Any]:
    return _create(ReportType.AUDIT, request)


@router.get("/compliance/reports", summary="List the org's reports, newest first")
def list_reports(
    orgId: Annotated[str | None, Query(max_length=256)] = None,
    type: Annotated[ReportType | None, Query()] = None,
    status: Annotated[ReportStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ReportList:
    caller = current_caller(router)
    require_role(caller, "admin", "auditor")
    require_own_org(caller, orgId)

    records, next_cursor = runtime.services().reports.list(
        caller, limit, cursor, type.value if type else None, status.value if status else None
    )
    return ReportList(items=records, nextCursor=next_cursor)


@router.get("/compliance/reports/<reportId>", summary="Read one report record")
def get_report(reportId: REPORT_ID) -> ReportRecord:
    caller = current_caller(router)
    require_role(caller, "admin", "auditor")

    return runtime.services().reports.get(caller, reportId)


@router.get(
    "/compliance/reports/<reportId>/download",
    summary="Download a completed report through a presigned URL",
    responses={
        302: {"description": "Redirect to a presigned S3 URL minted for this request"},
        200: {"description": "With Accept: application/json, the URL as JSON"},
    },
)
def download_report(
    reportId: REPORT_ID,
    format: Annotated[ArtifactFormat, Query()] = ArtifactFormat.JSON,
) -> Response[Any]:
    caller = current_caller(router)
    require_role(caller, "admin", "auditor")

    services = runtime.services()
    download = services.reports.download(caller, reportId, format)
    services.trail.record(
        caller.org_id, "report.downloaded", user_actor(caller), reportId, {"format": format.value}
    )
    logger.append_keys(report_id=reportId)
    logger.info("report download link minted", format=format.value)
    accept = router.current_event.headers.get("accept") or ""
    if "application/json" in accept:
        return json_response(
            200,
            {
                "url": download.url,
                "expiresAt": download.expires_at.isoformat(timespec="seconds"),
                "filename": download.filename,
            },
            headers={"Cache-Control": "no-store"},
        )
    return Response(
        status_code=302, body="", headers={"Location": download.url, "Cache-Control": "no-store"}
    )
