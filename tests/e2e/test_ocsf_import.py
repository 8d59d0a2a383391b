"""The real OCSF samples import through the API and appear in reports as mapped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from compliance_local.gateway import Gateway

from tests.conftest import SHARED_DATA, ClientFactory
from tests.helpers import run_cli

SAMPLES = SHARED_DATA / "ocsf"


@pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="the shared OCSF samples are not beside the checkout"
)
def test_ocsf_samples_in_reports(gateway: Gateway, org_id: str, client_for: ClientFactory) -> None:
    for sample in sorted(SAMPLES.glob("*.json")):
        result = run_cli(
            "import", str(sample), "--org", org_id, "--format", "ocsf", "--url", gateway.url
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "accepted 1" in result.stdout

    admin = client_for(org_id)

    # One day per sample keeps each report to one shard: 2023-03-17 Account Change,
    # 2023-09-21 API Activity and 2023-11-10 Authentication.
    def report(report_type: str, day: str) -> dict[str, Any]:
        record = admin.json(
            "POST",
            f"/compliance/reports/{report_type}",
            expected=202,
            json={"dateRange": {"from": day, "to": day}},
        )
        finished = admin.wait_for(record["reportId"])
        document: dict[str, Any] = json.loads(admin.download(finished["reportId"], "json")[0])
        return document

    audit = report("audit", "2023-03-17")
    api_day = report("soc2", "2023-09-21")
    login_day = report("soc2", "2023-11-10")

    [created] = audit["records"]
    assert created["action"] == "user.created"
    assert created["actor"]["id"] == "arn:aws:sts::112233445566:assumed-role/Admin/Admin-user"
    # The Account Change sample carries no status_id, which maps to unknown.
    assert created["outcome"] == "unknown"
    assert created["target"]["name"] == "test_user2"
    api_controls = {control["id"]: control for control in api_day["controls"]}
    assert api_day["totals"]["eventsRead"] == 1
    assert api_controls["CC6.1"]["denominators"]["accessEvents"] == 1
    assert api_controls["CC6.1"]["metrics"]["accessDenied"] == 0
    login_controls = {control["id"]: control for control in login_day["controls"]}
    assert login_controls["CC6.1"]["metrics"] == {
        "loginSuccess": 1,
        "loginFailure": 0,
        "accessDenied": 0,
    }
