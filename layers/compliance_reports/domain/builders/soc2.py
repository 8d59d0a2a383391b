"""SOC2 summary: counts per Trust Services Criterion, with denominators, evidence ids, anomalies,
per-agent totals and a completeness block."""

from __future__ import annotations

import heapq
from collections import Counter
from datetime import datetime
from typing import Any, ClassVar

from compliance_reports.domain.builders.anomalies import FailureRuns, denied_spikes, from_millis
from compliance_reports.domain.builders.base import CsvValue, ReportBuilder, ReportContext, Row
from compliance_reports.domain.builders.counters import merge_counts
from compliance_reports.domain.builders.soc2_controls import (
    CONTROLS,
    Control,
    classify,
    denominator_counts,
)
from compliance_reports.domain.tally import DEFAULT_MEMORY_KEYS
from compliance_reports.models.events import Category, Outcome, format_utc_millis
from compliance_reports.models.reports import ReportType
from compliance_reports.models.stored_events import StoredAuditEvent

SOC2_CSV_HEADER = ("control_id", "control_name", "metric", "agent_id", "value")
EVIDENCE_LIMIT = 25
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


def _merge_evidence(earlier: list[tuple[str, str]], later: list[Any]) -> list[tuple[str, str]]:
    merged = heapq.merge(earlier, [(str(key), str(event_id)) for key, event_id in later])
    return list(merged)[:EVIDENCE_LIMIT]


