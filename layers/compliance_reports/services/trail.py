"""The service's own actions, recorded in the org's audit trail as `admin` events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from compliance_reports.adapters.audit_store import AuditStore
from compliance_reports.domain.ids import new_report_id
from compliance_reports.models.events import Actor, AuditEvent, Category, Outcome, Target
from compliance_reports.models.reports import ReportRecord
from compliance_reports.models.settings import DEFAULT_RETENTION_DAYS
from compliance_reports.services.reports import Caller
from compliance_reports.services.scheduling import SCHEDULER


def user_actor(caller: Caller) -> Actor:
    return Actor(type="user", id=caller.subject, email=caller.email)


SCHEDULER_ACTOR = Actor(type="system", id=SCHEDULER, name="Monthly report schedule")


class AuditTrail:
    def __init__(
        self,
        audit: AuditStore,
        clock: Callable[[], datetime],
        retention_days: Callable[[str], int] | None = None,
    ) -> None:
        self._audit = audit
        self._clock = clock
        self._retention_days = retention_days or (lambda _org: DEFAULT_RETENTION_DAYS)

    def record(
        self,
        org_id: str,
        action: str,
        actor: Actor,
        report_id: str,
        details: dict[str, str] | None = None,
    ) -> AuditEvent:
        """Store one admin event about a report, e.g. `report.downloaded`."""
        now = self._clock()
        event = AuditEvent(
            eventId=f"svc-{new_report_id(now)}",
            orgId=org_id,
            occurredAt=now,
            category=Category.ADMIN,
            action=action,
            outcome=Outcome.SUCCESS,
            actor=actor,
            target=Target(type="report", id=report_id),
            details=details or {},
        )
        self._audit.put_events(org_id, [event], self._retention_days(org_id), now)
        return event

    def report_created(self, record: ReportRecord, caller: Caller) -> AuditEvent:
        """Store `report.created` with the user as actor, or the scheduler for a scheduled report."""
        parameters = record.parameters
        period = parameters.get("dateRange", {})
        details = {
            "type": record.type.value,
            "from": str(period.get("from", "")),
            "to": str(period.get("to", "")),
        }
        if parameters.get("agentId"):
            details["agentId"] = str(parameters["agentId"])
        actor = SCHEDULER_ACTOR if record.schedule is not None else user_actor(caller)
        return self.record(record.orgId, "report.created", actor, record.reportId, details)
