"""Calendar months of scheduled reports: lengths, due months per time zone, stable ids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from compliance_reports.domain.months import (
    Month,
    id_instant,
    latest_ended_month,
    month_of,
    months_from,
)
from compliance_reports.models.reports import ReportType
from compliance_reports.services.scheduling import scheduled_report_id

HOUR = timedelta(hours=1)
UTC_ZONE = ZoneInfo("UTC")
HONOLULU = ZoneInfo("Pacific/Honolulu")


@pytest.mark.parametrize(
    ("month", "last_day"),
    [
        (Month(2026, 2), date(2026, 2, 28)),
        (Month(2024, 2), date(2024, 2, 29)),
        (Month(2000, 2), date(2000, 2, 29)),
        (Month(2100, 2), date(2100, 2, 28)),
        (Month(2026, 4), date(2026, 4, 30)),
        (Month(2026, 1), date(2026, 1, 31)),
        (Month(2025, 12), date(2025, 12, 31)),
    ],
)
def test_month_last_day(month: Month, last_day: date) -> None:
    assert month.first_day == date(month.year, month.month, 1)
    assert month.last_day == last_day


def test_month_parse_and_text() -> None:
    assert Month.parse("2026-02") == Month(2026, 2)
    assert str(Month(2026, 2)) == "2026-02"
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse("2026-2")
    with pytest.raises(ValueError, match="between 1 and 12"):
        Month.parse("2026-13")


def test_month_neighbours_cross_years() -> None:
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2025, 12).next() == Month(2026, 1)
    assert months_from(Month(2025, 11), Month(2026, 2)) == [
        Month(2025, 11),
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    assert months_from(Month(2026, 3), Month(2026, 2)) == []


@pytest.mark.parametrize(
    ("at", "zone", "due"),
    [
        # UTC: February ends at 2026-03-01T00:00Z and is due one hour later.
        (datetime(2026, 3, 1, 0, 59, tzinfo=UTC), UTC_ZONE, Month(2026, 1)),
        (datetime(2026, 3, 1, 1, 0, tzinfo=UTC), UTC_ZONE, Month(2026, 2)),
        (datetime(2026, 3, 1, 6, 0, tzinfo=UTC), UTC_ZONE, Month(2026, 2)),
        # Honolulu (UTC-10): February ends at 2026-03-01T10:00Z and is due at 11:00Z.
        (datetime(2026, 3, 1, 6, 0, tzinfo=UTC), HONOLULU, Month(2026, 1)),
        (datetime(2026, 3, 1, 10, 30, tzinfo=UTC), HONOLULU, Month(2026, 1)),
        (datetime(2026, 3, 1, 11, 0, tzinfo=UTC), HONOLULU, Month(2026, 2)),
        # A leap February.
        (datetime(2024, 3, 1, 6, 0, tzinfo=UTC), UTC_ZONE, Month(2024, 2)),
    ],
)
def test_latest_ended_month(at: datetime, zone: ZoneInfo, due: Month) -> None:
    assert latest_ended_month(at, zone, HOUR) == due


def test_latest_ended_month_needs_offset() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        latest_ended_month(datetime(2026, 3, 1, 6, 0), UTC_ZONE, HOUR)


def test_month_end_in_zone() -> None:
    assert Month(2026, 2).end(HONOLULU) == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert month_of(datetime(2026, 3, 1, 6, 0, tzinfo=UTC), HONOLULU) == Month(2026, 2)


def test_scheduled_id_stable_per_month() -> None:
    first = scheduled_report_id("org-a", ReportType.SOC2, Month(2026, 2))

    assert scheduled_report_id("org-a", ReportType.SOC2, Month(2026, 2)) == first
    assert scheduled_report_id("org-a", ReportType.AUDIT, Month(2026, 2)) != first
    assert scheduled_report_id("org-b", ReportType.SOC2, Month(2026, 2)) != first
    assert scheduled_report_id("org-a", ReportType.SOC2, Month(2026, 3)) != first
    assert len(first) == 26
    assert first.isalnum()
    assert id_instant(Month(2026, 2)) == datetime(2026, 3, 1, tzinfo=UTC)
