"""The demo's simulated audit trail: determinism, volume, coverage and validity."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from compliance_local.simulator import FORMULA_NAME, LLM_PROVIDER, SimulatedTrail, simulate
from compliance_reports.domain.ocsf import map_ocsf_event
from compliance_reports.models.events import AuditEvent, format_utc_millis

TODAY = date(2024, 3, 15)
DAYS = 60
WINDOW_START = datetime(2024, 1, 16, tzinfo=UTC)
WINDOW_END = datetime(2024, 3, 16, tzinfo=UTC)
ORGS = ("org-acme", "org-globex")
BURST_GAP = timedelta(minutes=10)


@pytest.fixture(scope="module")
def trail() -> SimulatedTrail:
    return simulate(TODAY, days=DAYS)


@pytest.fixture(scope="module")
def native_events(trail: SimulatedTrail) -> dict[str, list[AuditEvent]]:
    """The native events of each org, validated, in the simulator's order."""
    return {
        org_id: [AuditEvent.model_validate(raw) for raw in trail.native[org_id]] for org_id in ORGS
    }


@pytest.fixture(scope="module")
def events(
    trail: SimulatedTrail, native_events: dict[str, list[AuditEvent]]
) -> dict[str, list[AuditEvent]]:
    """Native and mapped OCSF events of each org, validated and sorted by time."""
    by_org: dict[str, list[AuditEvent]] = {}
    for org_id in ORGS:
        mapped = [
            AuditEvent.model_validate(map_ocsf_event(raw, org_id)) for raw in trail.ocsf[org_id]
        ]
        by_org[org_id] = sorted(
            native_events[org_id] + mapped, key=lambda event: (event.occurredAt, event.eventId)
        )
    return by_org


def all_events(events: dict[str, list[AuditEvent]]) -> list[AuditEvent]:
    return [event for org_events in events.values() for event in org_events]


def failed_login_bursts(org_events: list[AuditEvent]) -> list[list[AuditEvent]]:
    """Group failed logins per actor into runs with no gap over 10 minutes; keep runs of 5+."""
    failures: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in org_events:
        if event.action == "auth.login" and event.outcome == "failure":
            failures[event.actor.id].append(event)

    bursts: list[list[AuditEvent]] = []
    for attempts in failures.values():
        run = [attempts[0]]
        for attempt in attempts[1:]:
            if attempt.occurredAt - run[-1].occurredAt <= BURST_GAP:
                run.append(attempt)
                continue
            bursts.append(run)
            run = [attempt]
        bursts.append(run)
    return [run for run in bursts if len(run) >= 5]


# --- determinism and volume -----------------------------------------------------------------------


def test_same_arguments_same_trail(trail: SimulatedTrail) -> None:
    again = simulate(TODAY, days=DAYS)

    assert again.native == trail.native
    assert again.ocsf == trail.ocsf
    assert again.agents == trail.agents


def test_other_seed_other_trail() -> None:
    default = simulate(TODAY, days=14)
    other = simulate(TODAY, days=14, seed=8)

    assert other.native != default.native


def test_total_about_15000(trail: SimulatedTrail) -> None:
    total = sum(len(trail.native[org]) + len(trail.ocsf[org]) for org in ORGS)

    assert 12_000 <= total <= 18_000


def test_both_orgs_present(trail: SimulatedTrail) -> None:
    assert set(trail.native) == set(ORGS)
    assert set(trail.ocsf) == set(ORGS)
    assert set(trail.agents) == set(ORGS)


def test_ocsf_share_about_five_percent(trail: SimulatedTrail) -> None:
    for org_id in ORGS:
        native_access_admin = sum(
            1 for raw in trail.native[org_id] if raw["category"] in ("access", "admin")
        )
        ocsf_count = len(trail.ocsf[org_id])
        share = ocsf_count / (native_access_admin + ocsf_count)

        assert 0.03 <= share <= 0.07, org_id


def test_ocsf_classes(trail: SimulatedTrail) -> None:
    classes = Counter(raw["class_uid"] for org_id in ORGS for raw in trail.ocsf[org_id])

    assert set(classes) == {3001, 3002}
    assert all(raw["metadata"]["version"] == "1.1.0" for raw in trail.ocsf["org-acme"])


# --- validity, ids and time -----------------------------------------------------------------------


