"""Every contract number of the three report types, against values worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from compliance_local.client import ApiClient

from tests.conftest import ClientFactory
from tests.e2e.dataset import FORMULA, fixed_trail

PERIOD = {"from": "2026-03-01", "to": "2026-03-03"}
SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


@pytest.fixture
def seeded(org_id: str, client_for: ClientFactory) -> ApiClient:
    admin = client_for(org_id)
    counts = admin.post_events(fixed_trail())
    assert counts == {"accepted": 17, "duplicate": 0, "conflict": 0, "invalid": 0}
    # Another org's event in the same period must never reach this org's reports.
    other = client_for(org_id + "-other")
    other.post_events([{**fixed_trail()[-2], "eventId": "x1"}])
    return admin


def generate(
    client: ApiClient, report_type: str, body: dict[str, Any]
) -> tuple[dict[str, Any], bytes, bytes]:
    record = client.json("POST", f"/compliance/reports/{report_type}", expected=202, json=body)
    finished = client.wait_for(record["reportId"])
    assert finished["status"] == "completed", finished.get("error")
    document, _ = client.download(finished["reportId"], "json")
    table, _ = client.download(finished["reportId"], "csv")
    validate_against_schema(report_type, json.loads(document))
    return finished, document, table


def validate_against_schema(report_type: str, document: dict[str, Any]) -> None:
    """Fail when a generated report does not match its committed JSON Schema."""
    schema = json.loads((SCHEMAS / f"{report_type}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_soc2_numbers(seeded: ApiClient) -> None:
    record, raw, table = generate(seeded, "soc2", {"dateRange": PERIOD})
    document = json.loads(raw)
    controls = {control["id"]: control for control in document["controls"]}

    assert document["totals"] == {"eventsRead": 14, "rows": 51}
    assert record["rowCount"] == 51
    assert controls["CC6.1"]["metrics"] == {"loginSuccess": 1, "loginFailure": 6, "accessDenied": 1}
    assert controls["CC6.1"]["evidence"] == ["e02", "e03", "e09", "e04", "e05", "e06", "e07", "e08"]
    assert controls["CC6.2/CC6.3"]["metrics"] == {"userChanges": 1, "roleChanges": 1}
    assert controls["CC6.7"]["metrics"] == {
        "dlpViolations": 2,
        "dlpBySeverity": {"low": 1, "medium": 0, "high": 0, "critical": 1},
        "dlpByAction": {"blocked": 1, "redacted": 0, "quarantined": 0, "flagged": 1},
    }
    assert controls["CC7.2"]["metrics"] == {
        "anomalies": 1,
        "adminActionsOutsideWorkingHours": 1,
        "deniedRequestSpikes": 0,
    }
    assert controls["CC7.2"]["anomalies"][0]["failures"] == 5
    assert controls["CC7.2"]["anomalies"][0]["firstFailureAt"] == "2026-03-01T23:55:00.000+00:00"
    assert controls["CC7.2"]["evidence"] == ["e04", "e15"]
    assert controls["CC6.1"]["denominators"] == {"loginAttempts": 7, "accessEvents": 8}
    assert controls["CC6.7"]["denominators"] == {"outboundMessages": 1}
    assert controls["CC7.2"]["denominators"] == {
        "loginFailures": 6,
        "adminActions": 3,
        "daysInPeriod": 3,
    }
    assert document["completeness"] == {
        "eventsRead": 14,
        "firstEventAt": "2026-03-01T00:00:00.000+00:00",
        "lastEventAt": "2026-03-03T23:59:59.999+00:00",
        "daysInPeriod": 3,
        "daysWithoutEvents": [],
        "eventsByDay": {"2026-03-01": 6, "2026-03-02": 5, "2026-03-03": 3},
    }
    assert controls["CC7.3"]["metrics"] == {"criticalDlpEvents": 1}
    assert controls["CC8.1"]["metrics"] == {"configurationChanges": 1}
    assert [agent["agentId"] for agent in document["agents"]] == ["ag-1", "ag-2"]
    assert document["period"] == {
        "from": "2026-03-01",
        "to": "2026-03-03",
        "timezone": "UTC",
        "startsAt": "2026-03-01T00:00:00.000+00:00",
        "endsBefore": "2026-03-04T00:00:00.000+00:00",
    }

    rows = csv_rows(table)
    assert rows[0] == ["control_id", "control_name", "metric", "agent_id", "value"]
    assert len(rows) - 1 == document["totals"]["rows"]
    assert ["CC6.7", "Restriction of data transmission", "dlpBySeverity.critical", "", "1"] in rows
    assert ["CC6.7", "Restriction of data transmission", "dlpViolations", "ag-2", "1"] in rows


def test_audit_numbers(seeded: ApiClient) -> None:
    _record, raw, table = generate(seeded, "audit", {"dateRange": PERIOD})
    document = json.loads(raw)

    assert document["totals"] == {"eventsRead": 14, "rows": 3}
    summary = document["summary"]
    assert summary["actions"] == 3
    assert summary["byAction"] == {"policy.updated": 1, "user.invited": 1, "user.role_changed": 1}
    assert summary["byActor"] == {"u-admin": 3}
    assert summary["byTargetType"] == {"policy": 1, "user": 2}
    assert summary["byDay"] == {"2026-03-03": 3}
    assert [row["eventId"] for row in document["records"]] == ["e13", "e14", "e15"]
    last = document["records"][-1]
    assert last["occurredAt"] == "2026-03-03T23:59:59.999+00:00"
    assert last["actor"]["name"] == "Zoë Ångström"
    assert document["records"][1]["target"]["id"] == FORMULA

    rows = csv_rows(table)
    assert rows[0] == [
        "occurred_at",
        "event_id",
        "actor_type",
        "actor_id",
        "actor_email",
        "action",
        "target_type",
        "target_id",
        "agent_id",
        "outcome",
        "source_ip",
    ]
    assert len(rows) - 1 == 3
    assert rows[2][7] == "'" + FORMULA
    assert rows[1][10] == "192.0.2.10"


def test_audit_agent_filter(seeded: ApiClient) -> None:
    _record, raw, _table = generate(seeded, "audit", {"dateRange": PERIOD, "agentIds": ["ag-2"]})
    document = json.loads(raw)

    assert document["totals"] == {"eventsRead": 2, "rows": 1}
    assert [row["eventId"] for row in document["records"]] == ["e14"]
    assert "outside this report" in document["population"]


def test_gdpr_numbers(seeded: ApiClient) -> None:
    _record, raw, table = generate(seeded, "gdpr", {"agentId": "ag-1", "dateRange": PERIOD})
    document = json.loads(raw)

    assert document["totals"] == {"eventsRead": 3, "rows": 3}
    assert document["agent"] == {"agentId": "ag-1", "name": "Zoë's Inbox Agent"}
    assert document["subjectId"] is None
    assert document["dataSubjects"] == [
        {
            "subjectId": "s-alice",
            "records": 2,
            "categories": ["contact details", "email content", "financial data"],
        },
        {"subjectId": "s-bob", "records": 1, "categories": ["contact details"]},
    ]
    assert [(row["eventId"], row["subjectId"]) for row in document["records"]] == [
        ("e10", "s-alice"),
        ("e10", "s-bob"),
        ("e11", "s-alice"),
    ]
    assert [row["eventId"] for row in document["dlpEvents"]] == ["e11"]
    assert document["article15"]["purposes"] == ["outbound email", "reply to customer"]

    rows = csv_rows(table)
    assert rows[0] == [
        "occurred_at",
        "event_id",
        "action",
        "subject_id",
        "data_categories",
        "purpose",
        "recipient",
        "lawful_basis",
    ]
    assert rows[1] == [
        "2026-03-01T10:00:00.000+00:00",
        "e10",
        "email.sent",
        "s-alice",
        "contact details;email content",
        "reply to customer",
        "s-bob",
        "contract",
    ]


def test_gdpr_subject_scope(seeded: ApiClient) -> None:
    record, raw, table = generate(
        seeded, "gdpr", {"agentId": "ag-1", "dateRange": PERIOD, "subjectId": "s-alice"}
    )
    document = json.loads(raw)

    assert document["subjectId"] == "s-alice"
    assert document["totals"]["rows"] == 2
    assert document["records"][0]["recipient"] == "another data subject"
    assert [subject["subjectId"] for subject in document["dataSubjects"]] == ["s-alice"]
    assert b"s-bob" not in raw
    assert b"s-bob" not in table
    assert "s-alice" not in record["title"]
    assert "s-alice" not in json.dumps(record)


def test_csv_file_format(seeded: ApiClient) -> None:
    _record, _raw, table = generate(seeded, "audit", {"dateRange": PERIOD})

    assert table.startswith(b"\xef\xbb\xbf")
    assert table.count(b"\r\n") == 4
    assert b"\n" not in table.replace(b"\r\n", b"")
    assert ("\"'" + FORMULA.replace('"', '""') + '"').encode() in table


def test_resend_stores_nothing_twice(seeded: ApiClient) -> None:
    again = seeded.post_events(fixed_trail())
    changed = seeded.post_events([{**fixed_trail()[2], "outcome": "failure"}])

    assert again == {"accepted": 0, "duplicate": 17, "conflict": 0, "invalid": 0}
    assert changed["conflict"] == 1
    _record, raw, _table = generate(seeded, "audit", {"dateRange": PERIOD})
    assert json.loads(raw)["totals"]["eventsRead"] == 14


def test_gdpr_without_activity(seeded: ApiClient) -> None:
    _record, raw, table = generate(
        seeded, "gdpr", {"agentId": "ag-2", "dateRange": PERIOD, "subjectId": "s-alice"}
    )
    document = json.loads(raw)

    assert document["totals"] == {"eventsRead": 2, "rows": 0}
    assert document["records"] == []
    assert document["dataSubjects"] == []
    assert "processed no personal data of this data subject" in document["activity"]
    assert len(csv_rows(table)) == 1
