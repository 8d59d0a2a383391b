"""Anomaly rules of the SOC2 summary, kept as state that merges across day shards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from compliance_reports.domain.builders.soc2_controls import (
    BURST_MAX_GAP_MINUTES,
    BURST_MIN_FAILURES,
    SPIKE_FACTOR,
    SPIKE_MIN_DENIED,
)

BURST_MAX_GAP_MS = BURST_MAX_GAP_MINUTES * 60 * 1000


@dataclass(frozen=True)
class WorkingHours:
    """The org's working hours in the report's time zone; ISO weekdays, Monday = 1."""

    start: time = time(8, 0)
    end: time = time(18, 0)
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})

    def contains(self, local: datetime) -> bool:
        return local.isoweekday() in self.weekdays and self.start <= local.time() < self.end

    def describe(self) -> str:
        days = ",".join(str(day) for day in sorted(self.weekdays))
        return f"{self.start:%H:%M}-{self.end:%H:%M} on ISO weekdays {days}"


@dataclass
class FailureRuns:
    """Runs of login failures per actor, with no gap over the burst gap inside a run.

    Each run is [first ms, last ms, failures, first eventId]. Only the first run, the last run
    and runs long enough to be bursts are kept: a closed run in the middle can no longer grow.
    """

    runs: dict[str, list[list[Any]]] = field(default_factory=dict)

    def add(self, actor_id: str, instant_ms: int, event_id: str) -> None:
        runs = self.runs.setdefault(actor_id, [])
        if runs and instant_ms - runs[-1][1] <= BURST_MAX_GAP_MS:
            runs[-1][1] = instant_ms
            runs[-1][2] += 1
            return
        runs.append([instant_ms, instant_ms, 1, event_id])
        _prune(runs)

    def merge_later(self, later: dict[str, list[list[Any]]]) -> None:
        """Append the runs of a later shard, joining runs that continue across the shard edge."""
        for actor_id, later_runs in later.items():
            runs = self.runs.setdefault(actor_id, [])
            for run in later_runs:
                if runs and run[0] - runs[-1][1] <= BURST_MAX_GAP_MS:
                    runs[-1][1] = run[1]
                    runs[-1][2] += run[2]
                else:
                    runs.append(list(run))
                _prune(runs)

    def bursts(self) -> list[tuple[str, int, int, int, str]]:
        """Return (actor, first ms, last ms, failures, first eventId) of every burst."""
        found = []
        for actor_id in sorted(self.runs):
            for first, last, count, first_event in self.runs[actor_id]:
                if count >= BURST_MIN_FAILURES:
                    found.append((actor_id, first, last, count, first_event))
        found.sort(key=lambda burst: (burst[1], burst[0]))
        return found


def _prune(runs: list[list[Any]]) -> None:
    if len(runs) >= 3 and runs[-2][2] < BURST_MIN_FAILURES:
        del runs[-2]


def from_millis(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def denied_spikes(denied_by_day: dict[str, int], days: list[date]) -> list[dict[str, Any]]:
    """Return the days whose denied requests are a spike against the rest of the period."""
    spikes = []
    counts = {day.isoformat(): denied_by_day.get(day.isoformat(), 0) for day in days}
    for day, count in counts.items():
        others = [other for key, other in counts.items() if key != day]
        mean = sum(others) / len(others) if others else 0.0
        if count >= SPIKE_MIN_DENIED and count >= SPIKE_FACTOR * mean:
            spikes.append({"day": day, "deniedRequests": count, "meanOfOtherDays": round(mean, 2)})
    return spikes