def test_native_events_validate(
    trail: SimulatedTrail, native_events: dict[str, list[AuditEvent]]
) -> None:
    for org_id in ORGS:
        assert len(native_events[org_id]) == len(trail.native[org_id])
        for raw, event in zip(trail.native[org_id], native_events[org_id], strict=True):
            assert event.orgId == org_id
            assert format_utc_millis(event.occurredAt) == raw["occurredAt"]


def test_ocsf_events_map_and_validate(trail: SimulatedTrail) -> None:
    for org_id in ORGS:
        for raw in trail.ocsf[org_id]:
            event = AuditEvent.model_validate(map_ocsf_event(raw, org_id))

            assert event.eventId == raw["metadata"]["uid"]
            assert event.category in ("access", "admin")


def test_ids_unique_per_org(events: dict[str, list[AuditEvent]]) -> None:
    for org_id, org_events in events.items():
        ids = [event.eventId for event in org_events]

        assert len(ids) == len(set(ids)), org_id
        assert all(re.fullmatch(rf"evt-{org_id}-\d{{6}}", event_id) for event_id in ids)


def test_times_inside_window(events: dict[str, list[AuditEvent]]) -> None:
    for event in all_events(events):
        assert event.occurredAt.tzinfo is not None
        assert WINDOW_START <= event.occurredAt < WINDOW_END, event.eventId


def test_today_capped_at_now() -> None:
    now = datetime.now(UTC)
    today_trail = simulate(now.date(), days=14)
    latest = max(
        AuditEvent.model_validate(raw).occurredAt
        for org_events in today_trail.native.values()
        for raw in org_events
    )

    assert latest <= datetime.now(UTC)


def test_days_below_minimum() -> None:
    with pytest.raises(ValueError, match="at least 7 days"):
        simulate(TODAY, days=6)


def test_future_today_rejected() -> None:
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)

    with pytest.raises(ValueError, match="after the current UTC date"):
        simulate(tomorrow)


# --- coverage -------------------------------------------------------------------------------------


def test_all_categories_per_org(events: dict[str, list[AuditEvent]]) -> None:
    for org_id, org_events in events.items():
        categories = {event.category.value for event in org_events}

        assert categories == {"admin", "agent_activity", "dlp", "access"}, org_id


def test_agent_actions(events: dict[str, list[AuditEvent]]) -> None:
    actions = {event.action for event in all_events(events) if event.category == "agent_activity"}

    assert {"email.received", "email.sent", "email.read", "calendar.read"} <= actions


def test_admin_actions(events: dict[str, list[AuditEvent]]) -> None:
    expected = {
        "agent.created",
        "agent.updated",
        "policy.updated",
        "config.updated",
        "user.invited",
        "user.role_changed",
        "role.updated",
        "user.removed",
    }
    for org_id, org_events in events.items():
        actions = {event.action for event in org_events if event.category == "admin"}

        assert expected <= actions, org_id


def test_dlp_severities_and_actions(events: dict[str, list[AuditEvent]]) -> None:
    for org_id, org_events in events.items():
        findings = [event.dlp for event in org_events if event.dlp is not None]
        pairs = {(finding.severity.value, finding.actionTaken.value) for finding in findings}

        assert len(pairs) == 16, org_id


def test_dlp_data_types(events: dict[str, list[AuditEvent]]) -> None:
    data_types = {
        data_type
        for event in all_events(events)
        if event.dlp is not None
        for data_type in event.dlp.dataTypes
    }

    assert {"credit_card", "iban", "health_record"} <= data_types


def test_dlp_with_personal_data(events: dict[str, list[AuditEvent]]) -> None:
    dlp_events = [event for event in all_events(events) if event.category == "dlp"]

    assert any(event.personalData for event in dlp_events)
    assert any(not event.personalData for event in dlp_events)


def test_login_outcomes(events: dict[str, list[AuditEvent]]) -> None:
    outcomes = {event.outcome.value for event in all_events(events) if event.action == "auth.login"}

    assert outcomes == {"success", "failure"}


def test_api_request_outcomes(events: dict[str, list[AuditEvent]]) -> None:
    outcomes = {
        event.outcome.value for event in all_events(events) if event.action == "api.request"
    }

    assert outcomes == {"success", "denied"}


