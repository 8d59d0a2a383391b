"""Monthly scheduled reports: each org's schedule and the hourly run that creates the reports.

For every enabled schedule, a run creates the report of the latest month that ended in the org's
time zone at least the grace period ago. It also creates the missing reports of earlier months
since the schedule began, marked late. Report ids are derived from the org, type and month, so a
repeated or redelivered run finds the report it created before and creates nothing twice. A
deleted report keeps its tombstone under that id, so its month is not created again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError

from compliance_reports.adapters.control_store import ControlStore
from compliance_reports.adapters.schedule_store import ScheduleItem, ScheduleStore
from compliance_reports.domain.errors import InvalidRequestError, ProblemError
from compliance_reports.domain.ids import derived_report_id
from compliance_reports.domain.months import (
    Month,
    id_instant,
    latest_ended_month,
    month_of,
    months_from,
)
from compliance_reports.domain.periods import load_zone
from compliance_reports.models.reports import (
    AuditRequest,
    DateRange,
    ReportRecord,
    ReportType,
    ScheduledRun,
    Soc2Request,
)
from compliance_reports.models.schedules import SCHEDULED_TYPES, ScheduleConfig, Schedules
from compliance_reports.services.reports import Caller, ReportService

SCHEDULER = "scheduler"
# Reports one run creates per org and type at most; a longer backlog continues in the next run.
MAX_MONTHS_PER_RUN = 12


def scheduled_report_id(org_id: str, report_type: ReportType, month: Month) -> str:
    """Return the report id of an org's scheduled report of one type for one month."""
    return derived_report_id(id_instant(month), org_id, report_type.value, str(month))


@dataclass(frozen=True)
class ScheduleFailure:
    """A scheduled report that could not be created; `message` gives the cause and the fix."""

    org_id: str
    report_type: str
    month: str
    code: str
    message: str


@dataclass
class ScheduleRun:
    """Outcome of one scheduler run."""

    at: datetime
    created: list[ReportRecord] = field(default_factory=list)
    existing: int = 0
    failures: list[ScheduleFailure] = field(default_factory=list)
    orgs: int = 0


