"""A small HTTP client for the local stack's API, used by the CLI and the end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

BATCH_SIZE = 500


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class ApiClient:
    url: str
    token: str
    timeout: float = 60.0

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(
            method, self.url + path, headers=headers, timeout=self.timeout, **kwargs
        )

    def json(self, method: str, path: str, expected: int = 200, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        body = response.json() if response.content else None
        if response.status_code != expected:
            raise ApiError(response.status_code, body)
        return body

    def post_events(
        self, events: Sequence[dict[str, Any]], event_format: str = "auto"
    ) -> dict[str, int]:
        """Post events in batches of at most 500 and return the summed counts."""
        totals = {"accepted": 0, "duplicate": 0, "conflict": 0, "invalid": 0}
        for start in range(0, len(events), BATCH_SIZE):
            body = self.json(
                "POST",
                f"/compliance/events?format={event_format}",
                json={"events": list(events[start : start + BATCH_SIZE])},
            )
            for key in totals:
                totals[key] += int(body[key])
        return totals

    def wait_for(
        self, report_id: str, timeout: float = 300.0, interval: float = 0.5
    ) -> dict[str, Any]:
        """Poll a report until it leaves `pending`, and return its record."""
        deadline = time.monotonic() + timeout
        while True:
            record: dict[str, Any] = self.json("GET", f"/compliance/reports/{report_id}")
            if record["status"] != "pending":
                return record
            if time.monotonic() > deadline:
                raise TimeoutError(f"report {report_id} is still pending after {timeout:.0f} s")
            time.sleep(interval)

    def download(self, report_id: str, artifact_format: str) -> tuple[bytes, dict[str, Any]]:
        """Fetch a presigned URL through the JSON form of the download route, then the file."""
        link = self.json(
            "GET",
            f"/compliance/reports/{report_id}/download?format={artifact_format}",
            headers={"Accept": "application/json"},
        )
        response = requests.get(link["url"], timeout=self.timeout)
        response.raise_for_status()
        return response.content, link
