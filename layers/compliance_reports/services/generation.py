"""The generation steps: Plan, Shard, Merge, MarkCompleted and MarkFailed.

Steps pass only ids, counts and S3 keys. Shard partials go to fixed keys under the attempt's
prefix, so a retried step overwrites its own output and Merge reads shards in day order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from compliance_reports import SCHEMA_VERSION
from compliance_reports.adapters.artifacts import (
    ArtifactStore,
    MultipartSink,
    report_prefix,
    spooled_file,
)
from compliance_reports.adapters.audit_store import AuditStore
from compliance_reports.adapters.control_store import ControlStore, RecordNotPendingError
from compliance_reports.domain.builders import ReportBuilder, new_builder
from compliance_reports.domain.errors import (
    ArtifactStorageError,
    GenerationError,
    ShardFailedError,
    TransientError,
)
from compliance_reports.domain.periods import day_start
from compliance_reports.domain.tally import DEFAULT_MEMORY_KEYS, encode_entry
from compliance_reports.domain.writers import CsvEncoder, JsonDocumentEncoder, encode_json_row
from compliance_reports.models.events import format_utc_millis
from compliance_reports.models.reports import (
    ArtifactInfo,
    ReportError,
    ReportRecord,
    ReportStatus,
    ReportType,
)
from compliance_reports.services.context import LoadedReport, load_report

THROTTLING_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "SlowDown",
    "InternalServerError",
    "ServiceUnavailable",
}
GENERIC_FAILURE = (
    "Report generation failed unexpectedly. Retry the report; if it fails again, contact support "
    "with the report id."
)


@contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Turn AWS errors into generation errors with a message a user can act on."""
    try:
        yield
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code in THROTTLING_CODES:
            raise TransientError(
                f"AWS throttled the request while {action}; it is retried."
            ) from error
        if code in {"NoSuchBucket", "AccessDenied", "AllAccessDisabled"}:
            raise ArtifactStorageError(
                f"The report bucket could not be used while {action} ({code}). Ask an operator to "
                "check the report bucket and its permissions, then retry the report."
            ) from error
        raise
    except BotoCoreError as error:
        raise TransientError(
            f"A connection to AWS failed while {action}; it is retried."
        ) from error


