"""Per-org settings that reports read: time zone, retention and working hours."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from compliance_reports.domain.periods import PeriodError, load_zone

DEFAULT_RETENTION_DAYS = 2555


class WorkingHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: time = time(8, 0)
    end: time = time(18, 0)
    # ISO weekdays, Monday = 1.
    days: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=1, max_length=7)] = [
        1,
        2,
        3,
        4,
        5,
    ]

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError(
                f"working hours start ({self.start}) is not before their end ({self.end}); "
                "give a start earlier than the end"
            )
        return self


class OrgSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str = "UTC"
    retentionDays: Annotated[int, Field(ge=30, le=3650)] = DEFAULT_RETENTION_DAYS
    workingHours: WorkingHours = WorkingHours()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            load_zone(value)
        except PeriodError as error:
            raise ValueError(error.message) from error
        return value
