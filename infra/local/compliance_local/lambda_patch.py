"""Run Lambda invocations in-process in moto's no-Docker Lambda backend.

moto 5.2.5 runs Lambda code only in Docker; without Docker its `LambdaSimpleBackend.invoke`
returns a canned payload. This patch replaces that method so an invocation (for example a Step
Functions task) calls the real Python handler with the payload and returns its result, or an
error payload with `X-Amz-Function-Error`, as Lambda does when a handler raises.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from compliance_local.functions import LOCAL_FUNCTIONS, load_handler

_ORIGINAL_INVOKE = LambdaSimpleBackend.invoke
_lock = threading.Lock()
invocations: list[str] = []


@dataclass
class LocalLambdaContext:
    """The attributes of the Lambda context object that Powertools and the handlers read."""

    function_name: str
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timeout_seconds: int = 900
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started
        return max(int((self.timeout_seconds - elapsed) * 1000), 0)


def _function_name(name_or_arn: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn.split(":")[6]
    return name_or_arn


def invoke_in_process(
    self: LambdaSimpleBackend,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: Any,
) -> bytes:
    name = _function_name(function_name)
    if name not in LOCAL_FUNCTIONS:
        original = _ORIGINAL_INVOKE(self, function_name, qualifier, body, headers, response_headers)
        return original.encode() if isinstance(original, str) else bytes(original or b"")
    with _lock:
        invocations.append(name)
    payload = json.loads(body) if body else {}
    try:
        result = load_handler(name)(payload, LocalLambdaContext(name))
    except Exception as error:  # Lambda reports any exception of a handler to its caller.
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()
    return json.dumps(result).encode()


def install() -> None:
    """Replace moto's no-Docker invoke with the in-process one (idempotent)."""
    LambdaSimpleBackend.invoke = invoke_in_process  # type: ignore[method-assign]


def installed() -> bool:
    return LambdaSimpleBackend.invoke is invoke_in_process
