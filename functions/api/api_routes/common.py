"""Helpers every route module uses: the caller, error bodies and the JSON response."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from compliance_reports import runtime
from compliance_reports.auth import caller_from_claims
from compliance_reports.services.reports import Caller

logger = Logger(child=True)


def current_caller(router: APIGatewayHttpRouter) -> Caller:
    """Return the caller from the JWT claims the authorizer verified."""
    settings = runtime.services().settings
    authorizer = router.current_event.request_context.authorizer
    claims = authorizer.jwt_claim if authorizer else None
    caller = caller_from_claims(
        claims, settings.claim_org, settings.claim_role, settings.claim_email
    )
    logger.append_keys(org_id=caller.org_id)
    return caller


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )
