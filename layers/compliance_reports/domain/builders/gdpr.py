"""GDPR Art. 15 export: what one agent did with personal data, optionally for one data subject."""

from __future__ import annotations

from typing import Any, ClassVar

from compliance_reports.domain.builders.base import (
    CsvValue,
    ReportBuilder,
    ReportContext,
    Row,
    StreamedArray,
)
from compliance_reports.domain.tally import DEFAULT_MEMORY_KEYS, Entry
from compliance_reports.models.events import Category
from compliance_reports.models.reports import ReportType
from compliance_reports.models.stored_events import StoredAuditEvent, StoredPersonalDataEntry

GDPR_CSV_HEADER = (
    "occurred_at",
    "event_id",
    "action",
    "subject_id",
    "data_categories",
    "purpose",
    "recipient",
    "lawful_basis",
)
ANOTHER_SUBJECT = "another data subject"
STAFF_MEMBER = "staff member"

AUTOMATED_DECISION_MAKING = (
    "The agent reads, sorts, drafts and sends email and calendar entries on behalf of the "
    "organisation's staff under the policies its administrators set. It makes no decision based "
    "solely on automated processing that has legal or similarly significant effects on the data "
    "subject (GDPR Art. 22). Messages the DLP policy blocks, redacts or quarantines are held for "
    "review by a member of staff; a data subject may ask the organisation for human review of any "
    "action the agent took, and may contest it."
)
RIGHTS = (
    "The data subject may request rectification or erasure of personal data, restriction of "
    "processing, or object to processing (GDPR Art. 16-18 and 21), and may lodge a complaint with "
    "a supervisory authority, in particular in the Member State of their habitual residence, place "
    "of work or of the alleged infringement (GDPR Art. 77)."
)


def _is_person_reference(value: str, event: StoredAuditEvent) -> bool:
    """Tell whether a recipient or source names a person rather than an organisation."""
    if "@" in value:
        return True
    return any(entry.subjectId == value for entry in event.personalData)


def _is_staff_reference(value: str, event: StoredAuditEvent) -> bool:
    actor = event.actor
    return actor.type == "user" and value in {actor.id, actor.email, actor.name}


