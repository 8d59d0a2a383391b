"""Creating, reading, listing and downloading reports for one org."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from compliance_reports.adapters.artifacts import ArtifactStore, report_prefix
from compliance_reports.adapters.control_store import ControlStore, RecordNotPendingError
from compliance_reports.adapters.workflow import WorkflowStarter
from compliance_reports.domain.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    ProblemError,
)
from compliance_reports.domain.ids import new_report_id
from compliance_reports.domain.periods import PeriodError, load_zone, resolve_period, today_in
from compliance_reports.domain.titles import ascii_filename, report_title, utf8_filename
from compliance_reports.models.reports import (
    ArtifactFormat,
    AuditRequest,
    GdprRequest,
    ReportError,
    ReportParameters,
    ReportRecord,
    ReportStatus,
    ReportType,
    ScheduledRun,
    Soc2Request,
)
from compliance_reports.models.settings import OrgSettings

CONTENT_TYPES = {
    ArtifactFormat.JSON: "application/json",
    ArtifactFormat.CSV: "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Caller:
    """The verified identity behind a request."""

    org_id: str
    subject: str
    role: str
    email: str | None = None

    @property
    def display(self) -> str:
        return self.email or self.subject


@dataclass(frozen=True)
class Download:
    url: str
    expires_at: datetime
    filename: str


class GoneError(ProblemError):
    """A resource that existed and was deleted, revoked or expired."""

    status = 410
    code = "GONE"


class InvalidCursorError(ProblemError):
    """A list cursor that this service did not issue for this org."""

    status = 400
    code = "INVALID_CURSOR"


class CursorCodec:
    """Opaque list cursors, signed with HMAC-SHA256 and bound to the org that received them."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, org_id: str, last_key: dict[str, Any]) -> str:
        payload = json.dumps({"org": org_id, "key": last_key}, separators=(",", ":")).encode()
        signature = hmac.new(self._key, payload, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(signature + payload).decode().rstrip("=")

    def decode(self, org_id: str, cursor: str) -> dict[str, Any]:
        invalid = InvalidCursorError(
            "cursor is not valid; pass the nextCursor value of the previous page unchanged, or "
            "leave cursor out to start from the newest report",
            field="cursor",
        )
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (ValueError, TypeError) as error:
            raise invalid from error
        signature, payload = raw[:32], raw[32:]
        expected = hmac.new(self._key, payload, hashlib.sha256).digest()
        if len(raw) <= 32 or not hmac.compare_digest(signature, expected):
            raise invalid
        data = json.loads(payload)
        if data.get("org") != org_id:
            raise invalid
        return dict(data["key"])


START_FAILED = ReportError(
    code="WORKFLOW_START_FAILED",
    message="The report could not be started. Retry the report in a few minutes.",
)
TRAIL_UNAVAILABLE = ReportError(
    code="AUDIT_TRAIL_UNAVAILABLE",
    message=(
        "The report was not started because its creation could not be recorded in the audit "
        "trail. Retry the report in a few minutes."
    ),
)


class ReportService:
    def __init__(
        self,
        control: ControlStore,
        artifacts: ArtifactStore,
        workflow: WorkflowStarter,
        cursor_codec: CursorCodec,
        clock: Callable[[], datetime],
        download_ttl_seconds: int = 300,
        pending_check: Callable[[ReportRecord], ReportRecord] | None = None,
        record_created: Callable[[ReportRecord, Caller], object] | None = None,
    ) -> None:
        self._control = control
        self._artifacts = artifacts
        self._workflow = workflow
        self._cursors = cursor_codec
        self._clock = clock
        self._download_ttl = download_ttl_seconds
        # Reconciles a pending record whose execution may have ended (see LifecycleService).
        self._pending_check = pending_check
        # Stores `report.created` in the org's audit trail (see AuditTrail).
        self._record_created = record_created

    def settings(self, org_id: str) -> OrgSettings:
        stored = self._control.get_settings(org_id)
        return OrgSettings.model_validate(stored) if stored else OrgSettings()

    # Create

    def create(
        self,
        caller: Caller,
        report_type: ReportType,
        request: Soc2Request | AuditRequest | GdprRequest,
        created_by: str | None = None,
        *,
        report_id: str | None = None,
        schedule: ScheduledRun | None = None,
    ) -> ReportRecord:
        """Validate the request against the org's data, store a pending record and start it.

        The scheduler passes a `report_id` derived from the org, type and month; storing the
        record fails with TransactionCanceledException when that id exists.
        """
        now = self._clock()
        settings = self.settings(caller.org_id)
        timezone = request.timezone or settings.timezone
        parameters, agent_names = self._parameters(
            caller.org_id, report_type, request, timezone, settings, now
        )
        report_id = report_id or new_report_id(now)
        agent_name = agent_names.get(parameters.agentId or "") if parameters.agentId else None
        record = ReportRecord(
            reportId=report_id,
            orgId=caller.org_id,
            type=report_type,
            title=report_title(report_id, parameters, agent_name),
            status=ReportStatus.PENDING,
            attempt=1,
            parameters=public_parameters(parameters),
            createdAt=now,
            createdBy=created_by or caller.display,
            schedule=schedule,
        )
        internal = {
            "parameters": parameters.model_dump(mode="json"),
            "retentionDays": settings.retentionDays,
            "workingHours": settings.workingHours.model_dump(mode="json"),
            "agentNames": agent_names,
        }
        subject_id = request.subjectId if isinstance(request, GdprRequest) else None
        self._control.create_report(record, internal, subject_id)
        if self._record_created is not None:
            try:
                self._record_created(record, caller)
            except (ClientError, BotoCoreError):
                # Without the trail event no one could tell who created the report, so it does
                # not run.
                return self._fail_unstarted(record, TRAIL_UNAVAILABLE)
        return self._start(record)

    def _start(self, record: ReportRecord) -> ReportRecord:
        try:
            self._workflow.start(record.reportId, record.attempt)
        except ClientError:
            return self._fail_unstarted(record, START_FAILED)
        return record

    def _fail_unstarted(self, record: ReportRecord, failure: ReportError) -> ReportRecord:
        """Mark a new record failed, so it does not stay pending without an execution behind it."""
        failed = self._control.mark_failed(
            record.orgId, record.reportId, record.attempt, failure, self._clock()
        )
        if failed is None:
            raise RecordNotPendingError(record.reportId)
        return failed

    def _parameters(
        self,
        org_id: str,
        report_type: ReportType,
        request: Soc2Request | AuditRequest | GdprRequest,
        timezone: str,
        settings: OrgSettings,
        now: datetime,
    ) -> tuple[ReportParameters, dict[str, str]]:
        date_range = request.dateRange
        try:
            if isinstance(request, GdprRequest) and date_range is None:
                zone = load_zone(timezone)
                today = today_in(zone, now)
                period_from, period_to = today - timedelta(days=settings.retentionDays - 1), today
            else:
                period = resolve_period(
                    date_range.from_ if date_range else None,
                    date_range.to if date_range else None,
                    timezone,
                    now,
                )
                period_from, period_to = period.date_from, period.date_to
        except PeriodError as error:
            raise InvalidRequestError(error.message, field=error.field) from error

        requested_agents: list[str] = []
        if isinstance(request, GdprRequest):
            requested_agents = [request.agentId]
        elif request.agentIds:
            requested_agents = list(dict.fromkeys(request.agentIds))
        known = self._control.get_agents(org_id, requested_agents)
        for index, agent_id in enumerate(requested_agents):
            if agent_id not in known:
                field = "agentId" if isinstance(request, GdprRequest) else f"agentIds[{index}]"
                raise InvalidRequestError(
                    f"agent '{agent_id}' is not known in this organisation; pick an agent from "
                    "GET /compliance/agents",
                    field=field,
                )
        agent_names = {
            agent_id: info["name"] for agent_id, info in known.items() if info.get("name")
        }

        parameters = ReportParameters(
            type=report_type,
            dateFrom=period_from,
            dateTo=period_to,
            timezone=timezone,
            agentIds=None if isinstance(request, GdprRequest) else (requested_agents or None),
            agentId=request.agentId if isinstance(request, GdprRequest) else None,
            subjectScoped=isinstance(request, GdprRequest) and request.subjectId is not None,
            requestedRange=date_range is not None,
        )
        return parameters, agent_names

    # Read

    def get(self, caller: Caller, report_id: str) -> ReportRecord:
        stored = self._control.get_report(caller.org_id, report_id)
        if stored is None:
            raise NotFoundError(f"report '{report_id}' was not found", field="id")
        record = stored[0]
        if record.status is ReportStatus.PENDING and self._pending_check is not None:
            record = self._pending_check(record)
        return record

    def list(
        self,
        caller: Caller,
        limit: int,
        cursor: str | None,
        report_type: str | None,
        status: str | None,
    ) -> tuple[list[ReportRecord], str | None]:
        start_key = self._cursors.decode(caller.org_id, cursor) if cursor else None
        records, last_key = self._control.list_reports(
            caller.org_id, limit, start_key, report_type, status
        )
        next_cursor = self._cursors.encode(caller.org_id, last_key) if last_key else None
        return records, next_cursor

    def download(self, caller: Caller, report_id: str, artifact_format: ArtifactFormat) -> Download:
        """Mint a presigned URL for a completed report's file; nothing about it is stored."""
        record = self.get(caller, report_id)
        if record.status is ReportStatus.DELETED:
            raise GoneError(f"report '{report_id}' was deleted, so its files are gone", field="id")
        if record.status is not ReportStatus.COMPLETED or not record.artifacts:
            raise ConflictError(
                f"report '{report_id}' is {record.status.value}, not completed; download it once "
                "its status is completed",
                field="id",
            )
        extension = artifact_format.value
        key = report_prefix(record.orgId, record.reportId, record.attempt) + f"report.{extension}"
        expires_at = self._clock() + timedelta(seconds=self._download_ttl)
        url = self._artifacts.presign_download(
            record.orgId,
            key,
            ascii_filename(record.title, extension),
            utf8_filename(record.title, extension),
            CONTENT_TYPES[artifact_format],
            self._download_ttl,
        )
        return Download(
            url=url, expires_at=expires_at, filename=utf8_filename(record.title, extension)
        )


def public_parameters(parameters: ReportParameters) -> dict[str, Any]:
    """Return the request parameters as shown on the record and in the report: no subject id."""
    data = parameters.model_dump(mode="json", exclude_none=True)
    data["dateRange"] = {"from": data.pop("dateFrom"), "to": data.pop("dateTo")}
    data.pop("type", None)
    return data
