"""Date-range rules: which instants a report covers and which day shards it splits into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from compliance_reports.models.events import format_utc_millis

MAX_SPAN_DAYS = 366
DEFAULT_SPAN_DAYS = 30


class PeriodError(ValueError):
    """A date range or time zone that a report cannot cover; `field` names the request field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def load_zone(name: str, field: str = "timezone") -> ZoneInfo:
    """Return the IANA zone called `name`, or raise PeriodError naming `field`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise PeriodError(
            field,
            f"'{name}' is not an IANA time zone name; use one such as 'Europe/Berlin' or 'UTC'",
        ) from error


def today_in(zone: ZoneInfo, now: datetime) -> date:
    return now.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Return the first instant of `day` in `zone`, in UTC; daylight-saving days are 23 or 25 hours."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """Inclusive calendar dates in a time zone, with the half-open UTC interval they cover."""

    date_from: date
    date_to: date
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start(self) -> datetime:
        return day_start(self.date_from, self.zone)

    @property
    def end(self) -> datetime:
        """The first instant after the period: midnight that starts the day after `date_to`."""
        return day_start(self.date_to + timedelta(days=1), self.zone)

    def days(self) -> list[date]:
        count = (self.date_to - self.date_from).days + 1
        return [self.date_from + timedelta(days=offset) for offset in range(count)]


def resolve_period(
    date_from: date | None,
    date_to: date | None,
    timezone: str,
    now: datetime,
    *,
    default_span_days: int = DEFAULT_SPAN_DAYS,
) -> Period:
    """Apply the request rules: both or neither date, `from <= to`, at most 366 days, `to` not
    after today in the zone. Without dates the period is the `default_span_days` ending today."""
    zone = load_zone(timezone)
    today = today_in(zone, now)

    if date_from is None and date_to is None:
        return Period(today - timedelta(days=default_span_days - 1), today, timezone)
    if date_from is None or date_to is None:
        missing = "dateRange.from" if date_from is None else "dateRange.to"
        raise PeriodError(missing, f"'{missing}' is missing; give both dates as YYYY-MM-DD")

    if date_from > date_to:
        raise PeriodError(
            "dateRange.from",
            f"'from' ({date_from.isoformat()}) is after 'to' ({date_to.isoformat()}); "
            "pick a 'from' on or before 'to'",
        )
    span = (date_to - date_from).days + 1
    if span > MAX_SPAN_DAYS:
        raise PeriodError(
            "dateRange",
            f"the range covers {span} days counting both ends; the maximum is {MAX_SPAN_DAYS}, "
            "so split it into several reports",
        )
    if date_to > today:
        raise PeriodError(
            "dateRange.to",
            f"'to' ({date_to.isoformat()}) is after today ({today.isoformat()} in {timezone}); "
            "pick today or an earlier date",
        )
    return Period(date_from, date_to, timezone)


def utc_day_partitions(start: datetime, end: datetime) -> list[date]:
    """Return the UTC dates whose audit-store partitions can hold events in [start, end)."""
    first = start.astimezone(UTC).date()
    last = (end - timedelta(milliseconds=1)).astimezone(UTC).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def sort_key_bound(instant: datetime) -> str:
    """Return the audit-store sort key prefix for `instant`: sort keys are `<occurredAt>#<eventId>`."""
    return format_utc_millis(instant)
