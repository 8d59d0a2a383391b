"""The accumulator contract every report type follows.

A builder sees the events of one day shard in (occurredAt, eventId) order. `add` returns the rows
that event contributes to the streamed sections of the JSON document (for example `records`).
`state` and `merge` carry everything else between shards as plain JSON, so Merge can combine the
shards' partial summaries in day order without holding any rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from compliance_reports.domain.builders.anomalies import WorkingHours
from compliance_reports.domain.periods import Period
from compliance_reports.domain.tally import DEFAULT_MEMORY_KEYS, Entry, LabelTally
from compliance_reports.models.reports import ReportType
from compliance_reports.models.stored_events import StoredAuditEvent

Row = dict[str, Any]
CsvValue = str | int | float | None


@dataclass(frozen=True)
class StreamedArray:
    """Placeholder, among a document's leading fields, for an array whose items are streamed."""

    name: str


@dataclass(frozen=True)
class ReportContext:
    """Parameters of the report a builder builds."""

    report_id: str
    org_id: str
    report_type: ReportType
    period: Period
    agent_ids: tuple[str, ...] | None = None
    agent_id: str | None = None
    subject_id: str | None = None
    retention_days: int = 2555
    agent_names: dict[str, str] = field(default_factory=dict)
    working_hours: WorkingHours = field(default_factory=WorkingHours)

    def local_time(self, instant: datetime) -> str:
        """Format `instant` as RFC 3339 with milliseconds and the report zone's offset."""
        local = instant.astimezone(self.period.zone)
        text = local.isoformat(timespec="milliseconds")
        return text


class ReportBuilder(ABC):
    """Accumulator for one report type; subclasses define the sections and the CSV table."""

    report_type: ClassVar[ReportType]
    # Arrays of the JSON document that are streamed row by row, in this order, after the summary.
    sections: ClassVar[tuple[str, ...]] = ()
    # The section whose rows become CSV rows; None when the CSV comes from the summary.
    csv_section: ClassVar[str | None] = None
    csv_header: ClassVar[tuple[str, ...]]
    # Arrays of the JSON document with one entry per key (such as a data subject) over the whole
    # period. They can outgrow memory, so they are not part of the summary: each shard writes its
    # tally sorted by key, and Merge merges the shards' files. `document_fields` marks where each
    # one goes with a `StreamedArray`.
    tallied_sections: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: ReportContext, memory_keys: int = DEFAULT_MEMORY_KEYS) -> None:
        self.context = context
        self.events_read = 0
        self.section_rows: dict[str, int] = dict.fromkeys(self.sections, 0)
        self.tallies: dict[str, LabelTally] = {
            section: LabelTally(memory_keys=memory_keys) for section in self.tallied_sections
        }

    def close(self) -> None:
        """Remove the temporary files of the tallies."""
        for tally in self.tallies.values():
            tally.close()

    def add(self, event: StoredAuditEvent) -> list[tuple[str, Row]]:
        """Count `event` into the summary and return the (section, row) pairs it contributes."""
        self.events_read += 1
        rows = self._add(event)
        for section, _row in rows:
            self.section_rows[section] += 1
        return rows

    @abstractmethod
    def _add(self, event: StoredAuditEvent) -> list[tuple[str, Row]]: ...

    def state(self) -> dict[str, Any]:
        """Return the partial summary as JSON-ready data."""
        return {
            "eventsRead": self.events_read,
            "sectionRows": dict(self.section_rows),
            "summary": self._state(),
        }

    def merge_state(self, state: dict[str, Any]) -> None:
        """Fold the partial summary of the next shard (later in time) into this builder."""
        self.events_read += int(state["eventsRead"])
        for section, count in state["sectionRows"].items():
            self.section_rows[section] = self.section_rows.get(section, 0) + int(count)
        self._merge(state["summary"])

    @abstractmethod
    def _state(self) -> dict[str, Any]: ...

    @abstractmethod
    def _merge(self, summary: dict[str, Any]) -> None: ...

    @abstractmethod
    def document_fields(self) -> dict[str, Any]:
        """Return the type-specific fields that precede the streamed sections."""

    def tally_row(self, section: str, entry: Entry) -> Any:
        """Return the JSON array item for one merged entry of a tallied section."""
        raise KeyError(f"{type(self).__name__} has no tallied section {section!r}")

    def csv_rows(self, section: str, row: Row) -> list[list[CsvValue]]:
        """Return the CSV rows for one streamed row; only `csv_section` rows produce any."""
        return []

    def summary_csv_rows(self) -> list[list[CsvValue]]:
        """Return CSV rows computed from the merged summary, for reports without a row section."""
        return []

    def csv_row_count(self) -> int:
        if self.csv_section is None:
            return len(self.summary_csv_rows())
        return self.section_rows.get(self.csv_section, 0)