class Soc2Builder(ReportBuilder):
    report_type: ClassVar[ReportType] = ReportType.SOC2
    csv_header: ClassVar[tuple[str, ...]] = SOC2_CSV_HEADER

    def __init__(self, context: ReportContext, memory_keys: int = DEFAULT_MEMORY_KEYS) -> None:
        super().__init__(context, memory_keys)
        self.metrics = _empty_metrics()
        self.agent_metrics: dict[str, dict[str, Any]] = {}
        self.denominators: Counter[str] = Counter()
        # control id -> [(sort key, eventId)] in time order, at most EVIDENCE_LIMIT entries
        self.evidence: dict[str, list[tuple[str, str]]] = {control.id: [] for control in CONTROLS}
        self.failure_runs = FailureRuns()
        self.after_hours: list[tuple[str, str]] = []
        self.after_hours_count = 0
        self.denied_by_day: Counter[str] = Counter()
        self.events_by_day: Counter[str] = Counter()
        self.first_event: str | None = None
        self.last_event: str | None = None
        # The time of the last event added, formatted into `last_event` only when the state is read.
        self._last_at: datetime | None = None
        self._zone = context.period.zone
        # classify() and denominator_counts() depend only on these four fields of an event.
        self._classes: dict[
            tuple[Any, ...], tuple[tuple[tuple[str, str], ...], tuple[str, ...]]
        ] = {}

    def _count(self, metrics: dict[str, Any], metric: str, event: StoredAuditEvent) -> None:
        metrics[metric] += 1
        if metric == "dlpViolations" and event.dlp is not None:
            metrics["dlpBySeverity"][event.dlp.severity.value] += 1
            metrics["dlpByAction"][event.dlp.actionTaken.value] += 1

    def _add(self, event: StoredAuditEvent) -> list[tuple[str, Row]]:
        occurred = event.occurredAt
        local = occurred.astimezone(self._zone)
        if self.first_event is None:
            self.first_event = format_utc_millis(occurred)
        self._last_at = occurred
        local_day = local.date().isoformat()
        self.events_by_day[local_day] += 1
        key = (
            event.category,
            event.action,
            event.outcome,
            event.dlp.severity if event.dlp is not None else None,
        )
        classes = self._classes.get(key)
        if classes is None:
            classes = (tuple(classify(event)), tuple(denominator_counts(event)))
            self._classes[key] = classes
        hits, denominators = classes
        for name in denominators:
            self.denominators[name] += 1

        for control_id, metric in hits:
            self._count(self.metrics, metric, event)
            if event.agentId is not None:
                agent = self.agent_metrics.setdefault(event.agentId, _empty_metrics())
                self._count(agent, metric, event)
            if len(self.evidence[control_id]) < EVIDENCE_LIMIT:
                self.evidence[control_id].append((format_utc_millis(occurred), event.eventId))

        if event.action == "auth.login" and event.outcome is Outcome.FAILURE:
            self.failure_runs.add(
                event.actor.id, int(event.occurredAt.timestamp() * 1000), event.eventId
            )
        if event.category is Category.ACCESS and event.outcome is Outcome.DENIED:
            self.denied_by_day[local_day] += 1
        if (
            event.category is Category.ADMIN
            and event.actor.type == "user"
            and not self.context.working_hours.contains(local)
        ):
            self.after_hours_count += 1
            if len(self.after_hours) < EVIDENCE_LIMIT:
                self.after_hours.append((format_utc_millis(occurred), event.eventId))
        return []

    def _sync_last_event(self) -> None:
        if self._last_at is not None:
            self.last_event = format_utc_millis(self._last_at)

    def _state(self) -> dict[str, Any]:
        self._sync_last_event()
        return {
            "metrics": self.metrics,
            "agentMetrics": self.agent_metrics,
            "denominators": dict(self.denominators),
            "evidence": {
                key: [list(item) for item in items] for key, items in self.evidence.items()
            },
            "failureRuns": self.failure_runs.runs,
            "afterHours": [list(item) for item in self.after_hours],
            "afterHoursCount": self.after_hours_count,
            "deniedByDay": dict(self.denied_by_day),
            "eventsByDay": dict(self.events_by_day),
            "firstEvent": self.first_event,
            "lastEvent": self.last_event,
        }

    def _merge(self, summary: dict[str, Any]) -> None:
        _add_metrics(self.metrics, summary["metrics"])
        for agent_id, metrics in summary["agentMetrics"].items():
            _add_metrics(self.agent_metrics.setdefault(agent_id, _empty_metrics()), metrics)
        merge_counts(self.denominators, summary["denominators"])
        for control_id, items in summary["evidence"].items():
            self.evidence[control_id] = _merge_evidence(self.evidence[control_id], items)
        self.failure_runs.merge_later(summary["failureRuns"])
        self.after_hours = _merge_evidence(self.after_hours, summary["afterHours"])
        self.after_hours_count += int(summary["afterHoursCount"])
        merge_counts(self.denied_by_day, summary["deniedByDay"])
        merge_counts(self.events_by_day, summary["eventsByDay"])
        if self.first_event is None:
            self.first_event = summary["firstEvent"]
        if summary["lastEvent"] is not None:
            self.last_event = summary["lastEvent"]

    def _bursts(self) -> list[dict[str, Any]]:
        return [
            {
                "actorId": actor_id,
                "firstFailureAt": self.context.local_time(from_millis(first)),
                "lastFailureAt": self.context.local_time(from_millis(last)),
                "failures": count,
                "firstEventId": first_event,
            }
            for actor_id, first, last, count, first_event in self.failure_runs.bursts()
        ]

    def _control_entry(
        self, control: Control, bursts: list[dict[str, Any]], spikes: list[dict[str, Any]]
    ) -> dict[str, Any]:
        denominators = {name: self.denominators.get(name, 0) for name in control.denominators}
        entry: dict[str, Any] = {
            "id": control.id,
            "name": control.name,
            "criteria": list(control.criteria),
            "description": control.description,
        }
        if control.id == "CC7.2":
            denominators["daysInPeriod"] = len(self.context.period.days())
            entry["metrics"] = {
                "anomalies": len(bursts),
                "adminActionsOutsideWorkingHours": self.after_hours_count,
                "deniedRequestSpikes": len(spikes),
            }
            entry["denominators"] = denominators
            entry["evidence"] = sorted(
                {burst["firstEventId"] for burst in bursts}
                | {eid for _key, eid in self.after_hours}
            )[:EVIDENCE_LIMIT]
            entry["anomalies"] = bursts
            entry["workingHours"] = self.context.working_hours.describe()
            entry["deniedRequestSpikes"] = spikes
            return entry
        entry["metrics"] = {name: self.metrics[name] for name in control.metrics}
        entry["denominators"] = denominators
        entry["evidence"] = [event_id for _key, event_id in self.evidence[control.id]]
        return entry

    def _completeness(self) -> dict[str, Any]:
        days = [day.isoformat() for day in self.context.period.days()]
        return {
            "eventsRead": self.events_read,
            "firstEventAt": self._local(self.first_event),
            "lastEventAt": self._local(self.last_event),
            "daysInPeriod": len(days),
            "daysWithoutEvents": [day for day in days if self.events_by_day.get(day, 0) == 0],
            "eventsByDay": {day: self.events_by_day.get(day, 0) for day in days},
        }

    def _local(self, sort_key: str | None) -> str | None:
        if sort_key is None:
            return None
        return self.context.local_time(datetime.fromisoformat(sort_key))

    def document_fields(self) -> dict[str, Any]:
        self._sync_last_event()
        bursts = self._bursts()
        spikes = denied_spikes(dict(self.denied_by_day), self.context.period.days())
        controls = [self._control_entry(control, bursts, spikes) for control in CONTROLS]
        agents = [
            {"agentId": agent_id, "metrics": self.agent_metrics[agent_id]}
            for agent_id in sorted(self.agent_metrics)
        ]
        return {"controls": controls, "agents": agents, "completeness": self._completeness()}

    def summary_csv_rows(self) -> list[list[CsvValue]]:
        rows: list[list[CsvValue]] = []
        document = self.document_fields()
        for control in document["controls"]:
            rows.extend(_metric_rows(control["id"], control["name"], None, control["metrics"]))
        for agent in document["agents"]:
            for control in CONTROLS:
                metrics = {
                    name: agent["metrics"][name]
                    for name in control.metrics
                    if name in agent["metrics"]
                }
                rows.extend(_metric_rows(control.id, control.name, agent["agentId"], metrics))
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
