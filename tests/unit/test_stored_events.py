"""The read model of stored events keeps the shape of the input model and its time format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from compliance_reports.models.events import AuditEvent, format_utc_millis
from compliance_reports.models.stored_events import StoredAuditEvent
from pydantic import BaseModel, ValidationError


def _full_event() -> AuditEvent:
    return AuditEvent.model_validate(
        {
            "eventId": "evt-ü-1",
            "orgId": "org-1",
            "occurredAt": "2026-03-29T02:30:00.123456+02:00",
            "category": "dlp",
            "action": "dlp.rule_triggered",
            "outcome": "blocked",
            "actor": {"type": "agent", "id": "agent-1", "name": "Zoë's assistant"},
            "agentId": "agent-1",
            "target": {"type": "email", "id": "msg-1", "name": '=HYPERLINK("x")'},
            "source": {"ip": "192.0.2.10", "userAgent": "agent/1.0"},
            "personalData": [
                {
                    "subjectId": "subj-渡辺",
                    "categories": ["email_address", "health"],
                    "purpose": "reply to a patient",
                    "recipient": "clinic@example.org",
                    "lawfulBasis": "consent",
                    "source": "inbox",
                }
            ],
            "dlp": {
                "ruleId": "r1",
                "ruleName": "Health data",
                "severity": "high",
                "actionTaken": "blocked",
                "dataTypes": ["health"],
            },
            "details": {"nested": {"list": [1, 2.5, None, "ö"]}},
        }
    )


def _field_tree(model: type[BaseModel]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        nested = [
            arg
            for arg in getattr(annotation, "__args__", (annotation,))
            if isinstance(arg, type) and issubclass(arg, BaseModel)
        ]
        if not nested:
            args = getattr(annotation, "__args__", ())
            nested = [
                inner
                for arg in args
                for inner in getattr(arg, "__args__", ())
                if isinstance(inner, type) and issubclass(inner, BaseModel)
            ]
        tree[name] = _field_tree(nested[0]) if nested else None
    return tree


def test_same_fields_at_every_level() -> None:
    assert _field_tree(StoredAuditEvent) == _field_tree(AuditEvent)


def test_stored_form_reads_back_equal() -> None:
    event = _full_event()
    stored = event.model_dump_json(exclude_none=True)

    read = StoredAuditEvent.model_validate_json(stored)

    assert read.model_dump(mode="json", exclude_none=True) | {
        "occurredAt": format_utc_millis(read.occurredAt)
    } == event.model_dump(mode="json", exclude_none=True)
    assert read.occurredAt == datetime(2026, 3, 29, 0, 30, 0, 123000, tzinfo=UTC)


def test_minimal_stored_form() -> None:
    event = AuditEvent.model_validate(
        {
            "eventId": "e1",
            "orgId": "org-1",
            "occurredAt": "2026-01-01T00:00:00Z",
            "category": "admin",
            "action": "agent.created",
            "outcome": "success",
            "actor": {"type": "user", "id": "u1"},
        }
    )

    read = StoredAuditEvent.model_validate_json(event.model_dump_json(exclude_none=True))

    assert (read.target, read.dlp, read.personalData, read.details) == (None, None, [], {})
    assert read.source.ip is None


def test_unknown_field_rejected() -> None:
    stored = _full_event().model_dump(mode="json", exclude_none=True) | {"extra": 1}

    with pytest.raises(ValidationError, match="extra"):
        StoredAuditEvent.model_validate(stored)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "2026-12-31T23:59:59.999Z"),
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00.000Z"),
        (
            datetime(2026, 1, 1, 1, 0, 0, 5000, tzinfo=timezone(timedelta(hours=2))),
            "2025-12-31T23:00:00.005Z",
        ),
        (datetime(999, 1, 1, tzinfo=UTC), "0999-01-01T00:00:00.000Z"),
    ],
)
def test_format_utc_millis_is_fixed_width(value: datetime, expected: str) -> None:
    assert format_utc_millis(value) == expected
    assert len(format_utc_millis(value)) == 24
