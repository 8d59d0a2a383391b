"""Failed generation ends `failed` with a code and message, and offers nothing to download."""

from __future__ import annotations

from compliance_local.stack import REPORT_BUCKET, LocalStack

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail


def test_missing_bucket_fails_report(
    local_stack: LocalStack, org_id: str, client_for: ClientFactory
) -> None:
    admin = client_for(org_id)
    admin.post_events(fixed_trail())
    s3 = local_stack.client("s3")
    # Park the bucket's objects and remove it, then restore it for the other tests.
    saved = {}
    for item in s3.list_objects_v2(Bucket=REPORT_BUCKET).get("Contents", []):
        saved[item["Key"]] = s3.get_object(Bucket=REPORT_BUCKET, Key=item["Key"])["Body"].read()
        s3.delete_object(Bucket=REPORT_BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=REPORT_BUCKET)
    try:
        record = admin.json(
            "POST",
            "/compliance/reports/audit",
            expected=202,
            json={"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}},
        )
        finished = admin.wait_for(record["reportId"])
    finally:
        s3.create_bucket(Bucket=REPORT_BUCKET)
        for key, body in saved.items():
            s3.put_object(Bucket=REPORT_BUCKET, Key=key, Body=body)

    assert finished["status"] == "failed"
    assert finished["error"]["code"] == "STORAGE_UNAVAILABLE"
    assert "report bucket" in finished["error"]["message"]
    assert "Traceback" not in finished["error"]["message"]
    assert finished["artifacts"] is None
    response = admin.request(
        "GET", f"/compliance/reports/{record['reportId']}/download?format=json"
    )
    assert response.status_code == 409
