"""Audit summary: every administrative action in the period, with totals."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from compliance_reports.domain.builders.base import CsvValue, ReportBuilder, ReportContext, Row
from compliance_reports.domain.builders.counters import merge_counts, sorted_counts
from compliance_reports.domain.tally import DEFAULT_MEMORY_KEYS
from compliance_reports.models.events import Category
from compliance_reports.models.reports import ReportType
from compliance_reports.models.stored_events import StoredAuditEvent

AUDIT_CSV_HEADER = (
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
)


class AuditBuilder(ReportBuilder):
    report_type: ClassVar[ReportType] = ReportType.AUDIT
    sections: ClassVar[tuple[str, ...]] = ("records",)
    csv_section: ClassVar[str | None] = "records"
    csv_header: ClassVar[tuple[str, ...]] = AUDIT_CSV_HEADER

    def __init__(self, context: ReportContext, memory_keys: int = DEFAULT_MEMORY_KEYS) -> None:
        super().__init__(context, memory_keys)
        self.by_action: Counter[str] = Counter()
        self.by_actor: Counter[str] = Counter()
        self.by_target_type: Counter[str] = Counter()
        self.by_day: Counter[str] = Counter()
        self.by_outcome: Counter[str] = Counter()

    def _add(self, event: StoredAuditEvent) -> list[tuple[str, Row]]:
        if event.category is not Category.ADMIN:
            return []

        local_day = event.occurredAt.astimezone(self.context.period.zone).date().isoformat()
        self.by_action[event.action] += 1
        self.by_actor[event.actor.id] += 1
        self.by_target_type[event.target.type if event.target else "none"] += 1
        self.by_day[local_day] += 1
        self.by_outcome[event.outcome.value] += 1

        record: Row = {
            "occurredAt": self.context.local_time(event.occurredAt),
            "eventId": event.eventId,
            "actor": event.actor.model_dump(mode="json", exclude_none=True),
            "action": event.action,
            "target": event.target.model_dump(mode="json", exclude_none=True)
            if event.target
            else None,
            "agentId": event.agentId,
            "outcome": event.outcome.value,
            "source": event.source.model_dump(mode="json", exclude_none=True),
        }
        return [("records", record)]

    def _state(self) -> dict[str, Any]:
        return {
            "byAction": dict(self.by_action),
            "byActor": dict(self.by_actor),
            "byTargetType": dict(self.by_target_type),
            "byDay": dict(self.by_day),
            "byOutcome": dict(self.by_outcome),
        }

    def _merge(self, summary: dict[str, Any]) -> None:
        merge_counts(self.by_action, summary["byAction"])
        merge_counts(self.by_actor, summary["byActor"])
        merge_counts(self.by_target_type, summary["byTargetType"])
        merge_counts(self.by_day, summary["byDay"])
        merge_counts(self.by_outcome, summary["byOutcome"])

    def document_fields(self) -> dict[str, Any]:
        return {
            "summary": {
                "actions": sum(self.by_action.values()),
                "byAction": sorted_counts(self.by_action),
                "byActor": sorted_counts(self.by_actor),
                "byTargetType": sorted_counts(self.by_target_type),
                "byDay": sorted_counts(self.by_day),
                "byOutcome": sorted_counts(self.by_outcome),
            }
        }

    def csv_rows(self, section: str, row: Row) -> list[list[CsvValue]]:
        if section != "records":
            return []
        actor = row["actor"]
        target = row["target"] or {}
        return [
            [
                row["occurredAt"],
                row["eventId"],
                actor["type"],
                actor["id"],
                actor.get("email"),
                row["action"],
                target.get("type"),
                target.get("id"),
                row["agentId"],
                row["outcome"],
                row["source"].get("ip"),
            ]
        ]