class GdprBuilder(ReportBuilder):
    report_type: ClassVar[ReportType] = ReportType.GDPR
    sections: ClassVar[tuple[str, ...]] = ("records", "dlpEvents")
    csv_section: ClassVar[str | None] = "records"
    csv_header: ClassVar[tuple[str, ...]] = GDPR_CSV_HEADER
    tallied_sections: ClassVar[tuple[str, ...]] = ("dataSubjects", "recipients", "sources")

    def __init__(self, context: ReportContext, memory_keys: int = DEFAULT_MEMORY_KEYS) -> None:
        super().__init__(context, memory_keys)
        self.subjects = self.tallies["dataSubjects"]
        # Unscoped exports name every recipient and source, which can be millions of addresses.
        self.recipients = self.tallies["recipients"]
        self.sources = self.tallies["sources"]
        self.purposes: set[str] = set()
        self.categories: set[str] = set()
        self.lawful_bases: set[str] = set()
        self.first_activity: str | None = None
        self.last_activity: str | None = None

    @property
    def scoped(self) -> bool:
        return self.context.subject_id is not None

    def _reference(self, value: str | None, event: StoredAuditEvent) -> str | None:
        """Return `value`, or a category in its place when a subject-scoped export must hide it."""
        if value is None or not self.scoped:
            return value
        if value == self.context.subject_id:
            return value
        if _is_staff_reference(value, event):
            return STAFF_MEMBER
        if _is_person_reference(value, event):
            return ANOTHER_SUBJECT
        return value

    def _entries(self, event: StoredAuditEvent) -> list[StoredPersonalDataEntry]:
        if not self.scoped:
            return list(event.personalData)
        return [entry for entry in event.personalData if entry.subjectId == self.context.subject_id]

    def _add(self, event: StoredAuditEvent) -> list[tuple[str, Row]]:
        entries = self._entries(event)
        if not entries:
            return []

        occurred_at = self.context.local_time(event.occurredAt)
        if self.first_activity is None:
            self.first_activity = occurred_at
        self.last_activity = occurred_at

        rows: list[tuple[str, Row]] = []
        for entry in entries:
            recipient = self._reference(entry.recipient, event)
            source = self._reference(entry.source, event)
            self.purposes.add(entry.purpose)
            self.categories.update(entry.categories)
            if recipient:
                self.recipients.add(recipient, ())
            if source:
                self.sources.add(source, ())
            if entry.lawfulBasis:
                self.lawful_bases.add(entry.lawfulBasis)
            self.subjects.add(entry.subjectId, entry.categories)

            rows.append(
                (
                    "records",
                    {
                        "occurredAt": occurred_at,
                        "eventId": event.eventId,
                        "action": event.action,
                        "subjectId": entry.subjectId,
                        "categories": sorted(entry.categories),
                        "purpose": entry.purpose,
                        "recipient": recipient,
                        "lawfulBasis": entry.lawfulBasis,
                        "source": source,
                    },
                )
            )

        if event.category is Category.DLP and event.dlp is not None:
            dlp = event.dlp
            rows.append(
                (
                    "dlpEvents",
                    {
                        "occurredAt": occurred_at,
                        "eventId": event.eventId,
                        "ruleId": dlp.ruleId,
                        "ruleName": dlp.ruleName,
                        "severity": dlp.severity.value,
                        "actionTaken": dlp.actionTaken.value,
                        "dataTypes": list(dlp.dataTypes),
                        "dataCategories": sorted(
                            {c for entry in entries for c in entry.categories}
                        ),
                    },
                )
            )
        return rows

    def _state(self) -> dict[str, Any]:
        return {
            "purposes": sorted(self.purposes),
            "categories": sorted(self.categories),
            "lawfulBases": sorted(self.lawful_bases),
            "firstActivity": self.first_activity,
            "lastActivity": self.last_activity,
        }

    def _merge(self, summary: dict[str, Any]) -> None:
        self.purposes.update(summary["purposes"])
        self.categories.update(summary["categories"])
        self.lawful_bases.update(summary["lawfulBases"])
        if self.first_activity is None:
            self.first_activity = summary["firstActivity"]
        if summary["lastActivity"] is not None:
            self.last_activity = summary["lastActivity"]

    def document_fields(self) -> dict[str, Any]:
        context = self.context
        agent_name = context.agent_names.get(context.agent_id or "")
        records = self.section_rows.get("records", 0)
        if records == 0:
            activity = (
                "The agent processed no personal data"
                + (" of this data subject" if self.scoped else "")
                + " in the period."
            )
        else:
            activity = (
                f"The agent processed personal data in {records} recorded operations between "
                f"{self.first_activity} and {self.last_activity}."
            )
        return {
            "agent": {"agentId": context.agent_id, "name": agent_name},
            "subjectId": context.subject_id,
            "activity": activity,
            "article15": {
                "purposes": sorted(self.purposes),
                "categories": sorted(self.categories),
                "recipients": StreamedArray("recipients"),
                "sources": StreamedArray("sources"),
                "lawfulBases": sorted(self.lawful_bases),
                "retention": (
                    f"Audit events, including these processing records, are kept for "
                    f"{context.retention_days} days after they occur and are then deleted."
                ),
                "rights": RIGHTS,
                "automatedDecisionMaking": AUTOMATED_DECISION_MAKING,
            },
            "dataSubjects": StreamedArray("dataSubjects"),
        }

    def tally_row(self, section: str, entry: Entry) -> Any:
        if section == "dataSubjects":
            subject, count, categories = entry
            return {"subjectId": subject, "records": count, "categories": categories}
        if section in ("recipients", "sources"):
            return entry[0]
        return super().tally_row(section, entry)

    def csv_rows(self, section: str, row: Row) -> list[list[CsvValue]]:
        if section != "records":
            return []
        return [
            [
                row["occurredAt"],
                row["eventId"],
                row["action"],
                row["subjectId"],
                ";".join(row["categories"]),
                row["purpose"],
                row["recipient"],
                row["lawfulBasis"],
            ]
        ]
