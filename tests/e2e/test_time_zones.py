"""Day boundaries follow the report's time zone, including 23- and 25-hour days."""

from __future__ import annotations

import json
from typing import Any

from compliance_local.client import ApiClient

from tests.conftest import ClientFactory


def _admin_event(event_id: str, at: str) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "occurredAt": at,
        "category": "admin",
        "action": "config.updated",
        "outcome": "success",
        "actor": {"type": "user", "id": "u-1"},
    }


def _audit(client: ApiClient, body: dict[str, Any]) -> dict[str, Any]:
    record = client.json("POST", "/compliance/reports/audit", expected=202, json=body)
    finished = client.wait_for(record["reportId"])
    assert finished["status"] == "completed", finished.get("error")
    document: dict[str, Any] = json.loads(client.download(finished["reportId"], "json")[0])
    return document


def test_berlin_daylight_saving_days(org_id: str, client_for: ClientFactory) -> None:
    admin = client_for(org_id)
    # Europe/Berlin: 2026-03-29 is 23 hours long (CET to CEST), 2026-10-25 is 25 hours long.
    admin.post_events(
        [
            _admin_event("a1", "2026-03-28T22:59:59.999Z"),  # 03-28 23:59:59.999 CET
            _admin_event("a2", "2026-03-28T23:00:00.000Z"),  # 03-29 00:00 CET
            _admin_event("a3", "2026-03-29T21:59:59.999Z"),  # 03-29 23:59:59.999 CEST
            _admin_event("a4", "2026-03-29T22:00:00.000Z"),  # 03-30 00:00 CEST
            _admin_event("b1", "2026-10-24T21:59:59.999Z"),  # 10-24 23:59:59.999 CEST
            _admin_event("b2", "2026-10-24T22:00:00.000Z"),  # 10-25 00:00 CEST
            _admin_event("b3", "2026-10-25T22:59:59.999Z"),  # 10-25 23:59:59.999 CET
            _admin_event("b4", "2026-10-25T23:00:00.000Z"),  # 10-26 00:00 CET
        ]
    )

    spring = _audit(
        admin,
        {"dateRange": {"from": "2026-03-28", "to": "2026-03-30"}, "timezone": "Europe/Berlin"},
    )
    autumn = _audit(
        admin,
        {"dateRange": {"from": "2026-10-25", "to": "2026-10-25"}, "timezone": "Europe/Berlin"},
    )

    assert spring["summary"]["byDay"] == {"2026-03-28": 1, "2026-03-29": 2, "2026-03-30": 1}
    assert spring["period"]["timezone"] == "Europe/Berlin"
    assert spring["records"][1]["occurredAt"] == "2026-03-29T00:00:00.000+01:00"
    assert spring["records"][2]["occurredAt"] == "2026-03-29T23:59:59.999+02:00"
    assert autumn["summary"]["byDay"] == {"2026-10-25": 2}
    assert [row["eventId"] for row in autumn["records"]] == ["b2", "b3"]
    assert autumn["period"]["startsAt"] == "2026-10-25T00:00:00.000+02:00"
    assert autumn["period"]["endsBefore"] == "2026-10-26T00:00:00.000+01:00"


def test_org_zone_sets_days(org_id: str, client_for: ClientFactory) -> None:
    events = [
        _admin_event("k1", "2026-03-01T09:59:59.999Z"),  # Kiritimati 03-01 23:59; Honolulu 02-28
        _admin_event(
            "k2", "2026-03-01T10:00:00.000Z"
        ),  # Kiritimati 03-02 00:00; Honolulu 03-01 00:00
        _admin_event(
            "k3", "2026-03-02T09:59:59.999Z"
        ),  # Kiritimati 03-02 23:59; Honolulu 03-01 23:59
    ]
    zones = {"Pacific/Kiritimati": {"2026-03-02": 2}, "Pacific/Honolulu": {"2026-03-01": 2}}
    for zone, expected in zones.items():
        org = f"{org_id}-{zone.split('/')[1].lower()}"
        admin = client_for(org)
        admin.post_events(events)
        settings = admin.json("GET", "/compliance/settings")
        admin.json("PUT", "/compliance/settings", json={**settings, "timezone": zone})

        day = next(iter(expected))
        document = _audit(admin, {"dateRange": {"from": day, "to": day}})

        assert document["period"]["timezone"] == zone
        assert document["summary"]["byDay"] == expected
