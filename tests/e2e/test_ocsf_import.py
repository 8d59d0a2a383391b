"""The real OCSF samples import through the API and appear in reports as mapped."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from compliance_local.gateway import Gateway

from tests.conftest import SHARED_DATA, ClientFactory

SAMPLES = SHARED_DATA / "ocsf"


@pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="the shared OCSF samples are not beside the checkout"
)
def test_ocsf_samples_in_reports(gateway: Gateway, org_id: str, client_for: ClientFactory) -> None:
    for sample in sorted(SAMPLES.glob("*.json")):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "compliance_local.cli",
                "import",
                str(sample),
                "--org",
                org_id,
                "--format",
                "ocsf",
                "--url",
                gateway.url,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "accepted 1" in result.stdout

    admin = client_for(org_id)
    period = {"from": "2023-03-01", "to": "2023-11-30"}
    record = admin.json(
        "POST", "/compliance/reports/audit", expected=202, json={"dateRange": period}
    )
    audit = json.loads(admin.download(admin.wait_for(record["reportId"])["reportId"], "json")[0])
    record = admin.json(
        "POST", "/compliance/reports/soc2", expected=202, json={"dateRange": period}
    )
    soc2 = json.loads(admin.download(admin.wait_for(record["reportId"])["reportId"], "json")[0])

    assert audit["totals"]["eventsRead"] == 3
    [created] = audit["records"]
    assert created["action"] == "user.created"
    assert created["actor"]["id"] == "arn:aws:sts::112233445566:assumed-role/Admin/Admin-user"
    # The Account Change sample carries no status_id, which maps to unknown.
    assert created["outcome"] == "unknown"
    assert created["target"]["name"] == "test_user2"
    controls = {control["id"]: control for control in soc2["controls"]}
    assert controls["CC6.1"]["metrics"] == {"loginSuccess": 1, "loginFailure": 0, "accessDenied": 0}
    assert controls["CC6.2/CC6.3"]["metrics"]["userChanges"] == 1
