"""Scale the demo simulator's event mix to a large org and record its DynamoDB Query pages.

The base trail is `simulate(date(2026, 6, 30), days=60, seed=7)`: the native events of both
simulated orgs plus their OCSF events mapped to native form, all moved into one org. Each replica
of the base trail is shifted by 0, 7, 14, 21 or 28 days, so weekdays stay weekdays, plus a few
minutes. Each replica also gets its own people, because user ids, user emails and data-subject
ids carry a `-rNNN` suffix. The seven agents are shared, as busy shared-mailbox agents would be.
Replicas are added until the 30-day period (June 2026, UTC) contains the requested number of
events, and the last replica is thinned evenly to hit that number exactly.

Pages are written as DynamoDB returns a Query on the audit table's day partition:
`{"Count", "Items", "LastEvaluatedKey", "ScannedCount"}` with the attributes the audit store
projects (`sk`, `event`, `expiresAt`). A page ends before the item that would take the items
read past 1 MB. DynamoDB applies that limit before a filter expression, and this module counts
whole stored items by DynamoDB's item-size rules, as read units are counted whatever the
projection. A second set of pages contains the same reads with the GDPR export's `agentId`
filter applied.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from compliance_local.simulator import simulate
from compliance_reports.domain.ocsf import map_ocsf_event
from compliance_reports.models.events import AuditEvent

from bench.common import EVENTS_FILE, FORMAT_VERSION, INDEX_FILE

ORG_ID = "org-bench"
BASE_TODAY = date(2026, 6, 30)
BASE_DAYS = 60
SEED = 7
PERIOD_FROM = date(2026, 6, 1)
PERIOD_DAYS = 30
RETENTION_DAYS = 2555
# The GDPR export reads one agent: the busiest agent of the simulated mix.
GDPR_AGENT = "agt-acme-inbox"
REPLICA_SHIFT_DAYS = (0, 7, 14, 21, 28)
# DynamoDB returns at most 1 MB of items read per Query call.
PAGE_LIMIT_BYTES = 1024 * 1024

DAY_MS = 86_400_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Placeholders in the event templates; they contain no character that JSON escapes.
TIME_MARK = "~~T~~"
SUFFIX_MARK = "~~R~~"


@dataclass(frozen=True)
class Template:
    """One base event as stored, with placeholders for its time and replica suffix."""

    millis: int
    event_id: str
    agent_id: str | None
    raw: str  # the stored event JSON
    escaped: str  # `raw` escaped as the content of a JSON string
    fixed_bytes: int  # UTF-8 bytes of `raw` without the placeholders
    time_marks: int
    suffix_marks: int


def _millis(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(milliseconds=1)


@cache
def _date_text(days_since_epoch: int) -> str:
    return (EPOCH.date() + timedelta(days=days_since_epoch)).isoformat()


def iso_millis(millis: int) -> str:
    """Format epoch milliseconds as the audit store's fixed-width UTC timestamp."""
    days, rest = divmod(millis, DAY_MS)
    seconds, milliseconds = divmod(rest, 1000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{_date_text(days)}T{hours:02d}:{minutes:02d}:{seconds:02d}.{milliseconds:03d}Z"


def _person_strings(events: list[dict[str, Any]]) -> set[str]:
    """Collect the user ids, user emails and data-subject ids that each replica renames."""
    found: set[str] = set()
    for event in events:
        for party in (event.get("actor"), event.get("target")):
            if party and party.get("type") == "user":
                found.update(
                    value for key in ("id", "email") if (value := party.get(key)) is not None
                )
        for entry in event.get("personalData", []):
            found.add(entry["subjectId"])
    return found


def _mark_person(value: str) -> str:
    if "@" in value:
        local, domain = value.rsplit("@", 1)
        return f"{local}{SUFFIX_MARK}@{domain}"
    return value + SUFFIX_MARK


def _mark(value: Any, people: set[str]) -> Any:
    if isinstance(value, str):
        return _mark_person(value) if value in people else value
    if isinstance(value, list):
        return [_mark(item, people) for item in value]
    if isinstance(value, dict):
        return {key: _mark(item, people) for key, item in value.items()}
    return value


def base_templates() -> list[Template]:
    """Simulate the base trail and return one template per event, sorted by time."""
    trail = simulate(BASE_TODAY, days=BASE_DAYS, seed=SEED)
    stored: list[dict[str, Any]] = []
    for org_id, native in trail.native.items():
        inputs = [*native, *(map_ocsf_event(raw, org_id) for raw in trail.ocsf[org_id])]
        for source in inputs:
            validated = AuditEvent.model_validate({**source, "orgId": ORG_ID})
            # The stored form, as the ingestion path writes it.
            stored.append(json.loads(validated.model_dump_json(exclude_none=True)))

    people = _person_strings(stored)
    templates = []
    for event in stored:
        millis = _millis(datetime.fromisoformat(event["occurredAt"]))
        marked = _mark(event, people)
        marked["eventId"] = event["eventId"] + SUFFIX_MARK
        marked["occurredAt"] = TIME_MARK
        text = json.dumps(marked, ensure_ascii=False, separators=(",", ":"))
        time_marks = text.count(TIME_MARK)
        suffix_marks = text.count(SUFFIX_MARK)
        fixed = len(text.encode()) - time_marks * len(TIME_MARK) - suffix_marks * len(SUFFIX_MARK)
        templates.append(
            Template(
                millis=millis,
                event_id=event["eventId"],
                agent_id=event.get("agentId"),
                raw=text,
                escaped=json.dumps(text, ensure_ascii=False)[1:-1],
                fixed_bytes=fixed,
                time_marks=time_marks,
                suffix_marks=suffix_marks,
            )
        )
    templates.sort(key=lambda template: template.millis)
    return templates


@dataclass(frozen=True)
class Replica:
    number: int
    shift_ms: int
    suffix: str
    first: int  # index range [first, last) of the base templates that land in the period
    last: int
    keep: int  # events kept of the range; fewer than its length only for the last replica


def plan_replicas(templates: list[Template], events: int) -> list[Replica]:
    """Return replicas of the base trail whose events in the period add up to `events`."""
    period_start = _millis(datetime.combine(PERIOD_FROM, datetime.min.time(), tzinfo=UTC))
    period_end = period_start + PERIOD_DAYS * DAY_MS
    times = [template.millis for template in templates]
    replicas: list[Replica] = []
    total = 0
    number = 0
    while total < events:
        shift_days = REPLICA_SHIFT_DAYS[number % len(REPLICA_SHIFT_DAYS)]
        # Up to 45 minutes more per replica, so replicas that share a day shift do not line up
        # event for event.
        jitter = 0 if number == 0 else (number * 104_729) % (45 * 60_000)
        shift = shift_days * DAY_MS + jitter
        first = bisect.bisect_left(times, period_start - shift)
        last = bisect.bisect_left(times, period_end - shift)
        count = last - first
        keep = min(count, events - total)
        suffix = "" if number == 0 else f"-r{number:03d}"
        replicas.append(Replica(number, shift, suffix, first, last, keep))
        total += keep
        number += 1
    return replicas


def _kept(replica: Replica) -> Iterator[int]:
    """Yield the template indexes of a replica, thinned evenly to `keep` events."""
    count = replica.last - replica.first
    for offset in range(count):
        if replica.keep == count or (offset + 1) * replica.keep // count > (
            offset * replica.keep // count
        ):
            yield replica.first + offset


