"""Bad requests get the documented status and an error body that names the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from compliance_local.client import ApiClient
from compliance_local.gateway import Gateway

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail

TOMORROW = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()

CASES = [
    (
        "soc2",
        {"dateRange": {"from": "2026-03-05", "to": "2026-03-01"}},
        "dateRange.from",
        "is after",
    ),
    ("soc2", {"dateRange": {"from": "2026-02-30", "to": "2026-03-01"}}, "dateRange.from", "date"),
    ("audit", {"dateRange": {"from": "2025-01-01", "to": "2026-01-02"}}, "dateRange", "367 days"),
    ("audit", {"dateRange": {"from": "2026-03-01", "to": TOMORROW}}, "dateRange.to", "after today"),
    ("gdpr", {}, "agentId", "missing"),
    ("gdpr", {"agentId": "ag-unknown"}, "agentId", "ag-unknown"),
    ("soc2", {"agentIds": ["ag-1", "ag-nope"]}, "agentIds[1]", "ag-nope"),
    ("soc2", {"timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
    ("soc2", {"agentIds": [f"ag-{n}" for n in range(101)]}, "agentIds", "100"),
]


@pytest.fixture
def admin(org_id: str, client_for: ClientFactory) -> ApiClient:
    client = client_for(org_id)
    client.post_events(fixed_trail())
    return client


@pytest.mark.parametrize(("report_type", "body", "field", "fragment"), CASES)
def test_rejected_with_field(
    admin: ApiClient, report_type: str, body: dict[str, Any], field: str, fragment: str
) -> None:
    response = admin.request("POST", f"/compliance/reports/{report_type}", json=body)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field
    assert fragment in error["message"]


def test_unknown_report_is_404(admin: ApiClient) -> None:
    response = admin.request("GET", "/compliance/reports/01ARZ3NDEKTSV4RRFFQ69G5FAV")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_download_before_completion_is_409(admin: ApiClient, local_stack: Any) -> None:
    record = admin.json(
        "POST",
        "/compliance/reports/audit",
        expected=202,
        json={"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}},
    )
    response = admin.request("GET", f"/compliance/reports/{record['reportId']}/download?format=csv")

    # The report may finish quickly; only a pending one must return 409.
    if admin.json("GET", f"/compliance/reports/{record['reportId']}")["status"] == "pending":
        assert response.status_code == 409
    admin.wait_for(record["reportId"])


def test_bad_format_is_422(admin: ApiClient) -> None:
    record = admin.json(
        "POST",
        "/compliance/reports/audit",
        expected=202,
        json={"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}},
    )
    admin.wait_for(record["reportId"])
    response = admin.request(
        "GET", f"/compliance/reports/{record['reportId']}/download?format=xlsx"
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "format"


def test_missing_token_is_401(gateway: Gateway) -> None:
    response = requests.get(f"{gateway.url}/compliance/reports", timeout=10)

    assert response.status_code == 401


def test_invalid_token_is_401(gateway: Gateway) -> None:
    response = requests.get(
        f"{gateway.url}/compliance/reports",
        timeout=10,
        headers={"Authorization": "Bearer not.a.token"},
    )

    assert response.status_code == 401


def test_health_needs_no_token(gateway: Gateway) -> None:
    response = requests.get(f"{gateway.url}/compliance/health", timeout=10)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/compliance/reports/soc2", b"{not json"),
        ("/compliance/reports/soc2", b"[1, 2]"),
        ("/compliance/reports/gdpr", json.dumps({"agentId": "a" * 5000}).encode()),
        (
            "/compliance/reports/soc2",
            json.dumps({"dateRange": {"from": "yesterday", "to": 5}}).encode(),
        ),
        ("/compliance/events", json.dumps({"events": [{}] * 501}).encode()),
        ("/compliance/events", json.dumps({"events": "nope"}).encode()),
    ],
)
def test_malformed_input_is_4xx(admin: ApiClient, path: str, body: bytes) -> None:
    response = admin.request("POST", path, data=body, headers={"Content-Type": "application/json"})

    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_oversized_body_is_413(admin: ApiClient) -> None:
    response = admin.request("POST", "/compliance/events", data=b"x" * (10 * 1024 * 1024 + 1))

    assert response.status_code == 413
