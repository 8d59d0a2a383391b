"""The read form of an audit event, as the audit table stores it.

Ingestion validated every stored event with `AuditEvent` and wrote it with `model_dump_json`, so
reading needs the same shape but not the input checks again: no patterns, lengths or validators.
Skipping them makes reading an event about twice as fast, which matters at millions per report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from compliance_reports.models.events import Category, DlpAction, Outcome, Severity


class _Stored(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoredActor(_Stored):
    type: str
    id: str
    email: str | None = None
    name: str | None = None


class StoredTarget(_Stored):
    type: str
    id: str
    name: str | None = None


class StoredSource(_Stored):
    ip: str | None = None
    userAgent: str | None = None


class StoredPersonalDataEntry(_Stored):
    subjectId: str
    categories: list[str]
    purpose: str
    recipient: str | None = None
    lawfulBasis: str | None = None
    source: str | None = None


class StoredDlpFinding(_Stored):
    ruleId: str
    ruleName: str
    severity: Severity
    actionTaken: DlpAction
    dataTypes: list[str] = []


class StoredAuditEvent(_Stored):
    """Audit event read back from the audit table, with `occurredAt` in UTC to the millisecond."""

    eventId: str
    orgId: str
    occurredAt: datetime
    category: Category
    action: str
    outcome: Outcome
    actor: StoredActor
    agentId: str | None = None
    target: StoredTarget | None = None
    source: StoredSource = StoredSource()
    personalData: list[StoredPersonalDataEntry] = []
    dlp: StoredDlpFinding | None = None
    details: dict[str, Any] = {}
