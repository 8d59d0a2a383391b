"""Every route against every kind of caller: identity, roles and tenant isolation."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from compliance_local.client import ApiClient
from compliance_local.gateway import Gateway
from compliance_local.keys import SigningKey, generate_key

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail

PERIOD = {"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}}
CALLERS = (
    "none",
    "expired",
    "other-key",
    "other-audience",
    "admin",
    "auditor",
    "ingest",
    "viewer",
    "other-org-admin",
)


@pytest.fixture(scope="module")
def org_a(gateway: Gateway, signing_key: SigningKey) -> dict[str, Any]:
    """An org with events and one completed report, shared by the table's rows."""
    org = f"org-acl-{time.monotonic_ns()}"
    admin = ApiClient(gateway.url, signing_key.mint(org, "admin", f"admin@{org}.example"))
    admin.post_events(fixed_trail())
    record = admin.json("POST", "/compliance/reports/audit", expected=202, json=PERIOD)
    finished = admin.wait_for(record["reportId"])
    assert finished["status"] == "completed"
    return {"org": org, "reportId": record["reportId"]}


def token_for(kind: str, org: str, key: SigningKey) -> str | None:
    if kind == "none":
        return None
    if kind == "expired":
        return key.mint(org, "admin", "a@x.example", now=time.time() - 7200, ttl_seconds=60)
    if kind == "other-key":
        return generate_key().mint(org, "admin", "a@x.example")
    if kind == "other-audience":
        return key.mint(org, "admin", "a@x.example", audience="another-api")
    if kind == "other-org-admin":
        return key.mint(org + "-b", "admin", "b@x.example")
    return key.mint(org, kind, f"{kind}@x.example")


def route_table(
    org: str, report_id: str
) -> list[tuple[str, str, dict[str, Any] | None, dict[str, int]]]:
    """(method, path, body, expected status per caller); unlisted callers expect the default."""
    reports = f"/compliance/reports/{report_id}"
    unauthenticated = {
        "none": 401,
        "expired": 401,
        "other-key": 401,
        "other-audience": 401,
        "viewer": 403,
    }
    return [
        ("GET", "/compliance/health", None, dict.fromkeys(CALLERS, 200)),
        (
            "GET",
            "/compliance/reports",
            None,
            {
                **unauthenticated,
                "admin": 200,
                "auditor": 200,
                "ingest": 403,
                "other-org-admin": 200,
            },
        ),
        (
            "GET",
            f"/compliance/reports?orgId={org}",
            None,
            {
                **unauthenticated,
                "admin": 200,
                "auditor": 200,
                "ingest": 403,
                "other-org-admin": 403,
            },
        ),
        (
            "POST",
            "/compliance/reports/audit",
            PERIOD,
            {
                **unauthenticated,
                "admin": 202,
                "auditor": 403,
                "ingest": 403,
                "other-org-admin": 202,
            },
        ),
        (
            "POST",
            "/compliance/reports/soc2",
            {**PERIOD, "orgId": org},
            {
                **unauthenticated,
                "admin": 202,
                "auditor": 403,
                "ingest": 403,
                "other-org-admin": 403,
            },
        ),
        (
            "GET",
            reports,
            None,
            {
                **unauthenticated,
                "admin": 200,
                "auditor": 200,
                "ingest": 403,
                "other-org-admin": 404,
            },
        ),
        (
            "GET",
            reports + "/download?format=csv",
            None,
            {
                **unauthenticated,
                "admin": 302,
                "auditor": 302,
                "ingest": 403,
                "other-org-admin": 404,
            },
        ),
        (
            "POST",
            "/compliance/events",
            {"events": [fixed_trail()[0]]},
            {
                **unauthenticated,
                "admin": 200,
                "auditor": 403,
                "ingest": 200,
                "other-org-admin": 200,
            },
        ),
        (
            "GET",
            "/compliance/agents",
            None,
            {
                **unauthenticated,
                "admin": 200,
                "auditor": 200,
                "ingest": 403,
                "other-org-admin": 200,
            },
        ),
        (
            "GET",
            "/compliance/settings",
            None,
            {
                **unauthenticated,
                "admin": 200,
                "auditor": 403,
                "ingest": 403,
                "other-org-admin": 200,
            },
        ),
    ]


def test_route_statuses(gateway: Gateway, signing_key: SigningKey, org_a: dict[str, Any]) -> None:
    failures = []
    for method, path, body, expected in route_table(org_a["org"], org_a["reportId"]):
        for caller in CALLERS:
            token = token_for(caller, org_a["org"], signing_key)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = requests.request(
                method,
                gateway.url + path,
                json=body,
                headers=headers,
                allow_redirects=False,
                timeout=60,
            )
            if response.status_code != expected[caller]:
                failures.append(
                    f"{method} {path} as {caller}: {response.status_code}, "
                    f"expected {expected[caller]}"
                )
    assert failures == []


def test_other_org_sees_nothing(org_a: dict[str, Any], client_for: ClientFactory) -> None:
    owner = client_for(org_a["org"])
    intruder = client_for(org_a["org"] + "-b")
    owner.json("POST", "/compliance/reports/audit", expected=202, json=PERIOD)
    page = owner.json("GET", "/compliance/reports?limit=1")
    report_id = org_a["reportId"]

    listed = intruder.json("GET", "/compliance/reports")
    by_cursor = intruder.request("GET", f"/compliance/reports?cursor={page['nextCursor']}")
    by_type = intruder.json("GET", "/compliance/reports?type=audit&status=completed")
    forged = intruder.request("GET", "/compliance/reports?cursor=eyJvcmciOiJ4In0")
    by_id = intruder.request("GET", f"/compliance/reports/{report_id}")
    missing = intruder.request("GET", "/compliance/reports/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    download = intruder.request(
        "GET",
        f"/compliance/reports/{report_id}/download?format=json",
        headers={"Accept": "application/json"},
    )

    assert page["nextCursor"] is not None
    assert all(item["orgId"] != org_a["org"] for item in listed["items"])
    assert all(item["orgId"] != org_a["org"] for item in by_type["items"])
    assert by_cursor.status_code == 400
    assert by_cursor.json()["error"]["field"] == "cursor"
    assert forged.status_code == 400
    assert by_id.status_code == 404
    assert by_id.json()["error"]["code"] == missing.json()["error"]["code"]
    assert download.status_code == 404


def test_presigned_url_bounds(org_id: str, client_for: ClientFactory) -> None:
    admin = client_for(org_id)
    admin.post_events(fixed_trail())
    record = admin.json(
        "POST", "/compliance/reports/gdpr", expected=202, json={**PERIOD, "agentId": "ag-1"}
    )
    admin.wait_for(record["reportId"])

    link = admin.json(
        "GET",
        f"/compliance/reports/{record['reportId']}/download?format=csv",
        headers={"Accept": "application/json"},
    )
    query = parse_qs(urlsplit(link["url"]).query)
    disposition = query["response-content-disposition"][0]
    redirect = admin.request(
        "GET",
        f"/compliance/reports/{record['reportId']}/download?format=csv",
        allow_redirects=False,
    )

    assert int(query["X-Amz-Expires"][0]) <= 300
    assert disposition.startswith("attachment;")
    assert 'filename="GDPR_Export_' in disposition
    assert "filename*=UTF-8''GDPR%20Export" in disposition
    assert "Zo%C3%AB" in disposition  # the agent's non-ASCII name, percent-encoded
    assert query["response-content-type"][0].startswith("text/csv")
    assert redirect.status_code == 302
    assert redirect.headers["Location"].startswith("http://127.0.0.1:")
    assert json.loads(json.dumps(link))["filename"].endswith(".csv")
