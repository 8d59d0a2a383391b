"""Whole report documents compared field by field with expected JSON written out in tests/e2e/golden.

The data set is `fixed_trail()`: small enough that every value in the golden files can be checked
by hand. Fields that change from run to run are left out of the comparison.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail

GOLDEN = Path(__file__).resolve().parent / "golden"
PERIOD = {"from": "2026-03-01", "to": "2026-03-03"}
VOLATILE = {"reportId", "title", "orgId", "generatedAt", "generatedBy", "dataAsOf", "population"}
REQUESTS = {
    "audit": {"dateRange": PERIOD},
    "gdpr": {"dateRange": PERIOD, "agentId": "ag-1"},
    "soc2": {"dateRange": PERIOD},
}


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """List every path where the documents differ, so a failure names each wrong field."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            elif key not in expected:
                found.append(f"{path}.{key}: unexpected {actual[key]!r}")
            else:
                found.extend(differences(expected[key], actual[key], f"{path}.{key}"))
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(actual)} items, expected {len(expected)}"]
        return [
            line
            for index, (left, right) in enumerate(zip(expected, actual, strict=True))
            for line in differences(left, right, f"{path}[{index}]")
        ]
    return [] if expected == actual else [f"{path}: {actual!r}, expected {expected!r}"]


@pytest.mark.parametrize("report_type", sorted(REQUESTS))
def test_report_matches_golden(report_type: str, org_id: str, client_for: ClientFactory) -> None:
    admin = client_for(org_id)
    admin.post_events(fixed_trail())
    record = admin.json(
        "POST", f"/compliance/reports/{report_type}", expected=202, json=REQUESTS[report_type]
    )
    admin.wait_for(record["reportId"])
    document = json.loads(admin.download(record["reportId"], "json")[0])
    expected = json.loads((GOLDEN / f"{report_type}.json").read_text(encoding="utf-8"))

    actual = {key: value for key, value in document.items() if key not in VOLATILE}

    assert differences(expected, actual) == []
    assert document["orgId"] == org_id
