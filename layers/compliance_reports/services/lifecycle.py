"""A report's life after creation: reconciliation, retry, deletion and events.

A report never stays `pending` unnoticed. Three paths mark a record `failed` when its execution
ended without doing so itself: the execution-status rule, the periodic sweeper and a read of a
stale record. Each writes with the same condition as the generator (`status = pending AND
attempt = :attempt`), so none of them overwrites a completed report or a newer attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from compliance_reports.adapters.control_store import (
    ControlStore,
    RecordChangedError,
)
from compliance_reports.adapters.event_bus import (
    REPORT_DELETED,
    REPORT_STATE_CHANGED,
    EventPublisher,
    EventPublishError,
)
from compliance_reports.adapters.workflow import ExecutionState, WorkflowStarter
from compliance_reports.domain.errors import ConflictError, NotFoundError
from compliance_reports.models.events import format_utc_millis
from compliance_reports.models.reports import (
    AttemptRecord,
    Progress,
    ReportError,
    ReportRecord,
    ReportStatus,
)
from compliance_reports.services.generation import failure_of
from compliance_reports.services.ingestion import IngestionService
from compliance_reports.services.reports import START_FAILED, Caller

# Each retry adds an entry to the record's history; past this many attempts a new report is
# the better way to try again.
MAX_ATTEMPTS = 20
SWEEP_LIMIT = 200


def ended_execution_failure(state: ExecutionState | None) -> ReportError:
    """Return the reason shown on a record whose execution ended without marking it."""
    if state is None:
        return ReportError(
            code="NOT_STARTED",
            message="Report generation never started. Retry the report.",
        )
    if state.status == "TIMED_OUT":
        return failure_of("States.Timeout", "")
    if state.status == "ABORTED":
        return ReportError(
            code="ABORTED",
            message="Report generation was stopped before it finished. Retry the report.",
        )
    if state.status == "SUCCEEDED":
        return ReportError(
            code="GENERATION_FAILED",
            message="Report generation ended without recording its result. Retry the report.",
        )
    return failure_of(state.error, state.cause)


@dataclass(frozen=True)
class SweepResult:
    """Outcome of one sweep over records pending longer than the pending timeout."""

    checked: int
    failed: list[ReportRecord] = field(default_factory=list)
    still_running: int = 0


@dataclass(frozen=True)
class DeleteResult:
    record: ReportRecord
    # False when the report was already deleted; the deletion event is sent again anyway.
    newly_deleted: bool


class LifecycleService:
    def __init__(
        self,
        control: ControlStore,
        workflow: WorkflowStarter,
        events: EventPublisher,
        ingestion: IngestionService,
        clock: Callable[[], datetime],
        pending_timeout_seconds: int,
    ) -> None:
        self._control = control
        self._workflow = workflow
        self._events = events
        self._ingestion = ingestion
        self._clock = clock
        self._pending_timeout = timedelta(seconds=pending_timeout_seconds)

    # Events

    def announce(self, record: ReportRecord) -> None:
        """Put "Report State Changed" on the bus for a report that completed or failed."""
        self._events.publish(
            REPORT_STATE_CHANGED,
            {
                "orgId": record.orgId,
                "reportId": record.reportId,
                "attempt": record.attempt,
                "status": record.status.value,
            },
        )

    def try_announce(self, record: ReportRecord) -> str | None:
        """Announce the record; return the error text instead of raising when the bus rejects
        the event or cannot be reached, because the caller's record is already stored."""
        try:
            self.announce(record)
        except (EventPublishError, ClientError, BotoCoreError) as error:
            return f"{type(error).__name__}: {error}"
        return None

    # Reconciliation

    def is_stale(self, record: ReportRecord) -> bool:
        """Return whether a pending record has waited longer than any execution of it may run."""
        return (
            record.status is ReportStatus.PENDING
            and self._clock() - record.attempt_started_at > self._pending_timeout
        )

    def check_pending(self, record: ReportRecord) -> ReportRecord:
        """Return the record as a read should show it: a stale pending record whose execution
        has ended (or never started) is marked failed first."""
        if not self.is_stale(record):
            return record
        failed = self._fail_if_ended(record)
        if failed is not None:
            self.announce(failed)
            return failed
        return record

    def sweep(self, limit: int = SWEEP_LIMIT) -> SweepResult:
        """Check up to `limit` records pending longer than the timeout, oldest first, against
        their executions; mark those whose execution ended failed."""
        cutoff = self._clock() - self._pending_timeout
        candidates = self._control.pending_reports(cutoff, limit)
        failed: list[ReportRecord] = []
        running = 0
        for org_id, report_id in candidates:
            stored = self._control.get_report(org_id, report_id)
            if stored is None or not self.is_stale(stored[0]):
                continue
            record = self._fail_if_ended(stored[0])
            if record is None:
                running += 1
            else:
                failed.append(record)
        return SweepResult(checked=len(candidates), failed=failed, still_running=running)

    def execution_ended(
        self, report_id: str, attempt: int, status: str, error: str = "", cause: str = ""
    ) -> ReportRecord | None:
        """Mark the attempt failed after its execution ended with `status` (FAILED, TIMED_OUT or
        ABORTED). Returns None when the record already left `pending` for this attempt."""
        org_id = self._control.find_org(report_id)
        if org_id is None:
            return None
        failure = ended_execution_failure(ExecutionState(status=status, error=error, cause=cause))
        return self._mark_failed(org_id, report_id, attempt, failure)

    def _fail_if_ended(self, record: ReportRecord) -> ReportRecord | None:
        state = self._workflow.describe(record.reportId, record.attempt)
        if state is not None and not state.ended:
            return None
        return self._mark_failed(
            record.orgId, record.reportId, record.attempt, ended_execution_failure(state)
        )

    def _mark_failed(
        self, org_id: str, report_id: str, attempt: int, failure: ReportError
    ) -> ReportRecord | None:
        return self._control.mark_failed(org_id, report_id, attempt, failure, self._clock())

    # Retry

    def retry(self, caller: Caller, report_id: str) -> ReportRecord:
        """Run a failed report again as attempt n+1, keeping the failed attempt in `history`."""
        record = self._get(caller, report_id)
        if record.status is not ReportStatus.FAILED:
            raise ConflictError(
                f"report '{report_id}' is {record.status.value}; only a failed report can be "
                "retried",
                field="id",
            )
        if record.attempt >= MAX_ATTEMPTS:
            raise ConflictError(
                f"report '{report_id}' has failed {record.attempt} times, the maximum; create a "
                "new report instead",
                field="id",
            )

        now = self._clock()
        finished = AttemptRecord(
            attempt=record.attempt,
            status=ReportStatus.FAILED,
            startedAt=record.attempt_started_at,
            endedAt=record.completedAt,
            error=record.error,
        )
        next_attempt = record.model_copy(
            update={
                "status": ReportStatus.PENDING,
                "attempt": record.attempt + 1,
                "history": [*record.history, finished],
                "startedAt": now,
                "completedAt": None,
                "error": None,
                "artifacts": None,
                "rowCount": None,
                "progress": Progress(),
            }
        )
        try:
            self._control.start_attempt(next_attempt, failed_attempt=record.attempt)
        except RecordChangedError as error:
            raise ConflictError(
                f"report '{report_id}' changed while it was being retried; read it again and "
                "retry it if it is still failed",
                field="id",
            ) from error
        return self._start(next_attempt)

    def _start(self, record: ReportRecord) -> ReportRecord:
        try:
            self._workflow.start(record.reportId, record.attempt)
        except ClientError:
            # The record must not stay pending without an execution behind it.
            failed = self._mark_failed(record.orgId, record.reportId, record.attempt, START_FAILED)
            if failed is None:
                stored = self._control.get_report(record.orgId, record.reportId)
                return stored[0] if stored else record
            self.announce(failed)
            return failed
        return record

    # Delete

    def delete(
        self, caller: Caller, report_id: str, source: dict[str, str] | None = None
    ) -> DeleteResult:
        """Replace a completed or failed report by a tombstone and have its files removed.

        The record stays with status `deleted`, so lists show the deletion and a schedule never
        creates that month again. "Report Deleted" on the bus makes the deleter remove every
        version of the files, and `report.deleted` goes into the org's audit trail. A pending
        report cannot be deleted, because its running execution would write files afterwards.
        """
        record = self._get(caller, report_id)
        if record.status is ReportStatus.DELETED:
            # Repeating the deletion repairs a first request that failed after the tombstone
            # was written: the files are removed again and the audit event is stored if missing.
            self._publish_deletion(record)
            self._record_deletion(caller, record, source or {})
            return DeleteResult(record, newly_deleted=False)
        if record.status is ReportStatus.PENDING:
            raise ConflictError(
                f"report '{report_id}' is pending; delete it once it has completed or failed",
                field="id",
            )

        now = self._clock()
        tombstone = record.model_copy(
            update={
                "status": ReportStatus.DELETED,
                "artifacts": None,
                "deletedAt": now,
                "deletedBy": caller.display,
            }
        )
        try:
            self._control.mark_deleted(tombstone, previous=record.status)
        except RecordChangedError as error:
            raise ConflictError(
                f"report '{report_id}' changed while it was being deleted; read it again and "
                "delete it if it should still go",
                field="id",
            ) from error
        self._publish_deletion(tombstone)
        self._record_deletion(caller, tombstone, source or {})
        return DeleteResult(tombstone, newly_deleted=True)

    def _publish_deletion(self, record: ReportRecord) -> None:
        self._events.publish(REPORT_DELETED, {"orgId": record.orgId, "reportId": record.reportId})

    def _record_deletion(
        self, caller: Caller, record: ReportRecord, source: dict[str, str]
    ) -> None:
        """Store `report.deleted` in the org's audit trail, once per report.

        The event id is fixed per report, so a repeated deletion stores nothing new: ingestion
        reports it as a duplicate, or as a conflict when another admin or address repeated it.
        """
        actor: dict[str, Any] = {"type": "user", "id": caller.subject}
        if caller.email:
            actor["email"] = caller.email
        event = {
            "eventId": f"report.deleted.{record.reportId}",
            "occurredAt": format_utc_millis(record.deletedAt or self._clock()),
            "category": "admin",
            "action": "report.deleted",
            "outcome": "success",
            "actor": actor,
            "target": {"type": "report", "id": record.reportId, "name": record.title},
            "source": {name: value for name, value in source.items() if value},
            "details": {"attempts": record.attempt},
        }
        result = self._ingestion.ingest(record.orgId, [event], "native")
        if result.results and result.results[0]["status"] not in {"duplicate", "conflict"}:
            outcome = result.results[0]
            raise RuntimeError(
                f"report.deleted of report {record.reportId} was not stored in the audit trail: "
                f"{outcome['status']}, {outcome['reason']}"
            )

    def _get(self, caller: Caller, report_id: str) -> ReportRecord:
        stored = self._control.get_report(caller.org_id, report_id)
        if stored is None:
            raise NotFoundError(f"report '{report_id}' was not found", field="id")
        return stored[0]
