"""Audit event, version 1: the unit the audit store holds and every report reads."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_serializer,
    field_validator,
    model_validator,
)

MAX_DETAILS_BYTES = 8192
MAX_PERSONAL_DATA_ENTRIES = 50

Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f]+$")
]
ShortText = Annotated[str, StringConstraints(max_length=512)]
ActionName = Annotated[
    str, StringConstraints(min_length=3, max_length=128, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
]


class Category(StrEnum):
    ADMIN = "admin"
    AGENT_ACTIVITY = "agent_activity"
    DLP = "dlp"
    ACCESS = "access"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class DlpAction(StrEnum):
    BLOCKED = "blocked"
    REDACTED = "redacted"
    QUARANTINED = "quarantined"
    FLAGGED = "flagged"


def to_utc_millis(value: datetime) -> datetime:
    """Convert an aware datetime to UTC, truncated to millisecond precision."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp has no UTC offset; add 'Z' or an offset such as '+02:00'")
    utc = value.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def format_utc_millis(value: datetime) -> str:
    """Format a UTC datetime as fixed-width RFC 3339 with milliseconds, so strings sort by time."""
    utc = value.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds") + "Z"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Actor(_Model):
    type: Literal["user", "agent", "system", "api_key", "share_link"]
    id: Identifier
    email: ShortText | None = None
    name: ShortText | None = None


class Target(_Model):
    type: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    id: Identifier
    name: ShortText | None = None


class Source(_Model):
    ip: Annotated[str, StringConstraints(max_length=64)] | None = None
    userAgent: ShortText | None = None


class PersonalDataEntry(_Model):
    subjectId: Identifier
    categories: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
        Field(min_length=1, max_length=20),
    ]
    purpose: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    recipient: ShortText | None = None
    lawfulBasis: ShortText | None = None
    source: ShortText | None = None


class DlpFinding(_Model):
    ruleId: Identifier
    ruleName: ShortText
    severity: Severity
    actionTaken: DlpAction
    dataTypes: Annotated[
        list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=20)
    ] = []


def _check_details_size(value: dict[str, Any]) -> dict[str, Any]:
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_DETAILS_BYTES:
        raise ValueError(
            f"details is {size} bytes of JSON; the maximum is {MAX_DETAILS_BYTES}, "
            "so move large content out of the audit event"
        )
    return value


class AuditEvent(_Model):
    """One audit event as stored; `occurredAt` is UTC with millisecond precision."""

    eventId: Identifier
    orgId: Identifier
    occurredAt: datetime
    category: Category
    action: ActionName
    outcome: Outcome
    actor: Actor
    agentId: Identifier | None = None
    target: Target | None = None
    source: Source = Source()
    personalData: Annotated[
        list[PersonalDataEntry], Field(max_length=MAX_PERSONAL_DATA_ENTRIES)
    ] = []
    dlp: DlpFinding | None = None
    details: Annotated[dict[str, Any], AfterValidator(_check_details_size)] = {}

    @field_validator("occurredAt")
    @classmethod
    def _normalise_time(cls, value: datetime) -> datetime:
        return to_utc_millis(value)

    @model_validator(mode="after")
    def _dlp_matches_category(self) -> AuditEvent:
        if self.category is Category.DLP and self.dlp is None:
            raise ValueError(
                "a 'dlp' event needs the 'dlp' object with ruleId, severity and actionTaken"
            )
        return self

    @field_serializer("occurredAt")
    def _serialise_time(self, value: datetime) -> str:
        return format_utc_millis(value)

    def content_hash(self) -> str:
        """Return the SHA-256 of the canonical JSON form, which tells a resent event from a conflict."""
        canonical = json.dumps(
            self.model_dump(mode="json", exclude_none=True),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()
