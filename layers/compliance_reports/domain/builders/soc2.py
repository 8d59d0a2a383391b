"""SOC2 summary: counts per Trust Services Criterion, with evidence ids and per-agent totals."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from compliance_reports.domain.builders.base import CsvValue, ReportBuilder, ReportContext, Row
from compliance_reports.models.events import AuditEvent, Category, Outcome, format_utc_millis
from compliance_reports.models.reports import ReportType

SOC2_CSV_HEADER = ("control_id", "control_name", "metric", "agent_id", "value")
EVIDENCE_LIMIT = 25
BURST_MIN_FAILURES = 5
BURST_MAX_GAP_MS = 10 * 60 * 1000


@dataclass(frozen=True)
class Control:
    id: str
    name: str
    criteria: tuple[str, ...]
    description: str
    metrics: tuple[str, ...]


CONTROLS: tuple[Control, ...] = (
    Control(
        "CC6.1",
        "Logical access security",
        ("CC6.1",),
        "Sign-ins and access decisions. loginSuccess and loginFailure count auth.login events by "
        "outcome; accessDenied counts access events with outcome denied.",
        ("loginSuccess", "loginFailure", "accessDenied"),
    ),
    Control(
        "CC6.2/CC6.3",
        "User provisioning and role changes",
        ("CC6.2", "CC6.3"),
        "Administrative changes to users and roles. userChanges counts admin user.* actions other "
        "than user.role_changed; roleChanges counts user.role_changed and role.* actions.",
        ("userChanges", "roleChanges"),
    ),
    Control(
        "CC6.7",
        "Restriction of data transmission",
        ("CC6.7",),
        "Data loss prevention decisions on data the agents transmit. dlpViolations counts dlp "
        "events, split by severity and by the action taken.",
        ("dlpViolations", "dlpBySeverity", "dlpByAction"),
    ),
    Control(
        "CC7.2",
        "Anomaly monitoring",
        ("CC7.2",),
        f"Failed-login bursts: {BURST_MIN_FAILURES} or more auth.login failures by one actor with "
        "no gap over 10 minutes count as one anomaly, including bursts that cross midnight.",
        ("anomalies",),
    ),
    Control(
        "CC7.3",
        "Security incident evaluation",
        ("CC7.3",),
        "criticalDlpEvents counts dlp events of severity critical, each of which is evaluated as a "
        "potential security incident.",
        ("criticalDlpEvents",),
    ),
    Control(
        "CC8.1",
        "Change management",
        ("CC8.1",),
        "configurationChanges counts admin actions policy.*, config.* and agent.*.",
        ("configurationChanges",),
    ),
)
SEVERITIES = ("low", "medium", "high", "critical")
DLP_ACTIONS = ("blocked", "redacted", "quarantined", "flagged")


def _empty_metrics() -> dict[str, Any]:
    return {
        "loginSuccess": 0,
        "loginFailure": 0,
        "accessDenied": 0,
        "userChanges": 0,
        "roleChanges": 0,
        "dlpViolations": 0,
        "dlpBySeverity": dict.fromkeys(SEVERITIES, 0),
        "dlpByAction": dict.fromkeys(DLP_ACTIONS, 0),
        "criticalDlpEvents": 0,
        "configurationChanges": 0,
    }


def _add_metrics(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict):
            for inner, count in value.items():
                into[key][inner] = into[key].get(inner, 0) + int(count)
        else:
            into[key] = into.get(key, 0) + int(value)


def classify(event: AuditEvent) -> list[tuple[str, str]]:
    """Return the (control id, metric) pairs the event counts in; at most one per control."""
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


class Soc2Builder(ReportBuilder):
    report_type: ClassVar[ReportType] = ReportType.SOC2
    csv_header: ClassVar[tuple[str, ...]] = SOC2_CSV_HEADER

    def __init__(self, context: ReportContext) -> None:
        super().__init__(context)
        self.metrics = _empty_metrics()
        self.agent_metrics: dict[str, dict[str, Any]] = {}
        # control id -> sorted [(sort key, eventId)], at most EVIDENCE_LIMIT entries
        self.evidence: dict[str, list[tuple[str, str]]] = {control.id: [] for control in CONTROLS}
        # actor id -> runs of consecutive login failures [first ms, last ms, count, first eventId],
        # in time order; only the first, the last and runs long enough to be bursts are kept.
        self.runs: dict[str, list[list[Any]]] = {}
        self.first_event: str | None = None
        self.last_event: str | None = None
        self.by_category: Counter[str] = Counter()

    def _count(self, metrics: dict[str, Any], metric: str, event: AuditEvent) -> None:
        metrics[metric] += 1
        if metric == "dlpViolations" and event.dlp is not None:
            metrics["dlpBySeverity"][event.dlp.severity.value] += 1
            metrics["dlpByAction"][event.dlp.actionTaken.value] += 1

    def _add(self, event: AuditEvent) -> list[tuple[str, Row]]:
        sort_key = format_utc_millis(event.occurredAt)
        if self.first_event is None:
            self.first_event = sort_key
        self.last_event = sort_key
        self.by_category[event.category.value] += 1

        for control_id, metric in classify(event):
            self._count(self.metrics, metric, event)
            if event.agentId is not None:
                agent = self.agent_metrics.setdefault(event.agentId, _empty_metrics())
                self._count(agent, metric, event)
            evidence = self.evidence[control_id]
            if len(evidence) < EVIDENCE_LIMIT:
                evidence.append((sort_key, event.eventId))

        if event.action == "auth.login" and event.outcome is Outcome.FAILURE:
            self._track_failure(event)
        return []

    def _track_failure(self, event: AuditEvent) -> None:
        instant = int(event.occurredAt.timestamp() * 1000)
        runs = self.runs.setdefault(event.actor.id, [])
        if runs and instant - runs[-1][1] <= BURST_MAX_GAP_MS:
            runs[-1][1] = instant
            runs[-1][2] += 1
            return
        runs.append([instant, instant, 1, event.eventId])
        _prune_runs(runs)

    def _state(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "agentMetrics": self.agent_metrics,
            "evidence": {
                key: [list(item) for item in items] for key, items in self.evidence.items()
            },
            "runs": self.runs,
            "firstEvent": self.first_event,
            "lastEvent": self.last_event,
            "byCategory": dict(self.by_category),
        }

    def _merge(self, summary: dict[str, Any]) -> None:
        _add_metrics(self.metrics, summary["metrics"])
        for agent_id, metrics in summary["agentMetrics"].items():
            _add_metrics(self.agent_metrics.setdefault(agent_id, _empty_metrics()), metrics)
        for control_id, items in summary["evidence"].items():
            merged = heapq.merge(self.evidence[control_id], [(key, eid) for key, eid in items])
            self.evidence[control_id] = list(merged)[:EVIDENCE_LIMIT]
        for actor_id, later_runs in summary["runs"].items():
            runs = self.runs.setdefault(actor_id, [])
            for run in later_runs:
                if runs and run[0] - runs[-1][1] <= BURST_MAX_GAP_MS:
                    runs[-1][1] = run[1]
                    runs[-1][2] += run[2]
                else:
                    runs.append(list(run))
                _prune_runs(runs)
        if self.first_event is None:
            self.first_event = summary["firstEvent"]
        if summary["lastEvent"] is not None:
            self.last_event = summary["lastEvent"]
        for category, count in summary["byCategory"].items():
            self.by_category[category] += int(count)

    def bursts(self) -> list[dict[str, Any]]:
        found = []
        for actor_id in sorted(self.runs):
            for first, last, count, first_event in self.runs[actor_id]:
                if count >= BURST_MIN_FAILURES:
                    found.append(
                        {
                            "actorId": actor_id,
                            "firstFailureAt": self.context.local_time(_from_millis(first)),
                            "lastFailureAt": self.context.local_time(_from_millis(last)),
                            "failures": count,
                            "firstEventId": first_event,
                        }
                    )
        found.sort(key=lambda burst: (burst["firstFailureAt"], burst["actorId"]))
        return found

    def _control_metrics(self, control: Control, metrics: dict[str, Any]) -> dict[str, Any]:
        return {name: metrics[name] for name in control.metrics if name in metrics}

    def document_fields(self) -> dict[str, Any]:
        bursts = self.bursts()
        controls = []
        for control in CONTROLS:
            metrics = self._control_metrics(control, self.metrics)
            evidence = [event_id for _key, event_id in self.evidence[control.id]]
            if control.id == "CC7.2":
                metrics = {"anomalies": len(bursts)}
                evidence = [burst["firstEventId"] for burst in bursts][:EVIDENCE_LIMIT]
            entry: dict[str, Any] = {
                "id": control.id,
                "name": control.name,
                "criteria": list(control.criteria),
                "description": control.description,
                "metrics": metrics,
                "evidence": evidence,
            }
            if control.id == "CC7.2":
                entry["anomalies"] = bursts
            controls.append(entry)

        agents = [
            {"agentId": agent_id, "metrics": self.agent_metrics[agent_id]}
            for agent_id in sorted(self.agent_metrics)
        ]
        return {"controls": controls, "agents": agents}

    def summary_csv_rows(self) -> list[list[CsvValue]]:
        rows: list[list[CsvValue]] = []
        document = self.document_fields()
        for control in document["controls"]:
            rows.extend(_metric_rows(control["id"], control["name"], None, control["metrics"]))
        names = {control.id: control.name for control in CONTROLS}
        for agent in document["agents"]:
            for control in CONTROLS:
                metrics = self._control_metrics(control, agent["metrics"])
                rows.extend(_metric_rows(control.id, names[control.id], agent["agentId"], metrics))
        return rows


def _metric_rows(
    control_id: str, control_name: str, agent_id: str | None, metrics: dict[str, Any]
) -> list[list[CsvValue]]:
    rows: list[list[CsvValue]] = []
    for name, value in metrics.items():
        if isinstance(value, dict):
            for inner, count in value.items():
                rows.append([control_id, control_name, f"{name}.{inner}", agent_id, count])
        else:
            rows.append([control_id, control_name, name, agent_id, value])
    return rows


def _prune_runs(runs: list[list[Any]]) -> None:
    """Drop closed runs in the middle that are too short to be bursts; edges may still join."""
    if len(runs) < 3:
        return
    middle = runs[-2]
    if middle[2] < BURST_MIN_FAILURES:
        del runs[-2]


def _from_millis(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)
