"""The service's EventBridge bus: report state changes and deletions, with ids and status only."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

EVENT_SOURCE = "compliance-reports"
REPORT_STATE_CHANGED = "Report State Changed"
REPORT_DELETED = "Report Deleted"

# Receives each published event in the shape EventBridge delivers to a Lambda target.
LocalListener = Callable[[dict[str, Any]], None]

_listeners: list[LocalListener] = []
_listeners_lock = threading.Lock()


def add_local_listener(listener: LocalListener) -> None:
    """Deliver every event published in this process to `listener` after PutEvents succeeds.

    Only the local stack registers listeners, because moto's EventBridge never invokes a rule's
    Lambda target. In AWS no listener exists and the bus's rules deliver the events.
    """
    with _listeners_lock:
        if listener not in _listeners:
            _listeners.append(listener)


def remove_local_listener(listener: LocalListener) -> None:
    with _listeners_lock:
        if listener in _listeners:
            _listeners.remove(listener)


class EventPublishError(Exception):
    """EventBridge did not accept an event; the message names the detail type and the error."""


class EventPublisher:
    def __init__(self, client: EventBridgeClient, bus_name: str) -> None:
        self._client = client
        self._bus_name = bus_name

    @property
    def enabled(self) -> bool:
        """Whether a bus is configured; without one, `publish` sends nothing."""
        return bool(self._bus_name)

    def publish(self, detail_type: str, detail: dict[str, Any]) -> str | None:
        """Put one event with the service's source on the bus and return its event id.

        Returns None, and sends nothing, when no bus name is configured.
        """
        if not self._bus_name:
            return None
        response = self._client.put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, separators=(",", ":")),
                    "EventBusName": self._bus_name,
                }
            ]
        )
        [entry] = response["Entries"]
        if response.get("FailedEntryCount") or "EventId" not in entry:
            raise EventPublishError(
                f"EventBridge rejected the '{detail_type}' event on bus '{self._bus_name}': "
                f"{entry.get('ErrorCode', 'unknown error')} {entry.get('ErrorMessage', '')}".strip()
            )
        event_id = entry["EventId"]
        self._deliver_locally(event_id, detail_type, detail)
        return event_id

    def _deliver_locally(self, event_id: str, detail_type: str, detail: dict[str, Any]) -> None:
        with _listeners_lock:
            listeners = list(_listeners)
        if not listeners:
            return
        event = {
            "version": "0",
            "id": event_id,
            "detail-type": detail_type,
            "source": EVENT_SOURCE,
            "account": "123456789012",
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }
        for listener in listeners:
            listener(event)