def _number_size(text: str) -> int:
    """Return the approximate size DynamoDB counts for a number: a byte per two significant digits,
    plus one, as the DynamoDB Developer Guide's "DynamoDB item sizes and formats" gives it."""
    digits = text.lstrip("-").replace(".", "").strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


@dataclass
class _Item:
    sk: str
    agent_id: str | None
    wire: bytes
    raw: bytes
    size: int  # DynamoDB item size of the whole stored item


class PageWriter:
    """Cut one partition's items into 1 MB Query pages and write them, with and without the filter."""

    def __init__(self, root: Path, day: str, variants: tuple[str, ...]) -> None:
        self.root = root
        self.day = day
        self.variants = variants
        self.partition = f"ORG#{ORG_ID}#DAY#{day}"
        self.keys: dict[str, list[str | None]] = {variant: [] for variant in variants}

    def write(self, items: list[_Item]) -> tuple[int, int]:
        """Write the pages and return (pages, wire bytes of the unfiltered pages)."""
        pages: list[list[_Item]] = []
        current: list[_Item] = []
        size = 0
        for item in items:
            if current and size + item.size > PAGE_LIMIT_BYTES:
                pages.append(current)
                current, size = [], 0
            current.append(item)
            size += item.size
        if current or not pages:
            pages.append(current)

        wire_bytes = 0
        for variant in self.variants:
            folder = self.root / "pages" / variant / self.day
            folder.mkdir(parents=True, exist_ok=True)
            for number, page in enumerate(pages):
                last_page = number == len(pages) - 1
                selected = (
                    page
                    if variant == "all"
                    else [item for item in page if item.agent_id == GDPR_AGENT]
                )
                body = self._body(page, selected, None if last_page else page[-1].sk)
                (folder / f"{number:05d}.json").write_bytes(body)
                self.keys[variant].append(None if last_page else page[-1].sk)
                if variant == "all":
                    wire_bytes += len(body)
        return len(pages), wire_bytes

    def _body(self, page: list[_Item], selected: list[_Item], last_key: str | None) -> bytes:
        parts = [
            b'{"Count":%d,"Items":[' % len(selected),
            b",".join(i.wire for i in selected),
            b"]",
        ]
        if last_key is not None:
            key = {"pk": {"S": self.partition}, "sk": {"S": last_key}}
            parts.append(b',"LastEvaluatedKey":' + json.dumps(key, separators=(",", ":")).encode())
        parts.append(b',"ScannedCount":%d}' % len(page))
        return b"".join(parts)


