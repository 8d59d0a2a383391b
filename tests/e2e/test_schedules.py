"""Monthly schedules: the hourly run creates each month's reports once, in the org's time zone.

The process clock is frozen per test and restored afterwards, because the API's request
validation and the scheduler both read it. Every org's schedule is switched off at the end, so
later runs create no reports for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from compliance_local.client import ApiClient
from compliance_local.gateway import Gateway
from compliance_local.stack import LocalStack
from compliance_reports import runtime

from tests.conftest import ClientFactory
from tests.e2e.lifecycle_helpers import created_for, freeze_clock, run_schedule
from tests.helpers import run_cli

OFF = {"soc2": {"enabled": False}, "audit": {"enabled": False}}


@pytest.fixture
def scheduled(client_for: ClientFactory) -> Iterator[list[ApiClient]]:
    """Admin clients of the orgs a test gives schedules; their schedules are off afterwards."""
    admins: list[ApiClient] = []
    yield admins
    runtime.set_clock(None)
    for admin in admins:
        admin.json("PUT", "/compliance/schedules", json=OFF)


def _admin(client_for: ClientFactory, scheduled: list[ApiClient], org_id: str) -> ApiClient:
    admin = client_for(org_id)
    scheduled.append(admin)
    return admin


def _period(record: dict[str, object]) -> object:
    parameters = record["parameters"]
    assert isinstance(parameters, dict)
    return parameters["dateRange"]


def test_february_once_for_utc_org(
    gateway: Gateway, org_id: str, client_for: ClientFactory, scheduled: list[ApiClient]
) -> None:
    admin = _admin(client_for, scheduled, org_id)
    freeze_clock(datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    stored = admin.json(
        "PUT", "/compliance/schedules", json={"soc2": {"enabled": True}, "audit": {"enabled": True}}
    )
    assert stored == {
        "soc2": {"enabled": True, "agentIds": None},
        "audit": {"enabled": True, "agentIds": None},
    }
    assert admin.json("GET", "/compliance/schedules") == stored

    first = created_for(run_schedule(gateway), org_id)
    again = created_for(run_schedule(gateway), org_id)

    assert [(report["type"], report["month"], report["late"]) for report in first] == [
        ("audit", "2026-02", False),
        ("soc2", "2026-02", False),
    ]
    assert again == []
    listed = admin.json("GET", "/compliance/reports")["items"]
    assert len(listed) == 2
    for report in first:
        record = admin.wait_for(report["reportId"])
        assert record["status"] == "completed", record
        assert record["createdBy"] == "scheduler"
        assert record["schedule"] == {"month": "2026-02", "late": False}
        assert _period(record) == {"from": "2026-02-01", "to": "2026-02-28"}
        assert "2026-02-01 to 2026-02-28" in record["title"]
    trail = runtime.services().audit.query_range(
        org_id,
        datetime(2026, 3, 1, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 6, 1, tzinfo=UTC),
        None,
        runtime.now(),
    )
    created = {
        (event.target.id, event.actor.type, event.actor.id, event.details["type"])
        for event in trail
        if event.action == "report.created" and event.target is not None
    }
    assert created == {
        (report["reportId"], "system", "scheduler", report["type"]) for report in first
    }
    document = json.loads(admin.download(first[1]["reportId"], "json")[0])
    assert document["period"]["from"] == "2026-02-01"
    assert document["period"]["to"] == "2026-02-28"
    assert document["generatedBy"] == "scheduler"


def test_leap_february_ends_on_29th(
    gateway: Gateway, org_id: str, client_for: ClientFactory, scheduled: list[ApiClient]
) -> None:
    admin = _admin(client_for, scheduled, org_id)
    freeze_clock(datetime(2024, 3, 1, 6, 0, tzinfo=UTC))
    admin.json("PUT", "/compliance/schedules", json={"audit": {"enabled": True}})

    [report] = created_for(run_schedule(gateway), org_id)

    assert (report["type"], report["month"]) == ("audit", "2024-02")
    record = admin.wait_for(report["reportId"])
    assert record["status"] == "completed", record
    assert _period(record) == {"from": "2024-02-01", "to": "2024-02-29"}


def test_honolulu_after_its_month_ends(
    gateway: Gateway, org_id: str, client_for: ClientFactory, scheduled: list[ApiClient]
) -> None:
    admin = _admin(client_for, scheduled, org_id)
    # 2026-03-01T10:05Z is 00:05 on 1 March in Honolulu, so the schedule starts with February.
    freeze_clock(datetime(2026, 3, 1, 10, 5, tzinfo=UTC))
    admin.json("PUT", "/compliance/settings", json={"timezone": "Pacific/Honolulu"})
    admin.json("PUT", "/compliance/schedules", json={"soc2": {"enabled": True}})

    # February has ended in UTC but not in Honolulu (UTC-10) ...
    freeze_clock(datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    at_six = created_for(run_schedule(gateway), org_id)
    # ... it ended there at 10:00Z, but the one-hour grace period is not over at 10:30Z ...
    freeze_clock(datetime(2026, 3, 1, 10, 30, tzinfo=UTC))
    at_half_past_ten = created_for(run_schedule(gateway), org_id)
    # ... and is at 11:00Z; this run goes through the command line with --at.
    freeze_clock(datetime(2026, 3, 1, 11, 0, tzinfo=UTC))
    command = run_cli(
        "run-schedule", "--at", "2026-03-01T11:00Z", "--url", gateway.url, timeout=300
    )

    assert at_six == []
    assert at_half_past_ten == []
    assert command.returncode == 0, command.stdout + command.stderr
    [line] = [line for line in command.stdout.splitlines() if org_id in line]
    assert line.startswith("created soc2 2026-02 for ")
    [record] = admin.json("GET", "/compliance/reports")["items"]
    assert record["parameters"]["timezone"] == "Pacific/Honolulu"
    assert _period(record) == {"from": "2026-02-01", "to": "2026-02-28"}
    assert admin.wait_for(record["reportId"])["status"] == "completed"


def test_missed_months_late_and_deleted_stay_deleted(
    gateway: Gateway, org_id: str, client_for: ClientFactory, scheduled: list[ApiClient]
) -> None:
    admin = _admin(client_for, scheduled, org_id)
    # Switched on in February, the schedule starts with January ...
    freeze_clock(datetime(2026, 2, 10, 12, 0, tzinfo=UTC))
    admin.json("PUT", "/compliance/schedules", json={"soc2": {"enabled": True}})
    # ... and the first run happens only in March, so January is late.
    freeze_clock(datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    january, february = created_for(run_schedule(gateway), org_id)

    assert (january["month"], january["late"]) == ("2026-01", True)
    assert (february["month"], february["late"]) == ("2026-02", False)
    assert admin.wait_for(january["reportId"])["schedule"] == {"month": "2026-01", "late": True}
    assert admin.wait_for(february["reportId"])["status"] == "completed"

    admin.json("DELETE", f"/compliance/reports/{january['reportId']}", expected=202)
    # Switching the schedule off and on makes the next run check January again.
    freeze_clock(datetime(2026, 2, 10, 12, 0, tzinfo=UTC))
    admin.json("PUT", "/compliance/schedules", json=OFF)
    admin.json("PUT", "/compliance/schedules", json={"soc2": {"enabled": True}})
    freeze_clock(datetime(2026, 3, 1, 7, 0, tzinfo=UTC))
    result = run_schedule(gateway)

    assert created_for(result, org_id) == []
    statuses = {
        item["reportId"]: item["status"]
        for item in admin.json("GET", "/compliance/reports")["items"]
    }
    assert statuses == {january["reportId"]: "deleted", february["reportId"]: "completed"}


def test_unknown_schedule_agent_is_422(org_id: str, client_for: ClientFactory) -> None:
    admin = client_for(org_id)

    response = admin.request(
        "PUT", "/compliance/schedules", json={"audit": {"enabled": True, "agentIds": ["ag-none"]}}
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "audit.agentIds[0]"
    assert "ag-none" in response.json()["error"]["message"]


def test_schedules_need_admin(org_id: str, client_for: ClientFactory) -> None:
    auditor = client_for(org_id, "auditor")

    assert auditor.request("GET", "/compliance/schedules").status_code == 403
    assert auditor.request("PUT", "/compliance/schedules", json=OFF).status_code == 403


def test_run_schedule_rejects_naive_time(local_stack: LocalStack, gateway: Gateway) -> None:
    command = run_cli("run-schedule", "--at", "2026-03-01T06:00", "--url", gateway.url)

    assert command.returncode == 2
    assert "no UTC offset" in command.stderr
