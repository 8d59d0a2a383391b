"""The control table: report records, the agent directory and org settings.

Keys: records live at (`ORG#<orgId>`, `REPORT#<reportId>`) so one Query lists an org's reports
newest first (report ids sort by creation time). A reference item (`REPORTREF#<reportId>`, `REF`)
maps a report id to its org for the generator, whose execution input holds only the report id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from compliance_reports.models.events import format_utc_millis
from compliance_reports.models.reports import Progress, ReportError, ReportRecord, ReportStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class RecordNotPendingError(Exception):
    """The record is no longer pending for this attempt, so the status change was not applied."""


class RecordChangedError(Exception):
    """The record's status or attempt changed since it was read, so the change was not applied."""


PENDING_INDEX = "pendingReports"
# Generator and lifecycle writes apply only to the attempt they were made for, while it runs.
PENDING_FOR_ATTEMPT = "#status = :pending AND #attempt = :attempt"


def org_key(org_id: str) -> str:
    return f"ORG#{org_id}"


def report_key(org_id: str, report_id: str) -> dict[str, Any]:
    return {"pk": {"S": org_key(org_id)}, "sk": {"S": f"REPORT#{report_id}"}}


def reference_key(report_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"REPORTREF#{report_id}"}, "sk": {"S": "REF"}}


def subject_key(report_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"REPORTREF#{report_id}"}, "sk": {"S": "SUBJECT"}}


class ControlStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name
        # (org, agent) -> (first day, last day, name) this process has written; a day inside the
        # range needs no write. The table stays the source of truth for other processes.
        self._agent_cache: dict[tuple[str, str], tuple[str, str, str | None]] = {}

    # Report records

    def create_report(
        self, record: ReportRecord, internal: dict[str, Any], subject_id: str | None
    ) -> None:
        """Write a new pending record, its reference item and (for subject-scoped exports) the
        subject id, all or nothing."""
        document = record.model_dump(mode="json")
        item = {
            **report_key(record.orgId, record.reportId),
            "record": {"S": json.dumps(document, ensure_ascii=False)},
            "internal": {"S": json.dumps(internal)},
            "status": {"S": record.status.value},
            "attempt": {"N": str(record.attempt)},
            "type": {"S": record.type.value},
            "pendingPk": {"S": "PENDING"},
            "pendingSince": {"S": format_utc_millis(record.createdAt)},
        }
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {**reference_key(record.reportId), "orgId": {"S": record.orgId}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if subject_id is not None:
            writes.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {**subject_key(record.reportId), "subjectId": {"S": subject_id}},
                    }
                }
            )
        self._client.transact_write_items(TransactItems=writes)  # type: ignore[arg-type]

    def find_org(self, report_id: str) -> str | None:
        response = self._client.get_item(
            TableName=self._table, Key=reference_key(report_id), ConsistentRead=True
        )
        item = response.get("Item")
        return item["orgId"]["S"] if item else None

    def subject_of(self, report_id: str) -> str | None:
        response = self._client.get_item(
            TableName=self._table, Key=subject_key(report_id), ConsistentRead=True
        )
        item = response.get("Item")
        return item["subjectId"]["S"] if item else None

    def get_report(self, org_id: str, report_id: str) -> tuple[ReportRecord, dict[str, Any]] | None:
        """Return the record and its internal parameters, or None when the org has no such report."""
        response = self._client.get_item(
            TableName=self._table, Key=report_key(org_id, report_id), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            return None
        return _record_of(item), json.loads(item["internal"]["S"])

    def list_reports(
        self,
        org_id: str,
        limit: int,
        start_key: dict[str, Any] | None,
        report_type: str | None = None,
        status: str | None = None,
    ) -> tuple[list[ReportRecord], dict[str, Any] | None]:
        """Return up to `limit` records newest first and the key to continue from, if any."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": org_key(org_id)},
                ":prefix": {"S": "REPORT#"},
            },
            "ScanIndexForward": False,
        }
        filters = []
        if report_type is not None:
            filters.append("#type = :type")
            request["ExpressionAttributeValues"][":type"] = {"S": report_type}
        if status is not None:
            filters.append("#status = :status")
            request["ExpressionAttributeValues"][":status"] = {"S": status}
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
            request["ExpressionAttributeNames"] = {
                name: name[1:]
                for name in ("#type", "#status")
                if name in request["FilterExpression"]
            }

        records: list[ReportRecord] = []
        last_key = start_key
        while True:
            if last_key:
                request["ExclusiveStartKey"] = last_key
            # Ask for one page at a time so the continuation key points just past the last record
            # returned, also when a filter drops items.
            request["Limit"] = max(limit - len(records), 1)
            response = self._client.query(**request)
            items = response.get("Items", [])
            records.extend(_record_of(item) for item in items)
            last_key = response.get("LastEvaluatedKey")
            if len(records) >= limit or not last_key:
                break
        if len(records) >= limit and last_key is None:
            return records, None
        return records, last_key

    # Status changes (each conditional on pending and the attempt)

    def _update_record(
        self,
        org_id: str,
        report_id: str,
        attempt: int,
        mutate: Any,
        *,
        finish: bool,
        status: ReportStatus | None = None,
    ) -> ReportRecord:
        stored = self.get_report(org_id, report_id)
        if stored is None:
            raise RecordNotPendingError(report_id)
        record, _ = stored
        if record.status is not ReportStatus.PENDING or record.attempt != attempt:
            raise RecordNotPendingError(report_id)
        updated = mutate(record)
        names = {"#record": "record", "#status": "status", "#attempt": "attempt"}
        values: dict[str, Any] = {
            ":record": {"S": json.dumps(updated.model_dump(mode="json"), ensure_ascii=False)},
            ":pending": {"S": ReportStatus.PENDING.value},
            ":attempt": {"N": str(attempt)},
        }
        expression = "SET #record = :record"
        if status is not None:
            expression += ", #status = :status"
            values[":status"] = {"S": status.value}
        if finish:
            expression += " REMOVE pendingPk, pendingSince"
        self._update_if(
            org_id,
            report_id,
            RecordNotPendingError,
            UpdateExpression=expression,
            ConditionExpression=PENDING_FOR_ATTEMPT,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
        return updated  # type: ignore[no-any-return]

    def update_record(
        self,
        org_id: str,
        report_id: str,
        attempt: int,
        mutate: Any,
        status: ReportStatus | None = None,
    ) -> ReportRecord:
        """Apply `mutate(record) -> record` if the record is still pending for `attempt`.

        The write is conditional on the status and the attempt, so a concurrent status change
        raises RecordNotPendingError. Shard progress does not go through here: it uses atomic
        ADDs (`add_progress`).
        """
        finish = status is not None and status is not ReportStatus.PENDING
        return self._update_record(org_id, report_id, attempt, mutate, finish=finish, status=status)

    def mark_failed(
        self, org_id: str, report_id: str, attempt: int, failure: ReportError, now: datetime
    ) -> ReportRecord | None:
        """Mark the attempt failed with `failure`; return None when it already left `pending`.

        The update is conditional on the status and the attempt, so a late failure never
        overwrites a completed report or a newer attempt.
        """

        def fail(current: ReportRecord) -> ReportRecord:
            return current.model_copy(
                update={
                    "status": ReportStatus.FAILED,
                    "completedAt": now,
                    "error": failure,
                    "artifacts": None,
                }
            )

        try:
            return self.update_record(org_id, report_id, attempt, fail, status=ReportStatus.FAILED)
        except RecordNotPendingError:
            return None

    def add_progress(
        self,
        org_id: str,
        report_id: str,
        attempt: int,
        *,
        shards_total: int | None = None,
        shards_done: int = 0,
        events_read: int = 0,
    ) -> None:
        """Count progress atomically while the record is pending for `attempt`."""
        names = {"#status": "status", "#attempt": "attempt"}
        values: dict[str, Any] = {
            ":pending": {"S": ReportStatus.PENDING.value},
            ":attempt": {"N": str(attempt)},
        }
        if shards_total is not None:
            expression = "SET shardsTotal = :total, shardsDone = :zero, eventsRead = :zero"
            values[":total"] = {"N": str(shards_total)}
            values[":zero"] = {"N": "0"}
        else:
            expression = "ADD shardsDone :done, eventsRead :events"
            values[":done"] = {"N": str(shards_done)}
            values[":events"] = {"N": str(events_read)}
        self._update_if(
            org_id,
            report_id,
            RecordNotPendingError,
            UpdateExpression=expression,
            ConditionExpression=PENDING_FOR_ATTEMPT,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def _update_if(
        self,
        org_id: str,
        report_id: str,
        conflict: type[RecordNotPendingError | RecordChangedError],
        **update: Any,
    ) -> None:
        """Update the report record, raising `conflict` when its condition does not hold."""
        try:
            self._client.update_item(
                TableName=self._table, Key=report_key(org_id, report_id), **update
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise conflict(report_id) from error
            raise

    # Agent directory

    def upsert_agents(self, org_id: str, agents: dict[str, tuple[str | None, str]]) -> None:
        """Record agents seen in events: agentId -> (display name or None, UTC day seen)."""
        for agent_id, (name, day) in agents.items():
            cached = self._agent_cache.get((org_id, agent_id))
            if (
                cached is not None
                and cached[0] <= day <= cached[1]
                and (not name or name == cached[2])
            ):
                continue
            self._upsert_agent(org_id, agent_id, name, day)
            first, last, known_name = cached or (day, day, None)
            self._agent_cache[(org_id, agent_id)] = (
                min(first, day),
                max(last, day),
                name or known_name,
            )

    def _upsert_agent(self, org_id: str, agent_id: str, name: str | None, day: str) -> None:
        key = {"pk": {"S": org_key(org_id)}, "sk": {"S": f"AGENT#{agent_id}"}}
        values: dict[str, Any] = {":id": {"S": agent_id}}
        expression = "SET agentId = :id"
        if name:
            expression += ", displayName = :name"
            values[":name"] = {"S": name}
        self._client.update_item(
            TableName=self._table,
            Key=key,
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
        )
        for attribute, comparison in (("firstSeen", ">"), ("lastSeen", "<")):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression=f"SET {attribute} = :day",
                    ConditionExpression=(
                        f"attribute_not_exists({attribute}) OR {attribute} {comparison} :day"
                    ),
                    ExpressionAttributeValues={":day": {"S": day}},
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise

    def list_agents(self, org_id: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": org_key(org_id)},
                ":prefix": {"S": "AGENT#"},
            },
        }
        agents = []
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                agents.append(
                    {
                        "agentId": item["agentId"]["S"],
                        "name": item.get("displayName", {}).get("S"),
                        "firstSeen": item.get("firstSeen", {}).get("S"),
                        "lastSeen": item.get("lastSeen", {}).get("S"),
                    }
                )
            if not response.get("LastEvaluatedKey"):
                return agents
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def get_agents(self, org_id: str, agent_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        known = {agent["agentId"]: agent for agent in self.list_agents(org_id)}
        return {agent_id: known[agent_id] for agent_id in agent_ids if agent_id in known}

    # Settings

    def get_settings(self, org_id: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": org_key(org_id)}, "sk": {"S": "SETTINGS"}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return json.loads(item["settings"]["S"]) if item else None

    def put_settings(self, org_id: str, settings: dict[str, Any], now: datetime) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": org_key(org_id)},
                "sk": {"S": "SETTINGS"},
                "settings": {"S": json.dumps(settings)},
                "updatedAt": {"S": format_utc_millis(now)},
            },
        )

    # Lifecycle: stale pending records, retries and tombstones

    def pending_reports(self, started_before: datetime, limit: int) -> list[tuple[str, str]]:
        """Return (orgId, reportId) of up to `limit` records pending since before the given
        instant, oldest first, from the sparse `pendingReports` index."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": PENDING_INDEX,
            "KeyConditionExpression": "pendingPk = :pending AND pendingSince < :before",
            "ExpressionAttributeValues": {
                ":pending": {"S": "PENDING"},
                ":before": {"S": format_utc_millis(started_before)},
            },
            "ScanIndexForward": True,
        }
        found: list[tuple[str, str]] = []
        while len(found) < limit:
            request["Limit"] = limit - len(found)
            response = self._client.query(**request)
            for item in response.get("Items", []):
                org_id = item["pk"]["S"].removeprefix("ORG#")
                report_id = item["sk"]["S"].removeprefix("REPORT#")
                found.append((org_id, report_id))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                break
            request["ExclusiveStartKey"] = last_key
        return found

    def start_attempt(self, record: ReportRecord, failed_attempt: int) -> None:
        """Store `record` as the next pending attempt of a report whose `failed_attempt` failed.

        Shard progress starts from zero, and the record joins the pending index again.
        """
        self._update_if(
            record.orgId,
            record.reportId,
            RecordChangedError,
            UpdateExpression=(
                "SET #record = :record, #status = :pending, #attempt = :next, "
                "pendingPk = :pendingPk, pendingSince = :since, "
                "shardsTotal = :zero, shardsDone = :zero, eventsRead = :zero"
            ),
            ConditionExpression="#status = :failed AND #attempt = :previous",
            ExpressionAttributeNames={
                "#record": "record",
                "#status": "status",
                "#attempt": "attempt",
            },
            ExpressionAttributeValues={
                ":record": {"S": json.dumps(record.model_dump(mode="json"), ensure_ascii=False)},
                ":pending": {"S": ReportStatus.PENDING.value},
                ":failed": {"S": ReportStatus.FAILED.value},
                ":next": {"N": str(record.attempt)},
                ":previous": {"N": str(failed_attempt)},
                ":pendingPk": {"S": "PENDING"},
                ":since": {"S": format_utc_millis(record.attempt_started_at)},
                ":zero": {"N": "0"},
            },
        )

    def mark_deleted(self, record: ReportRecord, previous: ReportStatus) -> None:
        """Replace a completed or failed record by its tombstone `record` (status deleted)."""
        self._update_if(
            record.orgId,
            record.reportId,
            RecordChangedError,
            UpdateExpression="SET #record = :record, #status = :deleted",
            ConditionExpression="#status = :previous AND #attempt = :attempt",
            ExpressionAttributeNames={
                "#record": "record",
                "#status": "status",
                "#attempt": "attempt",
            },
            ExpressionAttributeValues={
                ":record": {"S": json.dumps(record.model_dump(mode="json"), ensure_ascii=False)},
                ":deleted": {"S": ReportStatus.DELETED.value},
                ":previous": {"S": previous.value},
                ":attempt": {"N": str(record.attempt)},
            },
        )


def _record_of(item: dict[str, Any]) -> ReportRecord:
    record = ReportRecord.model_validate_json(item["record"]["S"])
    # Shards count their progress with atomic ADDs on top-level attributes, so parallel shards
    # never overwrite each other; the record document is only rewritten on status changes.
    record.progress = Progress(
        shardsTotal=int(item.get("shardsTotal", {}).get("N", record.progress.shardsTotal)),
        shardsDone=int(item.get("shardsDone", {}).get("N", record.progress.shardsDone)),
        eventsRead=int(item.get("eventsRead", {}).get("N", record.progress.eventsRead)),
    )
    return record