def _item(template: Template, replica: Replica, partition: str) -> _Item:
    millis = template.millis + replica.shift_ms
    occurred = iso_millis(millis)
    suffix = replica.suffix
    escaped = template.escaped.replace(TIME_MARK, occurred).replace(SUFFIX_MARK, suffix)
    raw = template.raw.replace(TIME_MARK, occurred).replace(SUFFIX_MARK, suffix)
    sort_key = f"{occurred}#{template.event_id}{suffix}"
    expires = str(millis // 1000 + RETENTION_DAYS * 86_400)
    wire = (
        f'{{"sk":{{"S":"{sort_key}"}},"event":{{"S":"{escaped}"}},"expiresAt":{{"N":"{expires}"}}}}'
    ).encode()
    event_bytes = (
        template.fixed_bytes
        + template.time_marks * len(occurred)
        + template.suffix_marks * len(suffix)
    )
    # Attribute names count too; the GSI attributes exist only on events with an agent.
    size = 2 + len(partition) + 2 + len(sort_key) + 5 + event_bytes + 9 + _number_size(expires)
    if template.agent_id is not None:
        gsi_pk = f"ORG#{ORG_ID}#AGENT#{template.agent_id}#MONTH#{occurred[:7]}"
        size += 7 + len(template.agent_id) + 6 + len(gsi_pk) + 6 + len(sort_key)
    return _Item(sort_key, template.agent_id, wire, raw.encode(), size)


def record(root: Path, events: int, agent_pages: bool) -> dict[str, Any]:
    """Write the pages, an index and the events as JSON lines for `events` events under `root`.

    With `agent_pages`, also write the pages of the GDPR export's agent-filtered reads.
    """
    variants = ("all", "agent") if agent_pages else ("all",)
    templates = base_templates()
    replicas = plan_replicas(templates, events)
    period_start = _millis(datetime.combine(PERIOD_FROM, datetime.min.time(), tzinfo=UTC))

    # Bucket (template, replica) pairs by output day, then sort each day by sort key.
    by_day: list[list[tuple[int, int]]] = [[] for _ in range(PERIOD_DAYS)]
    for replica in replicas:
        for template_index in _kept(replica):
            day = (templates[template_index].millis + replica.shift_ms - period_start) // DAY_MS
            by_day[day].append((template_index, replica.number))

    root.mkdir(parents=True, exist_ok=True)
    partitions: dict[str, dict[str, list[str | None]]] = {}
    totals = {"events": 0, "gdprEvents": 0, "pages": 0, "itemBytes": 0, "eventBytes": 0}
    totals["wireBytes"] = 0
    with (root / EVENTS_FILE).open("wb") as lines:
        for offset, pairs in enumerate(by_day):
            writer = PageWriter(root, (PERIOD_FROM + timedelta(days=offset)).isoformat(), variants)
            items = [
                _item(templates[template_index], replicas[number], writer.partition)
                for template_index, number in pairs
            ]
            items.sort(key=lambda item: item.sk)
            pages, wire_bytes = writer.write(items)
            partitions[writer.partition] = writer.keys
            for item in items:
                lines.write(item.raw + b"\n")
            totals["events"] += len(items)
            totals["gdprEvents"] += sum(1 for item in items if item.agent_id == GDPR_AGENT)
            totals["pages"] += pages
            totals["itemBytes"] += sum(item.size for item in items)
            totals["eventBytes"] += sum(len(item.raw) for item in items)
            totals["wireBytes"] += wire_bytes

    index: dict[str, Any] = {
        "formatVersion": FORMAT_VERSION,
        "requestedEvents": events,
        "orgId": ORG_ID,
        "periodFrom": PERIOD_FROM.isoformat(),
        "periodDays": PERIOD_DAYS,
        "gdprAgent": GDPR_AGENT,
        "agentPages": agent_pages,
        "replicas": len(replicas),
        "baseEvents": len(templates),
        "partitions": partitions,
        **totals,
    }
    (root / INDEX_FILE).write_text(json.dumps(index))
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Record the Query pages of a scaled event mix.")
    parser.add_argument("folder", type=Path, help="where to write the pages, the index and events")
    parser.add_argument("events", type=int, help="number of events in the 30-day period")
    parser.add_argument(
        "--agent-pages", action="store_true", help="also record the GDPR agent-filtered pages"
    )
    args = parser.parse_args(argv)
    index = record(args.folder, args.events, args.agent_pages)
    summary = {key: value for key, value in index.items() if key != "partitions"}
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
