"""Monthly report schedules of an org, as `GET/PUT /compliance/schedules` shows them."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from compliance_reports.models.events import Identifier
from compliance_reports.models.reports import MAX_AGENT_IDS, ReportType

# Report types a schedule can create, in the order the scheduler creates them.
SCHEDULED_TYPES = (ReportType.SOC2, ReportType.AUDIT)


class ScheduleConfig(BaseModel):
    """One monthly report: off, or on for all agents or for the listed agents."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    agentIds: Annotated[list[Identifier], Field(max_length=MAX_AGENT_IDS)] | None = None

    @field_validator("agentIds")
    @classmethod
    def _distinct_or_none(cls, value: list[str] | None) -> list[str] | None:
        # An empty list means no agent filter, the same as leaving agentIds out.
        if not value:
            return None
        return list(dict.fromkeys(value))


class Schedules(BaseModel):
    """The monthly SOC2 summary and audit summary of an org, each for the previous month."""

    model_config = ConfigDict(extra="forbid")

    soc2: ScheduleConfig = ScheduleConfig()
    audit: ScheduleConfig = ScheduleConfig()

    def config(self, report_type: ReportType) -> ScheduleConfig:
        if report_type is ReportType.SOC2:
            return self.soc2
        if report_type is ReportType.AUDIT:
            return self.audit
        raise ValueError(f"report type '{report_type.value}' has no schedule; use soc2 or audit")