class Generator:
    def __init__(
        self,
        control: ControlStore,
        audit: AuditStore,
        artifacts: ArtifactStore,
        clock: Callable[[], datetime],
        *,
        days_per_shard: int = 1,
        page_size: int | None = None,
        memory_keys: int = DEFAULT_MEMORY_KEYS,
    ) -> None:
        self._control = control
        self._audit = audit
        self._artifacts = artifacts
        self._clock = clock
        # Production uses one day per shard. Tests merge days into fewer shards and shrink pages,
        # which shows that the output does not depend on where shards and pages split.
        self._days_per_shard = days_per_shard
        self._page_size = page_size
        # Keys a tally (such as the data subjects) keeps in memory before it spills to disk.
        self._memory_keys = memory_keys

    # Plan

    def plan(self, report_id: str, attempt: int) -> dict[str, Any]:
        """Write the shard manifest: one shard per day of the period, in day order."""
        loaded = load_report(self._control, report_id, attempt)
        days = self._shard_days(loaded)
        groups = [
            days[start : start + self._days_per_shard]
            for start in range(0, len(days), self._days_per_shard)
        ]
        manifest = [
            {"index": index, "day": group[0].isoformat(), "lastDay": group[-1].isoformat()}
            for index, group in enumerate(groups)
        ]
        key = loaded.prefix + "manifest.json"
        with storage_errors("writing the shard manifest"):
            self._artifacts.put_json(key, manifest, partial=True)
            self._artifacts.put_json(
                loaded.prefix + "plan.json",
                {
                    "dataAsOf": format_utc_millis(self._clock()),
                    "shards": len(manifest),
                },
                partial=True,
            )
        self._control.add_progress(
            loaded.record.orgId, report_id, attempt, shards_total=len(manifest)
        )
        return {
            "manifestBucket": self._artifacts.bucket,
            "manifestKey": key,
            "shardsTotal": len(manifest),
        }

    def _shard_days(self, loaded: LoadedReport) -> list[date]:
        days = loaded.context.period.days()
        if loaded.parameters.type is not ReportType.GDPR or loaded.parameters.requestedRange:
            return days
        # An export of all retained events reads only the days the agent was active, padded by
        # a day on each side because the directory keeps UTC dates and the period a local zone.
        agent = self._control.get_agents(loaded.record.orgId, [loaded.parameters.agentId or ""])
        info = agent.get(loaded.parameters.agentId or "")
        if not info or not info.get("firstSeen"):
            return days[-1:]
        first = date.fromisoformat(info["firstSeen"]) - timedelta(days=1)
        last = date.fromisoformat(info["lastSeen"]) + timedelta(days=1)
        active = [day for day in days if first <= day <= last]
        return active or days[-1:]

    # Shard

    def run_shard(self, report_id: str, attempt: int, shard: dict[str, Any]) -> dict[str, Any]:
        """Read one day of the population and write its rows and partial summary."""
        loaded = load_report(self._control, report_id, attempt)
        index = int(shard["index"])
        shard_prefix = f"{loaded.prefix}shards/{index:05d}/"
        try:
            first_day = date.fromisoformat(shard["day"])
            last_day = date.fromisoformat(shard.get("lastDay", shard["day"]))
            events_read = self._run_shard(loaded, first_day, last_day, shard_prefix)
        except RecordNotPendingError:
            raise
        except Exception as error:
            reason = str(error) if isinstance(error, GenerationError) else GENERIC_FAILURE
            with storage_errors("recording a shard failure"):
                self._artifacts.put_json(
                    shard_prefix + "error.json",
                    {
                        "day": shard["day"],
                        "code": getattr(error, "code", "GENERATION_FAILED"),
                        "message": reason,
                    },
                    partial=True,
                )
            raise
        self._control.add_progress(
            loaded.record.orgId, report_id, attempt, shards_done=1, events_read=events_read
        )
        return {"eventsRead": events_read}

    def _run_shard(
        self, loaded: LoadedReport, first_day: date, last_day: date, shard_prefix: str
    ) -> int:
        context = loaded.context
        with closing(new_builder(context, self._memory_keys)) as builder:
            return self._fill_shard(builder, loaded, first_day, last_day, shard_prefix)

    def _fill_shard(
        self,
        builder: ReportBuilder,
        loaded: LoadedReport,
        first_day: date,
        last_day: date,
        shard_prefix: str,
    ) -> int:
        context = loaded.context
        zone = context.period.zone
        start = day_start(first_day, zone)
        end = day_start(last_day + timedelta(days=1), zone)
        agent_ids: list[str] | None = None
        if context.agent_id is not None:
            agent_ids = [context.agent_id]
        elif context.agent_ids:
            agent_ids = list(context.agent_ids)

        # Rows are stored as the report files hold them: JSON lines for the document and, for the
        # CSV section, CSV rows. Merge then copies bytes instead of parsing and encoding each row.
        files = {f"{section}.jsonl": spooled_file() for section in builder.sections}
        csv_file = None
        if builder.csv_section is not None:
            csv_file = files[f"{builder.csv_section}.csv"] = spooled_file()
        csv_encoder = CsvEncoder(builder.csv_header)
        try:
            with storage_errors("reading audit events"):
                events = self._audit.query_range(
                    context.org_id, start, end, agent_ids, self._clock(), page_size=self._page_size
                )
                for event in events:
                    for section, row in builder.add(event):
                        files[f"{section}.jsonl"].write(encode_json_row(row) + b"\n")
                        if csv_file is not None and section == builder.csv_section:
                            csv_file.write(csv_encoder.rows(builder.csv_rows(section, row)))
            for section, tally in builder.tallies.items():
                handle = files[f"{section}.jsonl"] = spooled_file()
                for entry in tally.sorted_entries():
                    handle.write(encode_entry(entry))
            with storage_errors("writing shard results"):
                for name, handle in files.items():
                    self._artifacts.upload_file(
                        shard_prefix + name,
                        handle,
                        "text/csv; charset=utf-8"
                        if name.endswith(".csv")
                        else "application/x-ndjson",
                        partial=True,
                    )
                # The summary is written last: its presence marks the shard as finished.
                self._artifacts.put_json(
                    shard_prefix + "summary.json", builder.state(), partial=True
                )
        finally:
            for handle in files.values():
                handle.close()
        return builder.events_read

    # Merge

    def merge(self, report_id: str, attempt: int) -> dict[str, Any]:
        """Combine the shard summaries, then stream their rows in day order into JSON and CSV."""
        loaded = load_report(self._control, report_id, attempt)
        with storage_errors("reading the shard manifest"):
            manifest: list[dict[str, Any]] = self._artifacts.get_json(
                loaded.prefix + "manifest.json"
            )
            plan = self._artifacts.get_json(loaded.prefix + "plan.json")

        with closing(new_builder(loaded.context, self._memory_keys)) as builder:
            return self._merge(loaded, builder, manifest, plan)

    def _merge(
        self,
        loaded: LoadedReport,
        builder: ReportBuilder,
        manifest: list[dict[str, Any]],
        plan: dict[str, Any],
    ) -> dict[str, Any]:
        shard_prefixes = []
        for shard in manifest:
            shard_prefix = f"{loaded.prefix}shards/{int(shard['index']):05d}/"
            builder.merge_state(self._shard_summary(shard_prefix, shard["day"]))
            shard_prefixes.append(shard_prefix)
        for section, tally in builder.tallies.items():
            for shard_prefix in shard_prefixes:
                # Each shard's file is sorted by key, and the tally merges them in levels on disk.
                with storage_errors("reading shard results"):
                    tally.add_run(
                        partial(self._artifacts.download_into, f"{shard_prefix}{section}.jsonl")
                    )

        header = self._document_header(loaded, builder, plan["dataAsOf"])
        json_sink = self._artifacts.open_sink(loaded.prefix + "report.json", "application/json")
        csv_sink = self._artifacts.open_sink(
            loaded.prefix + "report.csv", "text/csv; charset=utf-8"
        )
        try:
            with storage_errors("writing the report files"):
                self._write_files(builder, header, shard_prefixes, json_sink, csv_sink)
                artifacts = {"json": json_sink.complete(), "csv": csv_sink.complete()}
        except BaseException:
            for sink in (json_sink, csv_sink):
                with suppress(ClientError, BotoCoreError):
                    sink.abort()
            raise
        return {
            "artifacts": artifacts,
            "rowCount": builder.csv_row_count(),
            "eventsRead": builder.events_read,
        }

    def _shard_summary(self, shard_prefix: str, day: str) -> dict[str, Any]:
        # A shard that failed and then succeeded on a retry has both files; the summary wins.
        with storage_errors("reading shard results"):
            summary: dict[str, Any] | None = self._artifacts.get_json_or_none(
                shard_prefix + "summary.json"
            )
            if summary is not None:
                return summary
            failure = self._artifacts.get_json_or_none(shard_prefix + "error.json")
        if failure is not None:
            raise ShardFailedError(f"The shard for {day} failed: {failure['message']}")
        raise ShardFailedError(
            f"The shard for {day} did not finish, so the report would be incomplete. Retry the report."
        )

    def _document_header(
        self, loaded: LoadedReport, builder: ReportBuilder, data_as_of: str
    ) -> dict[str, Any]:
        record = loaded.record
        context = loaded.context
        period = context.period
        header: dict[str, Any] = {
            "schemaVersion": SCHEMA_VERSION,
            "reportId": record.reportId,
            "type": record.type.value,
            "title": record.title,
            "orgId": record.orgId,
            "generatedAt": context.local_time(self._clock()),
            "generatedBy": record.createdBy,
            "parameters": record.parameters,
            "period": {
                "from": period.date_from.isoformat(),
                "to": period.date_to.isoformat(),
                "timezone": period.timezone,
                "startsAt": context.local_time(period.start),
                "endsBefore": context.local_time(period.end),
            },
            "dataAsOf": context.local_time(datetime.fromisoformat(data_as_of)),
            "totals": {"eventsRead": builder.events_read, "rows": builder.csv_row_count()},
            "population": _population_text(loaded),
        }
        header.update(builder.document_fields())
        return header

    def _write_files(
        self,
        builder: ReportBuilder,
        header: dict[str, Any],
        shard_prefixes: list[str],
        json_sink: MultipartSink,
        csv_sink: MultipartSink,
    ) -> None:
        document = JsonDocumentEncoder()
        csv_encoder = CsvEncoder(builder.csv_header)
        csv_sink.write(csv_encoder.header())

        streamed = []
        for part in document.start_parts(header):
            if isinstance(part, bytes):
                json_sink.write(part)
                continue
            # A tallied section, merged from the shards' files while it is written.
            streamed.append(part.name)
            entries = builder.tallies[part.name].sorted_entries()
            items = (builder.tally_row(part.name, entry) for entry in entries)
            for chunk in document.compact_items(items):
                json_sink.write(chunk)
        if sorted(streamed) != sorted(builder.tallies):
            raise ValueError(
                f"the document places the tallied sections {sorted(streamed)}, "
                f"but the builder keeps {sorted(builder.tallies)}"
            )

        for section in builder.sections:
            json_sink.write(document.open_array(section, first_member=False))
            for shard_prefix in shard_prefixes:
                for line in self._artifacts.iter_lines(f"{shard_prefix}{section}.jsonl"):
                    json_sink.write(document.encoded_item(line))
            json_sink.write(document.close_array())
        json_sink.write(document.end())

        if builder.csv_section is None:
            csv_sink.write(csv_encoder.rows(builder.summary_csv_rows()))
            return
        for shard_prefix in shard_prefixes:
            for chunk in self._artifacts.iter_chunks(f"{shard_prefix}{builder.csv_section}.csv"):
                csv_sink.write(chunk)

    # Status changes

    def mark_completed(
        self,
        report_id: str,
        attempt: int,
        artifacts: dict[str, Any],
        row_count: int,
        events_read: int,
    ) -> ReportRecord:
        loaded = load_report(self._control, report_id, attempt)
        now = self._clock()

        def complete(record: ReportRecord) -> ReportRecord:
            return record.model_copy(
                update={
                    "status": ReportStatus.COMPLETED,
                    "completedAt": now,
                    "artifacts": {
                        name: ArtifactInfo.model_validate(info) for name, info in artifacts.items()
                    },
                    "rowCount": row_count,
                    "error": None,
                }
            )

        return self._control.update_record(
            loaded.record.orgId, report_id, attempt, complete, status=ReportStatus.COMPLETED
        )

    def mark_failed(
        self, report_id: str, attempt: int, error: str, cause: str
    ) -> ReportRecord | None:
        """Mark the attempt failed with a code and a message the user can act on.

        Returns None when the record already left `pending` for this attempt (a completed report
        is never overwritten).
        """
        org_id = self._control.find_org(report_id)
        if org_id is None:
            return None
        failure = failure_of(error, cause)
        if failure.code == "SHARD_FAILED" and error != "ShardFailedError":
            # On AWS the Map itself fails first; the shard's own reason is in its error file.
            failure = (
                self._first_shard_failure(report_prefix(org_id, report_id, attempt)) or failure
            )
        return self._control.mark_failed(org_id, report_id, attempt, failure, self._clock())

    def _first_shard_failure(self, prefix: str) -> ReportError | None:
        try:
            manifest = self._artifacts.get_json_or_none(prefix + "manifest.json") or []
            for shard in manifest:
                shard_prefix = f"{prefix}shards/{int(shard['index']):05d}/"
                if self._artifacts.get_json_or_none(shard_prefix + "summary.json") is not None:
                    continue
                failure = self._artifacts.get_json_or_none(shard_prefix + "error.json")
                if failure is not None:
                    return ReportError(
                        code=ShardFailedError.code,
                        message=f"The shard for {shard['day']} failed: {failure['message']}",
                    )
        except (ClientError, BotoCoreError):
            return None
        return None


