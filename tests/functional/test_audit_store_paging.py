"""Reading the audit table follows pagination to the end and counts each event once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from compliance_local.stack import AUDIT_TABLE, LocalStack
from compliance_reports.adapters.audit_store import AuditStore
from compliance_reports.models.events import AuditEvent

NOW = datetime(2026, 3, 10, tzinfo=UTC)


def _events(org_id: str, count: int) -> list[AuditEvent]:
    base = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    events = []
    for number in range(count):
        # Pairs share a millisecond; the sort key's event id keeps both.
        at = base + timedelta(milliseconds=(number // 2) * 7000)
        events.append(
            AuditEvent.model_validate(
                {
                    "eventId": f"p-{number:05d}",
                    "orgId": org_id,
                    "occurredAt": at,
                    "category": "admin",
                    "action": "config.updated",
                    "outcome": "success",
                    "actor": {"type": "user", "id": "u-1"},
                    "details": {"padding": "x" * 6000},
                }
            )
        )
    return events


def test_query_follows_pages(local_stack: LocalStack, org_id: str) -> None:
    store = AuditStore(local_stack.client("dynamodb"), AUDIT_TABLE)
    events = _events(org_id, 400)  # about 2.5 MB in one partition: more than two 1 MB pages
    outcomes = store.put_events(org_id, events, 30, NOW)

    read = list(
        store.query_range(
            org_id, datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC), None, NOW
        )
    )
    small_pages = list(
        store.query_range(
            org_id,
            datetime(2026, 3, 2, tzinfo=UTC),
            datetime(2026, 3, 4, tzinfo=UTC),
            None,
            NOW,
            page_size=7,
        )
    )

    assert {outcome.status for outcome in outcomes} == {"accepted"}
    assert [event.eventId for event in read] == [event.eventId for event in events]
    assert [event.eventId for event in small_pages] == [event.eventId for event in events]


def test_resend_is_duplicate(local_stack: LocalStack, org_id: str) -> None:
    store = AuditStore(local_stack.client("dynamodb"), AUDIT_TABLE)
    events = _events(org_id, 30)
    store.put_events(org_id, events, 30, NOW)

    again = store.put_events(org_id, events + events[:1], 30, NOW)
    read = list(
        store.query_range(
            org_id, datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC), None, NOW
        )
    )

    assert {outcome.status for outcome in again} == {"duplicate"}
    assert len(read) == 30


def test_expired_events_are_skipped(local_stack: LocalStack, org_id: str) -> None:
    store = AuditStore(local_stack.client("dynamodb"), AUDIT_TABLE)
    store.put_events(org_id, _events(org_id, 4), 1, NOW)

    read = list(
        store.query_range(
            org_id, datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC), None, NOW
        )
    )

    assert read == []
