"""The SOC2 controls the summary reports, and which metric each event counts in."""

from __future__ import annotations

from dataclasses import dataclass

from compliance_reports.models.events import Category, Outcome
from compliance_reports.models.stored_events import StoredAuditEvent

BURST_MIN_FAILURES = 5
BURST_MAX_GAP_MINUTES = 10
SPIKE_MIN_DENIED = 10
SPIKE_FACTOR = 3


@dataclass(frozen=True)
class Control:
    id: str
    name: str
    criteria: tuple[str, ...]
    description: str
    metrics: tuple[str, ...]
    # Metric name -> what it is a share of, named as in the control's `denominators`.
    denominators: tuple[str, ...] = ()


CONTROLS: tuple[Control, ...] = (
    Control(
        "CC6.1",
        "Logical access security",
        ("CC6.1",),
        "Sign-ins and access decisions. loginSuccess and loginFailure count auth.login events by "
        "outcome, out of loginAttempts; accessDenied counts access events with outcome denied, out "
        "of accessEvents.",
        ("loginSuccess", "loginFailure", "accessDenied"),
        ("loginAttempts", "accessEvents"),
    ),
    Control(
        "CC6.2/CC6.3",
        "User provisioning and role changes",
        ("CC6.2", "CC6.3"),
        "Administrative changes to users and roles, out of all adminActions. userChanges counts "
        "admin user.* actions other than user.role_changed; roleChanges counts user.role_changed "
        "and role.* actions.",
        ("userChanges", "roleChanges"),
        ("adminActions",),
    ),
    Control(
        "CC6.7",
        "Restriction of data transmission",
        ("CC6.7",),
        "Data loss prevention decisions on data the agents transmit. dlpViolations counts dlp "
        "events, split by severity and by the action taken; outboundMessages counts email.sent "
        "events for scale.",
        ("dlpViolations", "dlpBySeverity", "dlpByAction"),
        ("outboundMessages",),
    ),
    Control(
        "CC7.2",
        "Anomaly monitoring",
        ("CC7.2",),
        f"anomalies counts failed-login bursts: {BURST_MIN_FAILURES} or more auth.login failures "
        f"by one actor with no gap over {BURST_MAX_GAP_MINUTES} minutes count as one anomaly, "
        "including bursts that cross midnight. adminActionsOutsideWorkingHours counts admin "
        "actions by users outside the org's working hours in the report's time zone. "
        f"deniedRequestSpikes counts days with at least {SPIKE_MIN_DENIED} denied requests and at "
        f"least {SPIKE_FACTOR} times the mean of the other days in the period.",
        ("anomalies", "adminActionsOutsideWorkingHours", "deniedRequestSpikes"),
        ("loginFailures", "adminActions", "daysInPeriod"),
    ),
    Control(
        "CC7.3",
        "Security incident evaluation",
        ("CC7.3",),
        "criticalDlpEvents counts dlp events of severity critical, out of dlpViolations; each is "
        "evaluated as a potential security incident.",
        ("criticalDlpEvents",),
        ("dlpViolations",),
    ),
    Control(
        "CC8.1",
        "Change management",
        ("CC8.1",),
        "configurationChanges counts admin actions policy.*, config.* and agent.*, out of all "
        "adminActions.",
        ("configurationChanges",),
        ("adminActions",),
    ),
)


def classify(event: StoredAuditEvent) -> list[tuple[str, str]]:
    """Return the (control id, metric) pairs the event counts in; at most one per control.

    The CC7.2 metrics are computed from whole-period state (bursts, working hours, spikes), so
    they are not listed here.
    """
    action = event.action
    hits: list[tuple[str, str]] = []
    if action == "auth.login" and event.outcome is Outcome.SUCCESS:
        hits.append(("CC6.1", "loginSuccess"))
    elif action == "auth.login" and event.outcome is Outcome.FAILURE:
        hits.append(("CC6.1", "loginFailure"))
    elif event.category is Category.ACCESS and event.outcome is Outcome.DENIED:
        hits.append(("CC6.1", "accessDenied"))

    if event.category is Category.ADMIN:
        if action == "user.role_changed" or action.startswith("role."):
            hits.append(("CC6.2/CC6.3", "roleChanges"))
        elif action.startswith("user."):
            hits.append(("CC6.2/CC6.3", "userChanges"))
        if action.startswith(("policy.", "config.", "agent.")):
            hits.append(("CC8.1", "configurationChanges"))

    if event.category is Category.DLP:
        hits.append(("CC6.7", "dlpViolations"))
        if event.dlp is not None and event.dlp.severity.value == "critical":
            hits.append(("CC7.3", "criticalDlpEvents"))
    return hits


def denominator_counts(event: StoredAuditEvent) -> list[str]:
    """Return the denominators the event counts in."""
    names = []
    if event.action == "auth.login" and event.outcome in (Outcome.SUCCESS, Outcome.FAILURE):
        names.append("loginAttempts")
    if event.action == "auth.login" and event.outcome is Outcome.FAILURE:
        names.append("loginFailures")
    if event.category is Category.ACCESS:
        names.append("accessEvents")
    if event.category is Category.ADMIN:
        names.append("adminActions")
    if event.action == "email.sent":
        names.append("outboundMessages")
    if event.category is Category.DLP:
        names.append("dlpViolations")
    return names
