"""Failed generation ends `failed` with a code and message, and offers nothing to download."""

from __future__ import annotations

from compliance_local.stack import LocalStack

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail
from tests.helpers import report_bucket_removed


def test_missing_bucket_fails_report(
    local_stack: LocalStack, org_id: str, client_for: ClientFactory
) -> None:
    admin = client_for(org_id)
    admin.post_events(fixed_trail())
    with report_bucket_removed(local_stack):
        record = admin.json(
            "POST",
            "/compliance/reports/audit",
            expected=202,
            json={"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}},
        )
        finished = admin.wait_for(record["reportId"])

    assert finished["status"] == "failed"
    assert finished["error"]["code"] == "STORAGE_UNAVAILABLE"
    assert "report bucket" in finished["error"]["message"]
    assert "Traceback" not in finished["error"]["message"]
    assert finished["artifacts"] is None
    response = admin.request(
        "GET", f"/compliance/reports/{record['reportId']}/download?format=json"
    )
    assert response.status_code == 409
