"""A small fixed audit trail whose report numbers are worked out by hand in the tests."""

from __future__ import annotations

from typing import Any

FORMULA = '=HYPERLINK("http://example.invalid","x")'
ADMIN = {"type": "user", "id": "u-admin", "email": "zoe@example.com", "name": "Zoë Ångström"}


def _event(
    event_id: str,
    at: str,
    category: str,
    action: str,
    outcome: str = "success",
    actor: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "occurredAt": at,
        "category": category,
        "action": action,
        "outcome": outcome,
        "actor": actor or ADMIN,
        **fields,
    }


def fixed_trail() -> list[dict[str, Any]]:
    """Events around the period 2026-03-01 to 2026-03-03 (UTC); e01, e16 and e17 fall outside it."""
    burst = [
        ("e04", "2026-03-01T23:55:00.000Z"),
        ("e05", "2026-03-01T23:58:00.000Z"),
        ("e06", "2026-03-02T00:01:00.000Z"),
        ("e07", "2026-03-02T00:04:00.000Z"),
        ("e08", "2026-03-02T00:07:00.000Z"),
    ]
    agent_one = {"type": "agent", "id": "ag-1"}
    return [
        _event(
            "e01",
            "2026-02-28T23:59:59.999Z",
            "admin",
            "agent.created",
            agentId="ag-1",
            target={"type": "agent", "id": "ag-1", "name": "Zoë's Inbox Agent"},
        ),
        _event(
            "e17",
            "2026-02-28T10:00:00.000Z",
            "admin",
            "agent.created",
            agentId="ag-2",
            target={"type": "agent", "id": "ag-2", "name": "Ångström Scheduler"},
        ),
        _event(
            "e02",
            "2026-03-01T00:00:00.000Z",
            "access",
            "auth.login",
            actor={"type": "user", "id": "u-1"},
        ),
        _event(
            "e03",
            "2026-03-01T08:00:00.000+00:00",
            "access",
            "auth.login",
            "failure",
            actor={"type": "user", "id": "u-2"},
        ),
        *[
            _event(
                event_id, at, "access", "auth.login", "failure", actor={"type": "user", "id": "u-3"}
            )
            for event_id, at in burst
        ],
        _event(
            "e09",
            "2026-03-01T11:00:00.000+01:00",
            "access",
            "api.request",
            "denied",
            actor={"type": "api_key", "id": "k-1"},
            agentId="ag-1",
        ),
        _event(
            "e10",
            "2026-03-01T10:00:00.000Z",
            "agent_activity",
            "email.sent",
            actor=agent_one,
            agentId="ag-1",
            personalData=[
                {
                    "subjectId": "s-alice",
                    "categories": ["contact details", "email content"],
                    "purpose": "reply to customer",
                    "recipient": "s-bob",
                    "lawfulBasis": "contract",
                },
                {
                    "subjectId": "s-bob",
                    "categories": ["contact details"],
                    "purpose": "reply to customer",
                    "recipient": "LLM provider",
                },
            ],
        ),
        _event(
            "e11",
            "2026-03-02T12:00:00.000Z",
            "dlp",
            "dlp.violation",
            "blocked",
            actor=agent_one,
            agentId="ag-1",
            dlp={
                "ruleId": "r-1",
                "ruleName": "Card numbers",
                "severity": "critical",
                "actionTaken": "blocked",
                "dataTypes": ["credit_card"],
            },
            personalData=[
                {
                    "subjectId": "s-alice",
                    "categories": ["financial data"],
                    "purpose": "outbound email",
                    "lawfulBasis": "contract",
                }
            ],
        ),
        _event(
            "e12",
            "2026-03-02T13:00:00.000Z",
            "dlp",
            "dlp.violation",
            "success",
            actor={"type": "agent", "id": "ag-2"},
            agentId="ag-2",
            dlp={
                "ruleId": "r-2",
                "ruleName": "IBAN",
                "severity": "low",
                "actionTaken": "flagged",
                "dataTypes": ["iban"],
            },
        ),
        _event(
            "e13",
            "2026-03-03T09:00:00.000Z",
            "admin",
            "user.role_changed",
            target={"type": "user", "id": "u-1"},
            source={"ip": "192.0.2.10"},
        ),
        _event(
            "e14",
            "2026-03-03T09:30:00.000Z",
            "admin",
            "policy.updated",
            agentId="ag-2",
            target={"type": "policy", "id": FORMULA},
        ),
        _event(
            "e15",
            "2026-03-03T23:59:59.999Z",
            "admin",
            "user.invited",
            target={"type": "user", "id": "u-9", "name": "José Núñez"},
        ),
        _event(
            "e16",
            "2026-03-04T00:00:00.000Z",
            "admin",
            "user.removed",
            target={"type": "user", "id": "u-9"},
        ),
    ]
