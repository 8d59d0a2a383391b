"""Idempotent creates in the control table: replay, in-flight 409, other-body 422, failures."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from compliance_local.lambda_patch import LocalLambdaContext
from compliance_local.stack import CONTROL_TABLE, LocalStack
from compliance_reports.adapters.idempotency import IdempotencyStore
from compliance_reports.domain.errors import ConflictError, InvalidRequestError

ROUTE = "POST /compliance/reports/audit"
BODY = {"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}}


class ApiInvocation:
    """Runs the store as the api function does, with the invocation's Lambda context."""

    def __init__(self, store: IdempotencyStore) -> None:
        self._store = store

    def run(
        self,
        org_id: str,
        route: str,
        key: str,
        body: dict[str, Any],
        action: Callable[[], dict[str, Any]],
    ) -> tuple[dict[str, Any], bool]:
        context = cast(LambdaContext, LocalLambdaContext("compliance-api"))
        return self._store.run(org_id, route, key, body, action, context)


@pytest.fixture
def store(local_stack: LocalStack) -> ApiInvocation:
    return ApiInvocation(IdempotencyStore(local_stack.client("dynamodb"), CONTROL_TABLE))


def test_repeat_returns_first_result(store: ApiInvocation) -> None:
    key = str(uuid.uuid4())
    calls: list[int] = []

    def action() -> dict[str, Any]:
        calls.append(1)
        return {"reportId": f"R{len(calls)}"}

    first = store.run("org-idem-1", ROUTE, key, BODY, action)
    second = store.run("org-idem-1", ROUTE, key, BODY, action)

    assert first == ({"reportId": "R1"}, False)
    assert second == ({"reportId": "R1"}, True)
    assert len(calls) == 1


def test_key_scoped_to_org(store: ApiInvocation) -> None:
    key = str(uuid.uuid4())

    first, _ = store.run("org-idem-2", ROUTE, key, BODY, lambda: {"org": "first"})
    other, replayed = store.run("org-idem-3", ROUTE, key, BODY, lambda: {"org": "other"})

    assert first == {"org": "first"}
    assert other == {"org": "other"}
    assert replayed is False


def test_in_flight_is_409(store: ApiInvocation) -> None:
    key = str(uuid.uuid4())
    started = threading.Event()
    release = threading.Event()
    results: list[tuple[dict[str, Any], bool]] = []

    def slow_action() -> dict[str, Any]:
        started.set()
        release.wait(timeout=30)
        return {"reportId": "R-slow"}

    first = threading.Thread(
        target=lambda: results.append(store.run("org-idem-4", ROUTE, key, BODY, slow_action))
    )
    first.start()
    assert started.wait(timeout=30)
    try:
        with pytest.raises(ConflictError) as conflict:
            store.run("org-idem-4", ROUTE, key, BODY, lambda: {"reportId": "R-second"})
    finally:
        release.set()
        first.join(timeout=30)

    assert conflict.value.status == 409
    assert conflict.value.field == "Idempotency-Key"
    assert "still in progress" in conflict.value.message
    assert results == [({"reportId": "R-slow"}, False)]
    assert store.run("org-idem-4", ROUTE, key, BODY, lambda: {}) == ({"reportId": "R-slow"}, True)


def test_other_body_is_422(store: ApiInvocation) -> None:
    key = str(uuid.uuid4())
    store.run("org-idem-5", ROUTE, key, BODY, lambda: {"reportId": "R1"})

    with pytest.raises(InvalidRequestError) as invalid:
        store.run("org-idem-5", ROUTE, key, {"dateRange": None}, lambda: {"reportId": "R2"})

    assert invalid.value.status == 422
    assert invalid.value.field == "Idempotency-Key"
    assert key in invalid.value.message


def test_failed_action_leaves_no_record(store: ApiInvocation) -> None:
    key = str(uuid.uuid4())

    def rejected() -> dict[str, Any]:
        raise InvalidRequestError("dateRange is invalid", field="dateRange")

    with pytest.raises(InvalidRequestError, match="dateRange is invalid"):
        store.run("org-idem-6", ROUTE, key, BODY, rejected)
    result = store.run("org-idem-6", ROUTE, key, BODY, lambda: {"reportId": "R-after"})

    assert result == ({"reportId": "R-after"}, False)


def test_item_keys_and_expiry(store: ApiInvocation, local_stack: LocalStack) -> None:
    key = str(uuid.uuid4())
    store.run("org-idem-7", ROUTE, key, BODY, lambda: {"reportId": "R1"})

    items = local_stack.client("dynamodb").query(
        TableName=CONTROL_TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "IDEMPOTENCY#org-idem-7"}},
    )["Items"]

    [item] = items
    assert item["sk"]["S"].startswith(f"{ROUTE}#")
    assert key not in item["sk"]["S"]
    assert item["status"]["S"] == "COMPLETED"
    assert "expiresAt" in item
