"""Auditor share links in the control table.

A link is stored under its report (`ORG#<orgId>`, `SHARE#<reportId>#<shareId>`) for listing, and
under the hash of its token (`SHARETOKEN#<hash>`, `TOKEN`) for the public download route. The
token itself is never stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from compliance_reports.adapters.control_store import org_key
from compliance_reports.models.shares import Share

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def share_key(org_id: str, report_id: str, share_id: str) -> dict[str, Any]:
    return {"pk": {"S": org_key(org_id)}, "sk": {"S": f"SHARE#{report_id}#{share_id}"}}


def token_key(token_hash: str) -> dict[str, Any]:
    return {"pk": {"S": f"SHARETOKEN#{token_hash}"}, "sk": {"S": "TOKEN"}}


class ShareStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def create(self, share: Share, token_hash: str) -> None:
        """Write the link and its token lookup item together."""
        document = {"S": share.model_dump_json()}
        self._client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {
                            **share_key(share.orgId, share.reportId, share.shareId),
                            "share": document,
                            "tokenHash": {"S": token_hash},
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {
                            **token_key(token_hash),
                            "share": document,
                            "tokenHash": {"S": token_hash},
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    def list(self, org_id: str, report_id: str) -> list[Share]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": org_key(org_id)},
                ":prefix": {"S": f"SHARE#{report_id}#"},
            },
        }
        shares: list[Share] = []
        while True:
            response = self._client.query(**request)
            shares.extend(
                Share.model_validate_json(item["share"]["S"]) for item in response["Items"]
            )
            if not response.get("LastEvaluatedKey"):
                return sorted(shares, key=lambda share: share.createdAt, reverse=True)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def get(self, org_id: str, report_id: str, share_id: str) -> tuple[Share, str] | None:
        """Return the link and its token hash, or None."""
        item = self._client.get_item(
            TableName=self._table, Key=share_key(org_id, report_id, share_id), ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        return Share.model_validate_json(item["share"]["S"]), item["tokenHash"]["S"]

    def find_by_token_hash(self, token_hash: str) -> tuple[Share, str] | None:
        """Return the link and the stored hash for a token hash, or None."""
        item = self._client.get_item(
            TableName=self._table, Key=token_key(token_hash), ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        return Share.model_validate_json(item["share"]["S"]), item["tokenHash"]["S"]

    def revoke(self, share: Share, token_hash: str) -> None:
        document = {"S": share.model_dump_json()}
        for key in (share_key(share.orgId, share.reportId, share.shareId), token_key(token_hash)):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET #share = :share",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeNames={"#share": "share"},
                    ExpressionAttributeValues={":share": document},
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
