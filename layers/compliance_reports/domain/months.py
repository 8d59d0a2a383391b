"""Calendar months for scheduled reports: which months have ended in an org's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from compliance_reports.domain.periods import day_start

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; comparisons follow time order."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not between 1 and 12")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse `YYYY-MM`."""
        match = MONTH_PATTERN.match(text)
        if match is None:
            raise ValueError(f"'{text}' is not a month; write it as YYYY-MM, e.g. 2026-02")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The month's last date: the 28th, 29th, 30th or 31st."""
        return self.next().first_day - timedelta(days=1)

    def end(self, zone: ZoneInfo) -> datetime:
        """Return the first instant after the month in `zone`, in UTC."""
        return day_start(self.next().first_day, zone)


def latest_ended_month(at: datetime, zone: ZoneInfo, grace: timedelta) -> Month:
    """Return the latest month that ended in `zone` at least `grace` before `at`.

    A month ends at midnight local time, so it has ended `grace` ago exactly when `at - grace`
    falls in a later month in that zone.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the schedule time has no UTC offset; pass an aware datetime")
    local = (at - grace).astimezone(zone)
    return Month.of(local.date()).previous()


def month_of(at: datetime, zone: ZoneInfo) -> Month:
    """Return the month that contains the instant `at` in `zone`."""
    return Month.of(at.astimezone(zone).date())


def months_from(first: Month, last: Month) -> list[Month]:
    """Return the months from `first` to `last`, both included; empty when `first` is later."""
    months: list[Month] = []
    current = first
    while current <= last:
        months.append(current)
        current = current.next()
    return months


def id_instant(month: Month) -> datetime:
    """Return the instant that dates a scheduled report id: the month's end in UTC.

    It is the same in every time zone, so changing the org's zone never changes the id of a
    month's report.
    """
    return datetime.combine(month.next().first_day, datetime.min.time(), tzinfo=UTC)
