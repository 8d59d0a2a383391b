"""Idempotent create requests with the Powertools idempotency utility, stored in the control table.

Items live at (`IDEMPOTENCY#<orgId>`, `<route>#<hash>`), where the hash covers the org, the
route and the client's `Idempotency-Key`. Their `expiresAt` is the control table's TTL attribute,
so DynamoDB removes them after the 24 hours they are valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from compliance_reports.domain.errors import ConflictError, InvalidRequestError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_dynamodb import DynamoDBClient

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
# Printable ASCII without spaces, such as a UUID.
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def run(
        self,
        org_id: str,
        route: str,
        key: str,
        body: dict[str, Any],
        action: Callable[[], dict[str, Any]],
        lambda_context: LambdaContext | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Run `action` once per (org, route, key) within 24 hours; return its result and whether
        the result is a replay of an earlier request.

        Raises ConflictError (409) while the first request with the key is still running, and
        InvalidRequestError (422) for the same key with a different `body`. An action that raises
        leaves no record, so the request can be sent again with the same key.
        """
        if not KEY_PATTERN.match(key):
            raise InvalidRequestError(
                f"{HEADER} must be 1 to 255 printable ASCII characters without spaces, such as a "
                "UUID; send a new key",
                field=HEADER,
            )

        replayed = False

        def mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
            nonlocal replayed
            replayed = True
            return response

        # A persistence layer and a config per call: both are mutated when used, and the local
        # gateway may run several requests in one process.
        persistence = DynamoDBPersistenceLayer(
            table_name=self._table,
            key_attr="pk",
            sort_key_attr="sk",
            static_pk_value=f"IDEMPOTENCY#{org_id}",
            expiry_attr="expiresAt",
            boto3_client=self._client,
        )
        config = IdempotencyConfig(
            event_key_jmespath="[orgId, route, key]",
            payload_validation_jmespath="body",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
            hash_function="sha256",
            response_hook=mark_replayed,
        )
        if lambda_context is not None:
            # An in-progress record then expires when the invocation would have timed out, so a
            # client can retry after a crash instead of waiting 24 hours.
            config.register_lambda_context(lambda_context)

        def execute(request: dict[str, Any]) -> dict[str, Any]:
            return action()

        idempotent_execute = idempotent_function(
            execute,
            data_keyword_argument="request",
            persistence_store=persistence,
            config=config,
            key_prefix=route,
        )
        request = {"orgId": org_id, "route": route, "key": key, "body": body}
        try:
            result: dict[str, Any] = idempotent_execute(request=request)
        except IdempotencyAlreadyInProgressError as error:
            raise ConflictError(
                f"a request with {HEADER} '{key}' is still in progress; retry after it finishes "
                "to receive its result",
                field=HEADER,
            ) from error
        except IdempotencyValidationError as error:
            raise InvalidRequestError(
                f"{HEADER} '{key}' was used in the last 24 hours with a different request; send "
                "the same request again or use a new key",
                field=HEADER,
            ) from error
        return result, replayed
