"""Report requests, report records and the states a report moves through."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from compliance_reports.models.events import Identifier

MAX_AGENT_IDS = 100


class ReportType(StrEnum):
    SOC2 = "soc2"
    GDPR = "gdpr"
    AUDIT = "audit"


class ReportStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    # A tombstone: the record stays so lists show the deletion and a schedule never recreates
    # the month, while the files are removed.
    DELETED = "deleted"


class ArtifactFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


TimeZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class DateRange(BaseModel):
    """Calendar dates, both inclusive, in the report's time zone."""

    # The order and span rules live in `resolve_period`, which names the offending field.

    from_: date = Field(alias="from")
    to: date

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class _RequestBase(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    orgId: Identifier | None = None
    dateRange: DateRange | None = None
    timezone: TimeZoneName | None = None


class Soc2Request(_RequestBase):
    agentIds: Annotated[list[Identifier], Field(max_length=MAX_AGENT_IDS)] | None = None


class AuditRequest(_RequestBase):
    agentIds: Annotated[list[Identifier], Field(max_length=MAX_AGENT_IDS)] | None = None


class GdprRequest(_RequestBase):
    agentId: Identifier
    subjectId: Identifier | None = None


ReportRequest = Soc2Request | AuditRequest | GdprRequest


class ReportParameters(BaseModel):
    """Report scope after defaults are resolved, stored on the record and in the report."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ReportType
    dateFrom: date
    dateTo: date
    timezone: str
    agentIds: list[str] | None = None
    agentId: str | None = None
    # The subject id itself is kept in a separate control-table item, so that no record field,
    # execution input or log line carries it.
    subjectScoped: bool = False
    requestedRange: bool = True


class ArtifactInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bytes: int
    sha256: str


class Progress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shardsTotal: int = 0
    shardsDone: int = 0
    eventsRead: int = 0


class ReportError(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    message: str


class AttemptRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attempt: int
    status: ReportStatus
    startedAt: datetime
    endedAt: datetime | None = None
    error: ReportError | None = None


class ScheduledRun(BaseModel):
    """The calendar month a scheduled report covers; `late` marks a month created after a later
    month was already due, because the scheduler missed it."""

    model_config = ConfigDict(extra="forbid")

    month: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")]
    late: bool = False


class ReportRecord(BaseModel):
    """A report as the API returns it; S3 keys and the subject id are never part of it."""

    model_config = ConfigDict(extra="forbid")

    reportId: str
    orgId: str
    type: ReportType
    title: str
    status: ReportStatus
    attempt: int
    history: list[AttemptRecord] = []
    parameters: dict[str, Any]
    createdAt: datetime
    createdBy: str
    completedAt: datetime | None = None
    progress: Progress = Progress()
    error: ReportError | None = None
    artifacts: dict[Literal["json", "csv"], ArtifactInfo] | None = None
    rowCount: int | None = None
    # When the current attempt started; absent on a first attempt, which started at createdAt.
    startedAt: datetime | None = None
    schedule: ScheduledRun | None = None
    deletedAt: datetime | None = None
    deletedBy: str | None = None

    @property
    def attempt_started_at(self) -> datetime:
        return self.startedAt or self.createdAt


class ReportList(BaseModel):
    items: list[ReportRecord]
    nextCursor: str | None = None
