"""Deliver the service's bus events to the local functions that AWS rules would invoke.

moto 5.2.5 accepts PutEvents but never invokes a rule's Lambda target, so the local stack routes
each event published in this process to the function of the matching rule, in-process and before
PutEvents returns. The routes mirror the rules of the CDK app (`infra/stack/deletion.py`).
"""

from __future__ import annotations

import logging
from typing import Any

from compliance_reports.adapters.event_bus import (
    EVENT_SOURCE,
    REPORT_DELETED,
    add_local_listener,
)

from compliance_local.functions import load_handler
from compliance_local.lambda_patch import LocalLambdaContext

# (source, detail-type) -> local function name
LOCAL_RULES: dict[tuple[str, str], str] = {
    (EVENT_SOURCE, REPORT_DELETED): "compliance-deleter",
}

log = logging.getLogger(__name__)


def deliver(event: dict[str, Any]) -> None:
    """Invoke the function whose rule matches `event`, as EventBridge would."""
    function_name = LOCAL_RULES.get((event["source"], event["detail-type"]))
    if function_name is None:
        return
    # EventBridge invokes its targets asynchronously, so a target's error never reaches the
    # publisher. It is logged here, as in AWS it would land in the function's logs and DLQ.
    try:
        load_handler(function_name)(event, LocalLambdaContext(function_name))
    except Exception:
        log.exception("local %s failed on a %s event", function_name, event["detail-type"])


def install() -> None:
    """Start delivering bus events to local functions (idempotent)."""
    add_local_listener(deliver)
