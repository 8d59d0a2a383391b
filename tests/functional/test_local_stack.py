"""The local stack's own parts: the in-process Lambda patch and the OpenAPI file."""

from __future__ import annotations

import json
from pathlib import Path

from compliance_local import lambda_patch
from compliance_local.openapi import openapi_document
from compliance_local.schemas import SCHEMA_DIR, schema_text
from compliance_local.stack import LocalStack
from compliance_reports.models.documents import DOCUMENT_MODELS

REPOSITORY = Path(__file__).resolve().parents[2]


def test_lambda_patch_runs_real_handler(local_stack: LocalStack) -> None:
    event = {
        "version": "2.0",
        "rawPath": "/compliance/health",
        "rawQueryString": "",
        "headers": {},
        "requestContext": {
            "http": {"method": "GET", "path": "/compliance/health", "sourceIp": "127.0.0.1"},
            "requestId": "r-1",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }

    response = local_stack.client("lambda").invoke(
        FunctionName="compliance-api", Payload=json.dumps(event)
    )
    payload = json.loads(response["Payload"].read())

    assert lambda_patch.installed()
    assert payload["statusCode"] == 200
    assert json.loads(payload["body"]) == {"status": "ok"}


def test_lambda_patch_reports_handler_errors(local_stack: LocalStack) -> None:
    response = local_stack.client("lambda").invoke(
        FunctionName="compliance-plan", Payload=json.dumps({"attempt": 1})
    )
    payload = json.loads(response["Payload"].read())

    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValidationError"


def test_openapi_matches_routes() -> None:
    committed = (REPOSITORY / "openapi.json").read_text(encoding="utf-8")

    assert openapi_document() == committed, (
        "routes changed: run `make openapi` and commit openapi.json"
    )


def test_schemas_match_models() -> None:
    for report_type in DOCUMENT_MODELS:
        committed = (SCHEMA_DIR / f"{report_type}.schema.json").read_text(encoding="utf-8")

        assert schema_text(report_type) == committed, "run `make schemas` and commit docs/schemas"
