"""Auditor share links: time-limited, revocable downloads of one report file."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from compliance_reports.models.reports import ArtifactFormat

MAX_SHARE_DAYS = 30


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: ArtifactFormat
    expiresInDays: Annotated[int, Field(ge=1, le=MAX_SHARE_DAYS)] = 7
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class Share(BaseModel):
    """A share link as stored and listed; the token is shown only once, when it is created."""

    model_config = ConfigDict(extra="forbid")

    shareId: str
    orgId: str
    reportId: str
    format: ArtifactFormat
    note: str | None = None
    createdAt: datetime
    createdBy: str
    expiresAt: datetime
    revokedAt: datetime | None = None
    revokedBy: str | None = None


class CreatedShare(BaseModel):
    share: Share
    url: str
    token: str


class ShareList(BaseModel):
    items: list[Share]
