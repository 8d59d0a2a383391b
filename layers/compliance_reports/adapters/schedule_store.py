"""Report schedules in the control table.

Every org's schedule item sits in one partition, (`SCHEDULES`, `ORG#<orgId>`), so the hourly
scheduler finds all of them with one paginated Query instead of a Scan of the whole table.
Besides the schedule document, an item keeps per report type the first scheduled month
(`start_<type>`) and the month up to which every report exists (`through_<type>`), so a run
checks only the months after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from compliance_reports.models.events import format_utc_millis

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SCHEDULES_PARTITION = "SCHEDULES"


def schedule_key(org_id: str) -> dict[str, Any]:
    return {"pk": {"S": SCHEDULES_PARTITION}, "sk": {"S": f"ORG#{org_id}"}}


@dataclass(frozen=True)
class ScheduleItem:
    """An org's stored schedule: the document and the per-type start and progress months."""

    org_id: str
    schedules: dict[str, Any]
    starts: dict[str, str] = field(default_factory=dict)
    through: dict[str, str] = field(default_factory=dict)


class ScheduleStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def get(self, org_id: str) -> ScheduleItem | None:
        response = self._client.get_item(
            TableName=self._table, Key=schedule_key(org_id), ConsistentRead=True
        )
        item = response.get("Item")
        return _item_of(item) if item else None

    def put(
        self,
        org_id: str,
        schedules: dict[str, Any],
        starts: Mapping[str, str | None],
        now: datetime,
    ) -> None:
        """Store the schedule document and change the start month of the types in `starts`.

        A month starts a type's schedule over (its progress is cleared); None turns the type off.
        Types missing from `starts` keep their start and progress.
        """
        names: dict[str, str] = {"#schedules": "schedules"}
        values: dict[str, Any] = {
            ":schedules": {"S": json.dumps(schedules, separators=(",", ":"))},
            ":org": {"S": org_id},
            ":now": {"S": format_utc_millis(now)},
        }
        assignments = ["#schedules = :schedules", "orgId = :org", "updatedAt = :now"]
        removals: list[str] = []
        for report_type, start in starts.items():
            if start is not None:
                assignments.append(f"start_{report_type} = :start_{report_type}")
                values[f":start_{report_type}"] = {"S": start}
            else:
                removals.append(f"start_{report_type}")
            removals.append(f"through_{report_type}")
        expression = "SET " + ", ".join(assignments)
        if removals:
            expression += " REMOVE " + ", ".join(removals)
        self._client.update_item(
            TableName=self._table,
            Key=schedule_key(org_id),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def list_all(self) -> Iterator[ScheduleItem]:
        """Yield every org's schedule item, following LastEvaluatedKey to the end."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": SCHEDULES_PARTITION}},
        }
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                yield _item_of(item)
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            request["ExclusiveStartKey"] = last_key

    def advance(self, org_id: str, report_type: str, start: str, through: str) -> bool:
        """Record that every report of `report_type` up to the month `through` exists.

        The write applies only while the type's schedule still starts at `start`, so a schedule
        turned off and on again during a run keeps its fresh start. Returns whether it applied.
        """
        try:
            self._client.update_item(
                TableName=self._table,
                Key=schedule_key(org_id),
                UpdateExpression=f"SET through_{report_type} = :through",
                ConditionExpression=f"start_{report_type} = :start",
                ExpressionAttributeValues={
                    ":through": {"S": through},
                    ":start": {"S": start},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _item_of(item: dict[str, Any]) -> ScheduleItem:
    starts: dict[str, str] = {}
    through: dict[str, str] = {}
    for name, value in item.items():
        if name.startswith("start_"):
            starts[name.removeprefix("start_")] = value["S"]
        elif name.startswith("through_"):
            through[name.removeprefix("through_")] = value["S"]
    return ScheduleItem(
        org_id=item["orgId"]["S"],
        schedules=json.loads(item["schedules"]["S"]),
        starts=starts,
        through=through,
    )