class SchedulingService:
    def __init__(
        self,
        schedules: ScheduleStore,
        control: ControlStore,
        reports: ReportService,
        clock: Callable[[], datetime],
        grace: timedelta,
    ) -> None:
        self._schedules = schedules
        self._control = control
        self._reports = reports
        self._clock = clock
        self._grace = grace

    # GET and PUT /compliance/schedules

    def get(self, org_id: str) -> Schedules:
        item = self._schedules.get(org_id)
        return Schedules.model_validate(item.schedules) if item else Schedules()

    def put(self, org_id: str, schedules: Schedules) -> Schedules:
        """Store the org's schedules; a schedule switched on starts with the previous month.

        Agent ids are checked like a report request's, so that a scheduled report does not fail
        later on an unknown agent.
        """
        for report_type in SCHEDULED_TYPES:
            self._check_agents(org_id, report_type, schedules.config(report_type))

        item = self._schedules.get(org_id)
        stored = Schedules.model_validate(item.schedules) if item else Schedules()
        zone = load_zone(self._reports.settings(org_id).timezone)
        first_month = month_of(self._clock(), zone).previous()
        starts: dict[str, str | None] = {}
        for report_type in SCHEDULED_TYPES:
            enabled = schedules.config(report_type).enabled
            started = item is not None and report_type.value in item.starts
            if enabled and not (stored.config(report_type).enabled and started):
                starts[report_type.value] = str(first_month)
            elif not enabled:
                starts[report_type.value] = None
        self._schedules.put(org_id, schedules.model_dump(mode="json"), starts, self._clock())
        return schedules

    def _check_agents(self, org_id: str, report_type: ReportType, config: ScheduleConfig) -> None:
        if not config.agentIds:
            return
        known = self._control.get_agents(org_id, config.agentIds)
        for index, agent_id in enumerate(config.agentIds):
            if agent_id not in known:
                raise InvalidRequestError(
                    f"agent '{agent_id}' is not known in this organisation; pick an agent from "
                    "GET /compliance/agents",
                    field=f"{report_type.value}.agentIds[{index}]",
                )

    # The hourly run

    def run(self, at: datetime | None = None) -> ScheduleRun:
        """Create the reports that are due at `at` (default: now) for every org's schedule."""
        run = ScheduleRun(at=at or self._clock())
        for item in self._schedules.list_all():
            run.orgs += 1
            try:
                self._run_org(item, run)
            except (ClientError, BotoCoreError) as error:
                # One org's failure must not hold up the others; the next run tries it again.
                run.failures.append(
                    ScheduleFailure(item.org_id, "", "", "AWS_ERROR", _aws_error_text(error))
                )
            except ValueError as error:
                # A stored schedule or time zone that no longer validates (pydantic's
                # ValidationError is a ValueError too); the admin has to save it again.
                run.failures.append(
                    ScheduleFailure(
                        item.org_id,
                        "",
                        "",
                        "INVALID_SCHEDULE",
                        f"the stored schedule or time zone is invalid ({error}); save the "
                        "schedules and settings of the org again",
                    )
                )
        return run

    def _run_org(self, item: ScheduleItem, run: ScheduleRun) -> None:
        schedules = Schedules.model_validate(item.schedules)
        zone: ZoneInfo | None = None
        for report_type in SCHEDULED_TYPES:
            config = schedules.config(report_type)
            start = item.starts.get(report_type.value)
            if not config.enabled or start is None:
                continue
            if zone is None:
                zone = load_zone(self._reports.settings(item.org_id).timezone)
            due = latest_ended_month(run.at, zone, self._grace)
            through = item.through.get(report_type.value)
            first = Month.parse(start)
            if through is not None:
                first = max(first, Month.parse(through).next())
            months = months_from(first, due)
            if not months:
                continue

            # The due month first, then the missed ones from the newest back.
            batch = list(reversed(months))[:MAX_MONTHS_PER_RUN]
            complete = len(batch) == len(months)
            for month in batch:
                if not self._ensure(item.org_id, report_type, config, month, due, zone, run):
                    complete = False
            if complete:
                self._schedules.advance(item.org_id, report_type.value, start, str(due))

    def _ensure(
        self,
        org_id: str,
        report_type: ReportType,
        config: ScheduleConfig,
        month: Month,
        due: Month,
        zone: ZoneInfo,
        run: ScheduleRun,
    ) -> bool:
        """Create the month's report unless it exists; return whether it exists afterwards."""
        report_id = scheduled_report_id(org_id, report_type, month)
        if self._control.find_org(report_id) is not None:
            run.existing += 1
            return True

        date_range = DateRange(from_=month.first_day, to=month.last_day)
        request: Soc2Request | AuditRequest
        if report_type is ReportType.SOC2:
            request = Soc2Request(dateRange=date_range, agentIds=config.agentIds, timezone=zone.key)
        else:
            request = AuditRequest(
                dateRange=date_range, agentIds=config.agentIds, timezone=zone.key
            )
        caller = Caller(org_id=org_id, subject=SCHEDULER, role="admin")
        try:
            record = self._reports.create(
                caller,
                report_type,
                request,
                created_by=SCHEDULER,
                report_id=report_id,
                schedule=ScheduledRun(month=str(month), late=month < due),
            )
        except ProblemError as error:
            run.failures.append(
                ScheduleFailure(org_id, report_type.value, str(month), error.code, error.message)
            )
            return False
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "TransactionCanceledException" and self._control.find_org(report_id):
                # Another run created the same report between the check and the write.
                run.existing += 1
                return True
            raise
        run.created.append(record)
        return True


def _aws_error_text(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        detail = error.response["Error"]
        return f"{detail.get('Code')}: {detail.get('Message')}; the next run tries again"
    return f"{type(error).__name__}: {error}; the next run tries again"
