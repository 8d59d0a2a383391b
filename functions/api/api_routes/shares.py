"""Auditor links: create, list and revoke them, and the public route a link points at."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from compliance_reports import runtime
from compliance_reports.auth import require_role
from compliance_reports.models.shares import CreatedShare, Share, ShareList, ShareRequest

from api_routes.common import current_caller, json_response, logger

router = APIGatewayHttpRouter()
REPORT_ID = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$")]
SHARE_ID = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$")]
TOKEN = Annotated[str, Path(min_length=20, max_length=128, pattern=r"^[0-9A-Za-z_-]+$")]


def _base_url() -> str:
    event = router.current_event
    protocol = event.headers.get("x-forwarded-proto") or "https"
    return f"{protocol}://{event.request_context.domain_name}"


@router.get("/compliance/reports/<reportId>/shares", summary="List a report's auditor links")
def list_shares(reportId: REPORT_ID) -> ShareList:
    caller = current_caller(router)
    require_role(caller, "admin")

    return ShareList(items=runtime.services().shares.list(caller, reportId))


@router.post(
    "/compliance/reports/<reportId>/shares",
    summary="Create an auditor link to one file of a completed report",
    responses={201: {}},
)
def create_share(
    reportId: REPORT_ID,
    request: Annotated[ShareRequest, Body(embed=False)],
) -> Response[Any]:
    caller = current_caller(router)
    require_role(caller, "admin")

    created: CreatedShare = runtime.services().shares.create(caller, reportId, request, _base_url())
    logger.append_keys(report_id=reportId)
    logger.info(
        "share link created",
        share_id=created.share.shareId,
        expires_at=str(created.share.expiresAt),
    )
    return json_response(
        201, created.model_dump(mode="json"), headers={"Cache-Control": "no-store"}
    )


@router.delete("/compliance/reports/<reportId>/shares/<shareId>", summary="Revoke an auditor link")
def revoke_share(reportId: REPORT_ID, shareId: SHARE_ID) -> Share:
    caller = current_caller(router)
    require_role(caller, "admin")

    share = runtime.services().shares.revoke(caller, reportId, shareId)
    logger.append_keys(report_id=reportId)
    logger.info("share link revoked", share_id=shareId)
    return share


@router.get(
    "/compliance/shared/<token>",
    summary="Download through an auditor link; needs no account",
    responses={
        302: {"description": "Redirect to a presigned S3 URL minted for this request"},
        404: {"description": "Unknown link"},
        410: {"description": "Expired or revoked link"},
    },
)
def open_share(token: TOKEN) -> Response[Any]:
    download = runtime.services().shares.open(token)
    logger.info("share link used")
    return Response(
        status_code=302, body="", headers={"Location": download.url, "Cache-Control": "no-store"}
    )
