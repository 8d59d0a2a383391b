"""Entry point of the api function: the HTTP API's routes under /compliance."""

from __future__ import annotations

from typing import Any

from api_routes import lifecycle, organisation, reports, shares
from api_routes.common import error_body, json_response
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from compliance_reports.domain.errors import ProblemError

logger = Logger()
tracer = Tracer()
app = APIGatewayHttpResolver(enable_validation=True)
app.include_router(reports.router)
app.include_router(organisation.router)
app.include_router(lifecycle.router)
app.include_router(shares.router)


@app.get("/compliance/health", summary="Liveness check; needs no token")
def health() -> dict[str, str]:
    return {"status": "ok"}


def _field_of(location: tuple[Any, ...]) -> str:
    """Turn a pydantic error location such as ('body', 'dateRange', 'from') into 'dateRange.from'."""
    parts = [str(part) for part in location if part not in ("body", "query", "path")]
    field = ""
    for part in parts:
        if part.isdigit():
            field += f"[{part}]"
        elif field:
            field += f".{part}"
        else:
            field = part
    return field or "body"


@app.exception_handler(RequestValidationError)
def handle_validation(error: RequestValidationError) -> Response[Any]:
    first = error.errors()[0]
    field = _field_of(tuple(first.get("loc", ())))
    message = str(first.get("msg", "invalid value"))
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if first.get("type") == "missing":
        message = f"'{field}' is missing; add it to the request"
    elif field not in message:
        message = f"'{field}' is invalid: {message}"
    logger.info("request rejected", status=422, field=field)
    return json_response(422, error_body("VALIDATION_ERROR", message, field))


@app.exception_handler(ProblemError)
def handle_problem(error: ProblemError) -> Response[Any]:
    logger.info("request rejected", status=error.status, code=error.code, field=error.field)
    if error.status == 401:
        # A 401 carries the status only, so nothing is revealed to an unauthenticated caller.
        return json_response(401, error_body(error.code, "authentication is required"))
    return json_response(error.status, error_body(error.code, error.message, error.field))


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