def test_personal_data_content(events: dict[str, list[AuditEvent]]) -> None:
    entries = [entry for event in all_events(events) for entry in event.personalData]
    categories = Counter(category for entry in entries for category in entry.categories)
    subject_ids = {entry.subjectId for entry in entries}
    recipients = {entry.recipient for entry in entries}

    assert {"contact details", "email content", "calendar data"} <= set(categories)
    assert 0 < categories["health data"] < len(entries) * 0.02
    # DLP findings record exposed data without a lawful basis, hence the None.
    assert {entry.lawfulBasis for entry in entries} == {
        "contract",
        "legitimate interest",
        "consent",
        None,
    }
    assert any(subject.startswith("subj-") for subject in subject_ids)
    assert any("@" in subject for subject in subject_ids)
    assert LLM_PROVIDER in recipients
    assert any(recipient in subject_ids for recipient in recipients)


# --- scenarios ------------------------------------------------------------------------------------


def test_failed_login_bursts(events: dict[str, list[AuditEvent]]) -> None:
    bursts = [burst for org_events in events.values() for burst in failed_login_bursts(org_events)]

    assert len(bursts) >= 4
    assert all(5 <= len(burst) <= 8 for burst in bursts)


def test_burst_crosses_midnight(events: dict[str, list[AuditEvent]]) -> None:
    bursts = [burst for org_events in events.values() for burst in failed_login_bursts(org_events)]
    crossing = [
        burst for burst in bursts if burst[0].occurredAt.date() != burst[-1].occurredAt.date()
    ]

    assert len(crossing) == 1


def test_burst_within_minutes(events: dict[str, list[AuditEvent]]) -> None:
    for org_events in events.values():
        for burst in failed_login_bursts(org_events):
            assert burst[-1].occurredAt - burst[0].occurredAt < timedelta(minutes=15)


def test_admin_at_night_or_weekend(events: dict[str, list[AuditEvent]]) -> None:
    for org_id, org_events in events.items():
        off_hours = [
            event
            for event in org_events
            if event.category == "admin"
            and (event.occurredAt.hour < 6 or event.occurredAt.weekday() >= 5)
        ]

        assert len(off_hours) >= 2, org_id


def test_same_millisecond_pairs(events: dict[str, list[AuditEvent]]) -> None:
    for org_id, org_events in events.items():
        per_instant = Counter(event.occurredAt for event in org_events)

        assert sum(1 for count in per_instant.values() if count >= 2) >= 10, org_id


def test_non_ascii_names(trail: SimulatedTrail, events: dict[str, list[AuditEvent]]) -> None:
    agent_names = {name for agents in trail.agents.values() for _, name in agents}
    actor_names = {event.actor.name for event in all_events(events) if event.actor.name}

    assert {"Zoë's Inbox Agent", "Ångström Scheduler", "Łukasz Support Bot"} <= agent_names
    assert {"Zoë Ångström", "José Núñez", "Łukasz Żółć", "渡辺 健"} <= actor_names


def test_formula_like_name(events: dict[str, list[AuditEvent]]) -> None:
    names = {event.actor.name for event in all_events(events)} | {
        event.target.name for event in all_events(events) if event.target is not None
    }

    assert FORMULA_NAME in names
    assert FORMULA_NAME.startswith("=")


def test_agents_three_or_four(trail: SimulatedTrail) -> None:
    for org_id, agents in trail.agents.items():
        assert 3 <= len(agents) <= 4, org_id


def test_agent_created_first(events: dict[str, list[AuditEvent]]) -> None:
    for org_events in events.values():
        first_action: dict[str, str] = {}
        for event in org_events:
            if event.agentId is not None:
                first_action.setdefault(event.agentId, event.action)

        assert first_action
        assert set(first_action.values()) == {"agent.created"}


def test_agent_ids_listed(trail: SimulatedTrail, events: dict[str, list[AuditEvent]]) -> None:
    for org_id, org_events in events.items():
        listed = {agent_id for agent_id, _ in trail.agents[org_id]}
        used = {event.agentId for event in org_events if event.agentId is not None}

        assert used == listed, org_id


def test_agent_created_has_name(events: dict[str, list[AuditEvent]]) -> None:
    created = [event for event in all_events(events) if event.action == "agent.created"]

    assert len(created) == 7
    assert all(event.target is not None and event.target.name for event in created)
