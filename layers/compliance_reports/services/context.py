"""Loading what a generation step needs from the report record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from compliance_reports.adapters.artifacts import report_prefix
from compliance_reports.adapters.control_store import ControlStore, RecordNotPendingError
from compliance_reports.domain.builders.anomalies import WorkingHours
from compliance_reports.domain.builders.base import ReportContext
from compliance_reports.domain.periods import Period
from compliance_reports.models.reports import ReportParameters, ReportRecord, ReportStatus


@dataclass(frozen=True)
class LoadedReport:
    record: ReportRecord
    parameters: ReportParameters
    internal: dict[str, Any]
    context: ReportContext
    prefix: str


def load_report(control: ControlStore, report_id: str, attempt: int) -> LoadedReport:
    """Read the record of a pending attempt; a record that moved on raises RecordNotPendingError."""
    org_id = control.find_org(report_id)
    stored = control.get_report(org_id, report_id) if org_id else None
    if org_id is None or stored is None:
        raise RecordNotPendingError(report_id)
    record, internal = stored
    if record.status is not ReportStatus.PENDING or record.attempt != attempt:
        raise RecordNotPendingError(report_id)

    parameters = ReportParameters.model_validate(internal["parameters"])
    subject_id = control.subject_of(report_id) if parameters.subjectScoped else None
    context = ReportContext(
        report_id=report_id,
        org_id=org_id,
        report_type=parameters.type,
        period=Period(parameters.dateFrom, parameters.dateTo, parameters.timezone),
        agent_ids=tuple(parameters.agentIds) if parameters.agentIds else None,
        agent_id=parameters.agentId,
        subject_id=subject_id,
        retention_days=int(internal.get("retentionDays", 2555)),
        agent_names=dict(internal.get("agentNames", {})),
        working_hours=_working_hours(internal.get("workingHours")),
    )
    return LoadedReport(
        record, parameters, internal, context, report_prefix(org_id, report_id, attempt)
    )


def _working_hours(stored: dict[str, Any] | None) -> WorkingHours:
    if not stored:
        return WorkingHours()
    return WorkingHours(
        start=time.fromisoformat(stored["start"]),
        end=time.fromisoformat(stored["end"]),
        weekdays=frozenset(int(day) for day in stored["days"]),
    )
