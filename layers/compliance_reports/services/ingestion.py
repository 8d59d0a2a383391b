"""Ingestion: validate native or OCSF events, store each once, and keep the agent directory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError

from compliance_reports.adapters.audit_store import AuditStore
from compliance_reports.adapters.control_store import ControlStore
from compliance_reports.domain.ocsf import OcsfMappingError, detect_format, map_ocsf_event
from compliance_reports.models.events import AuditEvent
from compliance_reports.models.settings import DEFAULT_RETENTION_DAYS

EventFormat = Literal["auto", "native", "ocsf"]


@dataclass
class IngestReport:
    accepted: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)

    def as_response(self) -> dict[str, Any]:
        counts = {"accepted": self.accepted}
        for status in ("duplicate", "conflict", "invalid"):
            counts[status] = sum(1 for result in self.results if result["status"] == status)
        return {**counts, "results": self.results}


def validation_reason(error: ValidationError) -> str:
    """Return the first validation problem as 'field: message'."""
    first = error.errors(include_url=False)[0]
    location = ".".join(str(part) for part in first["loc"]) or "event"
    return f"{location}: {first['msg']}"


class IngestionService:
    def __init__(
        self,
        audit: AuditStore,
        control: ControlStore,
        clock: Callable[[], datetime],
        retention_days: Callable[[str], int] | None = None,
    ) -> None:
        self._audit = audit
        self._control = control
        self._clock = clock
        self._retention_days = retention_days or (lambda _org: DEFAULT_RETENTION_DAYS)

    def _normalise(self, org_id: str, raw: Any, event_format: EventFormat) -> AuditEvent:
        if not isinstance(raw, dict):
            raise ValueError("event: each event must be a JSON object")
        kind = detect_format(raw) if event_format == "auto" else event_format
        data = map_ocsf_event(raw, org_id) if kind == "ocsf" else dict(raw)
        data.setdefault("orgId", org_id)
        if data["orgId"] != org_id:
            raise ValueError(
                f"orgId: the event names org '{data['orgId']}' but the token's org is '{org_id}'; "
                "send events of your own organisation only"
            )
        return AuditEvent.model_validate(data)

    def ingest(
        self, org_id: str, raw_events: Sequence[Any], event_format: EventFormat = "auto"
    ) -> IngestReport:
        """Validate and store events; invalid ones are reported and the rest are still stored."""
        report = IngestReport()
        valid: list[tuple[int, AuditEvent]] = []
        results: dict[int, dict[str, Any]] = {}
        for index, raw in enumerate(raw_events):
            event_id = raw.get("eventId") if isinstance(raw, dict) else None
            try:
                event = self._normalise(org_id, raw, event_format)
            except ValidationError as error:
                results[index] = {
                    "index": index,
                    "eventId": event_id,
                    "status": "invalid",
                    "reason": validation_reason(error),
                }
                continue
            except (OcsfMappingError, ValueError) as error:
                results[index] = {
                    "index": index,
                    "eventId": event_id,
                    "status": "invalid",
                    "reason": str(error),
                }
                continue
            valid.append((index, event))

        if valid:
            outcomes = self._audit.put_events(
                org_id, [event for _, event in valid], self._retention_days(org_id), self._clock()
            )
            for (index, event), outcome in zip(valid, outcomes, strict=True):
                if outcome.status == "accepted":
                    report.accepted += 1
                    continue
                results[index] = {
                    "index": index,
                    "eventId": event.eventId,
                    "status": outcome.status,
                    "reason": outcome.reason,
                }
            self._record_agents(org_id, [event for _, event in valid])

        report.results = [results[index] for index in sorted(results)]
        return report

    def _record_agents(self, org_id: str, events: Sequence[AuditEvent]) -> None:
        agents: dict[str, tuple[str | None, str]] = {}
        days: dict[str, tuple[str, str]] = {}
        for event in events:
            if event.agentId is None:
                continue
            day = event.occurredAt.date().isoformat()
            name = None
            if (
                event.action.startswith("agent.")
                and event.target
                and event.target.id == event.agentId
            ):
                name = event.target.name
            previous_name = agents.get(event.agentId, (None, day))[0]
            first, last = days.get(event.agentId, (day, day))
            days[event.agentId] = (min(first, day), max(last, day))
            agents[event.agentId] = (name or previous_name, day)
        for agent_id, (first, last) in days.items():
            name = agents[agent_id][0]
            self._control.upsert_agents(org_id, {agent_id: (name, first)})
            if last != first:
                self._control.upsert_agents(org_id, {agent_id: (None, last)})
