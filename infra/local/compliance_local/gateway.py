"""An HTTP gateway on 127.0.0.1 that behaves like the HTTP API in front of the api function.

It verifies bearer tokens as the JWT authorizer does, builds API Gateway v2 (payload format 2.0)
events with the claims where the authorizer puts them, calls the real handler in-process, and
serves the dashboard's static files.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import threading
import time
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from compliance_reports import runtime

from compliance_local.functions import REPOSITORY, load_handler
from compliance_local.keys import SigningKey, TokenRejectedError, verify
from compliance_local.lambda_patch import LocalLambdaContext

WEB_DIR = REPOSITORY / "web"
# API Gateway HTTP APIs accept payloads up to 10 MB; the local gateway keeps the same bound.
MAX_BODY_BYTES = 10 * 1024 * 1024
# Routes the HTTP API serves without the JWT authorizer.
PUBLIC_PREFIXES = ("/compliance/health", "/compliance/shared/")
LOCAL_ROLES = ("admin", "auditor", "ingest")


def authorizer_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Return claims as API Gateway passes them: strings, with arrays as "[a b]"."""
    passed: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, list):
            passed[name] = "[" + " ".join(str(item) for item in value) + "]"
        else:
            passed[name] = str(value)
    return passed


def build_event(
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    claims: dict[str, Any] | None,
    source_ip: str,
) -> dict[str, Any]:
    parts = urlsplit(target)
    query: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    lowered = {name.lower(): value for name, value in headers.items()}
    # API Gateway adds this header; the local gateway serves plain HTTP.
    lowered.setdefault("x-forwarded-proto", "http")
    text_body: str | None = None
    encoded = False
    if body:
        try:
            text_body = body.decode()
        except UnicodeDecodeError:
            text_body, encoded = base64.b64encode(body).decode(), True
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": lowered.get("host", "127.0.0.1"),
        "http": {
            "method": method,
            "path": parts.path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": lowered.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
        "timeEpoch": int(time.time() * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": authorizer_claims(claims), "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": lowered,
        "queryStringParameters": query or None,
        "body": text_body,
        "isBase64Encoded": encoded,
        "requestContext": context,
    }


class Gateway:
    def __init__(self, key: SigningKey, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.key = key
        self.jwks = key.jwks()
        self.api = load_handler("compliance-api")
        # Powertools' event handler keeps the current event on a class attribute, so two requests
        # handled at once in one process would read each other's event and claims. Lambda runs
        # one request per execution environment at a time; this lock does the same for the one
        # environment of the local stack.
        self.invoke_lock = threading.Lock()
        gateway = self

        class RequestHandler(BaseHTTPRequestHandler):
            server_version = "compliance-local"

            def log_message(self, format: str, *args: Any) -> None:
                # Access logs name the route, not the full path with its query string.
                return

            def do_GET(self) -> None:
                gateway.handle(self, "GET")

            def do_POST(self) -> None:
                gateway.handle(self, "POST")

            def do_PUT(self) -> None:
                gateway.handle(self, "PUT")

            def do_DELETE(self) -> None:
                gateway.handle(self, "DELETE")

            def do_OPTIONS(self) -> None:
                gateway.handle(self, "OPTIONS")

        self.server = ThreadingHTTPServer((host, port), RequestHandler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Gateway:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        path = urlsplit(request.path).path
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(request, 413, {"message": "Request Entity Too Large"})
            return
        body = request.rfile.read(length) if length else b""

        if path == "/local/token" and method == "POST":
            self._local_token(request, body)
            return
        if path == "/local/jwks.json":
            self._send(request, 200, self.jwks)
            return
        if path == "/local/run-schedule" and method == "POST":
            self._run_schedule(request, body)
            return
        if path == "/local/sweep" and method == "POST":
            self._invoke_local(request, "compliance-sweeper", _scheduled_event(runtime.now()))
            return
        if not path.startswith("/compliance/"):
            self._static(request, path)
            return

        claims = None
        if not path.startswith(PUBLIC_PREFIXES):
            authorization = request.headers.get("Authorization") or ""
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token:
                self._send(request, 401, {"message": "Unauthorized"})
                return
            try:
                claims = verify(token.strip(), self.jwks)
            except TokenRejectedError:
                self._send(request, 401, {"message": "Unauthorized"})
                return

        event = build_event(
            method,
            request.path,
            dict(request.headers.items()),
            body,
            claims,
            request.client_address[0],
        )
        with self.invoke_lock:
            response = self.api(event, LocalLambdaContext("compliance-api"))
        payload = response.get("body") or ""
        data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        headers = dict(response.get("headers") or {})
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(values)
        self._send_raw(request, int(response.get("statusCode", 200)), data, headers)

    def _local_token(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        """Issue a token for the dashboard's local sign-in; this route exists only locally."""
        try:
            data = json.loads(body or b"{}")
            org, role = str(data["orgId"]), str(data["role"])
            user = str(data.get("user") or f"{role}@{org}.example")
        except (ValueError, KeyError, TypeError):
            self._send(
                request,
                400,
                {"error": {"code": "BAD_REQUEST", "message": 'send {"orgId", "role", "user"?}'}},
            )
            return
        if role not in LOCAL_ROLES:
            self._send(
                request,
                400,
                {
                    "error": {
                        "code": "BAD_REQUEST",
                        "message": f"role must be one of {', '.join(LOCAL_ROLES)}",
                    }
                },
            )
            return
        self._send(request, 200, {"token": self.key.mint(org, role, user)})

    def _run_schedule(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        """Run the hourly scheduler now, or as if its rule fired at `{"at": TIMESTAMP}`; this
        route exists only locally, because moto never fires EventBridge schedules."""
        try:
            data = json.loads(body or b"{}")
            at_text = data.get("at") if isinstance(data, dict) else None
            at = parse_timestamp(at_text) if at_text else runtime.now()
        except ValueError as error:
            self._send(request, 400, {"error": {"code": "BAD_REQUEST", "message": str(error)}})
            return
        self._invoke_local(request, "compliance-scheduler", _scheduled_event(at))

    def _invoke_local(
        self, request: BaseHTTPRequestHandler, function_name: str, event: dict[str, Any]
    ) -> None:
        try:
            with self.invoke_lock:
                result = load_handler(function_name)(event, LocalLambdaContext(function_name))
        except Exception as error:  # Lambda reports any exception of a handler to its caller.
            self._send(
                request,
                500,
                {
                    "error": {
                        "code": "FUNCTION_ERROR",
                        "message": f"{function_name} failed: {error}",
                    }
                },
            )
            return
        self._send(request, 200, result)

    def _static(self, request: BaseHTTPRequestHandler, path: str) -> None:
        relative = "index.html" if path in ("", "/") else path.lstrip("/")
        target = (WEB_DIR / relative).resolve()
        if not target.is_relative_to(WEB_DIR.resolve()) or not target.is_file():
            self._send(request, 404, {"message": "Not Found"})
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".js":
            content_type = "text/javascript"
        self._send_raw(
            request,
            200,
            target.read_bytes(),
            {"Content-Type": f"{content_type}; charset=utf-8", "Cache-Control": "no-cache"},
        )

    def _send(self, request: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        self._send_raw(
            request, status, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )

    def _send_raw(
        self, request: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str]
    ) -> None:
        request.send_response(
            status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        )
        for name, value in headers.items():
            if name.lower() != "content-length":
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)


def web_root() -> Path:
    return WEB_DIR


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp with an offset, such as 2026-03-01T06:00Z."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(
            f"'{text}' is not a timestamp; write it as RFC 3339, e.g. 2026-03-01T06:00Z"
        ) from error
    if value.tzinfo is None:
        raise ValueError(f"'{text}' has no UTC offset; add Z or an offset such as +02:00")
    return value


def _scheduled_event(at: datetime) -> dict[str, Any]:
    """Return the event an EventBridge schedule rule sends when it fires at `at`."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }
