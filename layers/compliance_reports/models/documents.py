"""The JSON report documents, as models: the source of the committed JSON Schemas in docs/schemas.

The generator writes the documents as streamed JSON, not through these models; a test validates
every generated report against the schemas, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Period(_Strict):
    from_: str = Field(alias="from", description="First day, inclusive (YYYY-MM-DD)")
    to: str = Field(description="Last day, inclusive (YYYY-MM-DD)")
    timezone: str = Field(description="IANA zone the days and all timestamps are in")
    startsAt: str = Field(description="First instant of the period (RFC 3339)")
    endsBefore: str = Field(description="First instant after the period (RFC 3339)")


class Totals(_Strict):
    eventsRead: int = Field(description="Events in the report's population")
    rows: int = Field(description="Data rows of the CSV file")


class ReportHeader(_Strict):
    schemaVersion: str
    reportId: str
    title: str
    orgId: str
    generatedAt: str
    generatedBy: str
    parameters: dict[str, object]
    period: Period
    dataAsOf: str = Field(description="Events stored up to this instant were read")
    totals: Totals
    population: str = Field(description="Which events the report read, in words")


class ActorRef(_Strict):
    type: str
    id: str
    email: str | None = None
    name: str | None = None


class TargetRef(_Strict):
    type: str
    id: str
    name: str | None = None


class SourceRef(_Strict):
    ip: str | None = None
    userAgent: str | None = None


class AuditSummary(_Strict):
    actions: int
    byAction: dict[str, int]
    byActor: dict[str, int]
    byTargetType: dict[str, int]
    byDay: dict[str, int]
    byOutcome: dict[str, int]


class AuditRecord(_Strict):
    occurredAt: str
    eventId: str
    actor: ActorRef
    action: str
    target: TargetRef | None
    agentId: str | None
    outcome: str
    source: SourceRef


class AuditReport(ReportHeader):
    type: Literal["audit"]
    summary: AuditSummary
    records: list[AuditRecord]


class AgentRef(_Strict):
    agentId: str | None
    name: str | None


class Article15(_Strict):
    purposes: list[str] = Field(description="Art. 15(1)(a)")
    categories: list[str] = Field(description="Art. 15(1)(b)")
    recipients: list[str] = Field(description="Art. 15(1)(c)")
    sources: list[str] = Field(description="Art. 15(1)(g)")
    lawfulBases: list[str]
    retention: str = Field(description="Art. 15(1)(d)")
    rights: str = Field(description="Art. 15(1)(e) and (f)")
    automatedDecisionMaking: str = Field(description="Art. 15(1)(h)")


class DataSubject(_Strict):
    subjectId: str
    records: int
    categories: list[str]


class ProcessingRecord(_Strict):
    occurredAt: str
    eventId: str
    action: str
    subjectId: str
    categories: list[str]
    purpose: str
    recipient: str | None
    lawfulBasis: str | None
    source: str | None


class DlpEvent(_Strict):
    occurredAt: str
    eventId: str
    ruleId: str
    ruleName: str
    severity: Literal["low", "medium", "high", "critical"]
    actionTaken: Literal["blocked", "redacted", "quarantined", "flagged"]
    dataTypes: list[str]
    dataCategories: list[str]


class GdprReport(ReportHeader):
    type: Literal["gdpr"]
    agent: AgentRef
    subjectId: str | None
    activity: str
    article15: Article15
    dataSubjects: list[DataSubject]
    records: list[ProcessingRecord]
    dlpEvents: list[DlpEvent]


class Burst(_Strict):
    actorId: str
    firstFailureAt: str
    lastFailureAt: str
    failures: int
    firstEventId: str


class Spike(_Strict):
    day: str
    deniedRequests: int
    meanOfOtherDays: float


class ControlResult(_Strict):
    id: str
    name: str
    criteria: list[str]
    description: str
    metrics: dict[str, int | dict[str, int]]
    denominators: dict[str, int]
    evidence: list[str] = Field(max_length=25)
    anomalies: list[Burst] | None = None
    workingHours: str | None = None
    deniedRequestSpikes: list[Spike] | None = None


class AgentMetrics(_Strict):
    agentId: str
    metrics: dict[str, int | dict[str, int]]


class Completeness(_Strict):
    eventsRead: int
    firstEventAt: str | None
    lastEventAt: str | None
    daysInPeriod: int
    daysWithoutEvents: list[str]
    eventsByDay: dict[str, int]


class Soc2Report(ReportHeader):
    type: Literal["soc2"]
    controls: list[ControlResult]
    agents: list[AgentMetrics]
    completeness: Completeness


DOCUMENT_MODELS: dict[str, type[ReportHeader]] = {
    "soc2": Soc2Report,
    "gdpr": GdprReport,
    "audit": AuditReport,
}
