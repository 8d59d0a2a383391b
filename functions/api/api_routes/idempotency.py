"""The `Idempotency-Key` header of the create routes (report creation and retry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from compliance_reports import runtime
from compliance_reports.services.reports import Caller

from api_routes.common import json_response, logger

KEY_HEADER = "idempotency-key"
# Set on a response that repeats the stored result of an earlier request with the same key.
REPLAYED_HEADER = "Idempotent-Replayed"


def accepted_once(
    router: APIGatewayHttpRouter,
    caller: Caller,
    route: str,
    body: dict[str, Any],
    action: Callable[[], dict[str, Any]],
) -> Response[Any]:
    """Return 202 with `action()`'s result. With an `Idempotency-Key` header, a request that
    repeats an earlier one (org, route and key) within 24 hours gets the first result instead."""
    key = router.current_event.headers.get(KEY_HEADER)
    if key is None:
        return json_response(202, action())

    result, replayed = runtime.services().idempotency.run(
        caller.org_id, route, key, body, action, router.lambda_context
    )
    if replayed:
        logger.info("idempotent request replayed", route=route)
        return json_response(202, result, headers={REPLAYED_HEADER: "true"})
    return json_response(202, result)