KNOWN_ERRORS: dict[str, str] = {
    "ShardFailedError": ShardFailedError.code,
    "ArtifactStorageError": ArtifactStorageError.code,
    "GenerationError": GenerationError.code,
    "TransientError": TransientError.code,
}


def failure_of(error: str, cause: str) -> ReportError:
    """Map a Step Functions error name and cause to a code and a user-facing message.

    Only messages of the service's own GenerationError classes are shown; any other exception
    text stays in the execution history for operators.
    """
    if error == "States.Timeout":
        return ReportError(
            code="TIMED_OUT",
            message="Report generation exceeded its time limit. Narrow the date range or the "
            "agents, or retry the report.",
        )
    if error in KNOWN_ERRORS:
        try:
            message = str(json.loads(cause).get("errorMessage") or GENERIC_FAILURE)
        except (ValueError, AttributeError):
            message = GENERIC_FAILURE
        return ReportError(code=KNOWN_ERRORS[error], message=message)
    if error == "States.ExceedToleratedFailureThreshold":
        return ReportError(
            code="SHARD_FAILED", message="A day of the report failed to generate. Retry the report."
        )
    return ReportError(code="GENERATION_FAILED", message=GENERIC_FAILURE)


def _population_text(loaded: LoadedReport) -> str:
    context = loaded.context
    period = context.period
    base = (
        f"Events of org {context.org_id} with {period.date_from.isoformat()} 00:00 <= occurredAt < "
        f"{(period.date_to + timedelta(days=1)).isoformat()} 00:00 in {period.timezone}"
    )
    if context.agent_id is not None:
        return base + f", whose agentId is {context.agent_id}."
    if context.agent_ids:
        return (
            base + f", whose agentId is one of {', '.join(context.agent_ids)}; org-level events "
            "without an agent are outside this report."
        )
    return base + ", for all agents and org-level events."
