"""Auditor links: no token needed, revocable, expiring, and every use in the org's own trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from compliance_local.client import ApiClient
from compliance_reports import runtime

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail

PERIOD = {"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}}


@pytest.fixture
def completed(org_id: str, client_for: ClientFactory) -> tuple[ApiClient, str]:
    admin = client_for(org_id)
    admin.post_events(fixed_trail())
    record = admin.json("POST", "/compliance/reports/soc2", expected=202, json=PERIOD)
    assert admin.wait_for(record["reportId"])["status"] == "completed"
    return admin, record["reportId"]


def _share(admin: ApiClient, report_id: str, **body: Any) -> dict[str, Any]:
    created: dict[str, Any] = admin.json(
        "POST",
        f"/compliance/reports/{report_id}/shares",
        expected=201,
        json={"format": "csv", "expiresInDays": 3, "note": "For the 2026 audit", **body},
    )
    return created


def test_link_without_token(completed: tuple[ApiClient, str]) -> None:
    admin, report_id = completed
    created = _share(admin, report_id)

    redirect = requests.get(created["url"], allow_redirects=False, timeout=30)
    download = requests.get(created["url"], timeout=30)
    listed = admin.json("GET", f"/compliance/reports/{report_id}/shares")

    assert redirect.status_code == 302
    assert "X-Amz-Expires=" in redirect.headers["Location"]
    assert download.status_code == 200
    assert download.content.startswith(b"\xef\xbb\xbfcontrol_id,")
    assert [share["shareId"] for share in listed["items"]] == [created["share"]["shareId"]]
    assert "token" not in listed["items"][0]
    assert created["token"] not in json.dumps(listed)


def test_revoked_link_is_gone(completed: tuple[ApiClient, str]) -> None:
    admin, report_id = completed
    created = _share(admin, report_id)
    share_id = created["share"]["shareId"]

    revoked = admin.json("DELETE", f"/compliance/reports/{report_id}/shares/{share_id}")
    response = requests.get(created["url"], allow_redirects=False, timeout=30)
    unknown = requests.get(created["url"][:-4] + "abcd", allow_redirects=False, timeout=30)

    assert revoked["revokedAt"] is not None
    assert response.status_code == 410
    assert "revoked" in response.json()["error"]["message"]
    assert unknown.status_code == 404


def test_expired_link_is_gone(completed: tuple[ApiClient, str]) -> None:
    admin, report_id = completed
    created = _share(admin, report_id, expiresInDays=1)

    runtime.set_clock(lambda: datetime.now(UTC) + timedelta(days=1, minutes=1))
    try:
        response = requests.get(created["url"], allow_redirects=False, timeout=30)
    finally:
        runtime.set_clock(None)

    assert response.status_code == 410
    assert "expired" in response.json()["error"]["message"]


def test_share_limits(
    completed: tuple[ApiClient, str], client_for: ClientFactory, org_id: str
) -> None:
    admin, report_id = completed
    too_long = admin.request(
        "POST",
        f"/compliance/reports/{report_id}/shares",
        json={"format": "csv", "expiresInDays": 31},
    )
    auditor = client_for(org_id, "auditor").request(
        "POST", f"/compliance/reports/{report_id}/shares", json={"format": "csv"}
    )
    other_org = client_for(org_id + "-b").request(
        "POST", f"/compliance/reports/{report_id}/shares", json={"format": "csv"}
    )

    assert too_long.status_code == 422
    assert too_long.json()["error"]["field"] == "expiresInDays"
    assert auditor.status_code == 403
    assert other_org.status_code == 404


def test_downloads_in_audit_summary(completed: tuple[ApiClient, str]) -> None:
    admin, report_id = completed
    created = _share(admin, report_id)
    requests.get(created["url"], timeout=30)
    admin.download(report_id, "json")
    admin.json("DELETE", f"/compliance/reports/{report_id}/shares/{created['share']['shareId']}")

    today = datetime.now(UTC).date().isoformat()
    summary = admin.json(
        "POST",
        "/compliance/reports/audit",
        expected=202,
        json={"dateRange": {"from": today, "to": today}},
    )
    admin.wait_for(summary["reportId"])
    document = json.loads(admin.download(summary["reportId"], "json")[0])
    actions = [
        (row["action"], row["actor"]["type"], row["target"]["id"])
        for row in document["records"]
        if row["target"]
    ]

    assert ("report.share_created", "user", report_id) in actions
    assert ("report.downloaded", "share_link", report_id) in actions
    assert ("report.downloaded", "user", report_id) in actions
    assert ("report.share_revoked", "user", report_id) in actions
