"""The audit table: idempotent writes of audit events and time-ordered reads of one org's days."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from compliance_reports.domain.periods import sort_key_bound, utc_day_partitions
from compliance_reports.models.events import AuditEvent, format_utc_millis
from compliance_reports.models.stored_events import StoredAuditEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# DynamoDB limits: 100 keys per BatchGetItem, 25 items per BatchWriteItem.
BATCH_GET_KEYS = 100
BATCH_WRITE_ITEMS = 25
MAX_BACKOFF_SECONDS = 2.0

IngestStatus = Literal["accepted", "duplicate", "conflict"]


@dataclass(frozen=True)
class IngestOutcome:
    eventId: str
    status: IngestStatus
    reason: str | None = None


def day_partition(org_id: str, day: str) -> str:
    return f"ORG#{org_id}#DAY#{day}"


def guard_key(org_id: str, event_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ORG#{org_id}#EVENT#{event_id}"}, "sk": {"S": "GUARD"}}


def event_sort_key(event: AuditEvent) -> str:
    return f"{format_utc_millis(event.occurredAt)}#{event.eventId}"


class AuditStore:
    """Reads and writes audit events with the low-level client (fewer conversions per item)."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _event_items(
        self, event: AuditEvent, expires_at: int
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        occurred = event.occurredAt
        item: dict[str, Any] = {
            "pk": {"S": day_partition(event.orgId, occurred.date().isoformat())},
            "sk": {"S": event_sort_key(event)},
            "event": {"S": event.model_dump_json(exclude_none=True)},
            "expiresAt": {"N": str(expires_at)},
        }
        if event.agentId is not None:
            item["agentId"] = {"S": event.agentId}
            item["gsi1pk"] = {
                "S": f"ORG#{event.orgId}#AGENT#{event.agentId}#MONTH#{occurred:%Y-%m}"
            }
            item["gsi1sk"] = item["sk"]
        guard = {
            **guard_key(event.orgId, event.eventId),
            "hash": {"S": event.content_hash()},
            "expiresAt": {"N": str(expires_at)},
        }
        return item, guard

    def _existing_guards(self, org_id: str, event_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(event_ids))
        for start in range(0, len(unique), BATCH_GET_KEYS):
            keys = [
                guard_key(org_id, event_id) for event_id in unique[start : start + BATCH_GET_KEYS]
            ]
            for item in self._batch_get(keys, "pk, #hash"):
                found[item["pk"]["S"].split("#EVENT#", 1)[1]] = item
        return found

    def _batch_get(self, keys: list[dict[str, Any]], projection: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            self._table: {
                "Keys": keys,
                "ConsistentRead": True,
                # Fewer attributes per item: less to send, and moto serialises each one slowly.
                "ProjectionExpression": projection,
                "ExpressionAttributeNames": {"#hash": "hash"} if "#hash" in projection else None,
            }
        }
        if request[self._table]["ExpressionAttributeNames"] is None:
            del request[self._table]["ExpressionAttributeNames"]
        attempt = 0
        while request:
            response = self._client.batch_get_item(RequestItems=request)
            items.extend(response["Responses"].get(self._table, []))
            request = dict(response.get("UnprocessedKeys") or {})
            attempt = _backoff(attempt) if request else 0
        return items

    def _batch_put(self, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), BATCH_WRITE_ITEMS):
            request: dict[str, Any] = {
                self._table: [
                    {"PutRequest": {"Item": item}}
                    for item in items[start : start + BATCH_WRITE_ITEMS]
                ]
            }
            attempt = 0
            while request:
                response = self._client.batch_write_item(RequestItems=request)
                request = dict(response.get("UnprocessedItems") or {})
                attempt = _backoff(attempt) if request else 0

    def put_events(
        self, org_id: str, events: Sequence[AuditEvent], retention_days: int, now: datetime
    ) -> list[IngestOutcome]:
        """Store events once each: a resent identical event is a duplicate, a changed one a conflict.

        A guard item per (orgId, eventId) holds the hash of the stored event. Ids are checked
        with BatchGetItem, new guards written with BatchWriteItem and read back, and only events
        whose guard holds their own hash are written.

        NOTE: check-then-write leaves a window of one request: two different events sent at the
        same moment under one new id can both be stored. A transaction or a conditional put per
        event closes it, but moto 5.2.5 copies the whole table once per transaction item and
        needs about 20 ms per request, so the local stack could not ingest its demo data in time.
        """
        outcomes: dict[int, IngestOutcome] = {}
        guards = self._existing_guards(org_id, [event.eventId for event in events])
        seen_in_batch: dict[str, str] = {}
        new_events: list[tuple[int, AuditEvent]] = []
        repairs: list[AuditEvent] = []

        for index, event in enumerate(events):
            digest = event.content_hash()
            guard = guards.get(event.eventId)
            known = guard["hash"]["S"] if guard else seen_in_batch.get(event.eventId)
            if known is None:
                seen_in_batch[event.eventId] = digest
                new_events.append((index, event))
                continue
            outcome = _compare(event.eventId, known, digest)
            outcomes[index] = outcome
            if guard is not None and outcome.status == "duplicate":
                repairs.append(event)

        prepared = [
            (index, event, *self._event_items(event, _expiry(event, retention_days)))
            for index, event in new_events
        ]
        # Guards first, then the events they own: a writer that stops in between leaves a guard
        # without its event, which the repair above restores when the event is sent again.
        self._batch_put([guard for _index, _event, _item, guard in prepared])
        winners = self._existing_guards(
            org_id, [event.eventId for _index, event, _item, _guard in prepared]
        )
        to_write: list[dict[str, Any]] = []
        for index, event, item, guard in prepared:
            stored = winners.get(event.eventId)
            if stored is not None and stored["hash"]["S"] != guard["hash"]["S"]:
                # A different event claimed this id between the check and the write.
                outcomes[index] = _compare(event.eventId, stored["hash"]["S"], guard["hash"]["S"])
                continue
            outcomes[index] = IngestOutcome(event.eventId, "accepted")
            to_write.append(item)
        to_write.extend(self._missing_items(repairs, retention_days))
        self._batch_put(to_write)
        return [outcomes[index] for index in range(len(events))]

    def _missing_items(self, events: list[AuditEvent], retention_days: int) -> list[dict[str, Any]]:
        """Return the event items of resent events whose stored copy is missing."""
        if not events:
            return []
        items = {
            event_sort_key(event): self._event_items(event, _expiry(event, retention_days))[0]
            for event in events
        }
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items.values()]
        present: set[str] = set()
        for start in range(0, len(keys), BATCH_GET_KEYS):
            present.update(
                item["sk"]["S"]
                for item in self._batch_get(keys[start : start + BATCH_GET_KEYS], "sk")
            )
        return [item for sort_key, item in items.items() if sort_key not in present]

    def query_range(
        self,
        org_id: str,
        start: datetime,
        end: datetime,
        agent_ids: Sequence[str] | None,
        now: datetime,
        page_size: int | None = None,
    ) -> Iterator[StoredAuditEvent]:
        """Yield the org's events with start <= occurredAt < end in (occurredAt, eventId) order.

        Follows LastEvaluatedKey to the end (a page may be empty and still not be the last) and
        skips items whose TTL has passed, because DynamoDB deletes those only eventually.
        """
        lower = sort_key_bound(start)
        upper = sort_key_bound(end)
        now_epoch = int(now.timestamp())
        for day in utc_day_partitions(start, end):
            for item in self._query_partition(
                day_partition(org_id, day.isoformat()), lower, upper, agent_ids, page_size
            ):
                if int(item["expiresAt"]["N"]) <= now_epoch:
                    continue
                yield StoredAuditEvent.model_validate_json(item["event"]["S"])

    def _query_partition(
        self,
        partition: str,
        lower: str,
        upper: str,
        agent_ids: Sequence[str] | None,
        page_size: int | None,
    ) -> Iterator[dict[str, Any]]:
        # Sort keys are "<occurredAt>#<eventId>": ">= lower" and "< upper" select the interval.
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lower AND :upper",
            "ExpressionAttributeValues": {
                ":pk": {"S": partition},
                ":lower": {"S": lower},
                ":upper": {"S": upper},
            },
            "ConsistentRead": True,
            "ProjectionExpression": "sk, #event, expiresAt",
            "ExpressionAttributeNames": {"#event": "event"},
        }
        if agent_ids is not None:
            names = [f":agent{index}" for index in range(len(agent_ids))]
            request["FilterExpression"] = f"agentId IN ({', '.join(names)})"
            for name, agent_id in zip(names, agent_ids, strict=True):
                request["ExpressionAttributeValues"][name] = {"S": agent_id}
        if page_size is not None:
            request["Limit"] = page_size

        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                # BETWEEN is inclusive; "upper#..." keys belong to the next period.
                if item["sk"]["S"] >= upper:
                    continue
                yield item
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            request["ExclusiveStartKey"] = last_key


def _compare(event_id: str, known_hash: str, digest: str) -> IngestOutcome:
    if known_hash == digest:
        return IngestOutcome(
            event_id, "duplicate", "an identical event with this eventId is stored"
        )
    return IngestOutcome(
        event_id,
        "conflict",
        "another event with this eventId is stored; send a new eventId for a different event",
    )


def _expiry(event: AuditEvent, retention_days: int) -> int:
    return int((event.occurredAt + timedelta(days=retention_days)).timestamp())


def _backoff(attempt: int) -> int:
    """Sleep before resending unprocessed items, doubling up to a cap, and return the next attempt."""
    time.sleep(min(0.05 * 2**attempt, MAX_BACKOFF_SECONDS))
    return attempt + 1
