"""Demo data and the end-to-end demo run of `compliance-local demo`."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from compliance_local.client import ApiClient
from compliance_local.simulator import simulate

DEMO_DAYS = 14


def load_demo_data(
    url: str, token_for: Any, today: date | None = None
) -> dict[str, dict[str, int]]:
    """Post the simulated trail of each org through the ingestion API, native then OCSF."""
    trail = simulate(today or datetime.now(UTC).date())
    totals: dict[str, dict[str, int]] = {}
    for org_id, events in trail.native.items():
        client = ApiClient(url, token_for(org_id, "ingest"))
        counts = client.post_events(events, "native")
        ocsf = client.post_events(trail.ocsf.get(org_id, []), "ocsf")
        totals[org_id] = {key: counts[key] + ocsf[key] for key in counts}
        totals[org_id]["ocsf"] = ocsf["accepted"]
    return totals


def run_demo(
    url: str, token_for: Any, out_dir: Path, stream: Any = sys.stdout
) -> list[dict[str, Any]]:
    """Generate one report of each type over HTTP, download both files of each, and summarise."""
    started = time.monotonic()
    loaded = load_demo_data(url, token_for)
    for org_id, counts in loaded.items():
        print(
            f"loaded {counts['accepted']} events for {org_id} "
            f"({counts['ocsf']} through the OCSF import path)",
            file=stream,
        )

    org_id = "org-acme"
    admin = ApiClient(url, token_for(org_id, "admin"))
    agents = admin.json("GET", "/compliance/agents")["items"]
    today = datetime.now(UTC).date()
    # Two weeks keep the demo within a few minutes: moto runs each day shard in this process.
    date_range = {
        "from": (today - timedelta(days=DEMO_DAYS - 1)).isoformat(),
        "to": today.isoformat(),
    }
    requests_by_type = {
        "soc2": {"dateRange": date_range},
        "gdpr": {"agentId": agents[0]["agentId"], "dateRange": date_range},
        "audit": {"dateRange": date_range},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = []
    for report_type, body in requests_by_type.items():
        record = admin.json("POST", f"/compliance/reports/{report_type}", expected=202, json=body)
        finished = admin.wait_for(record["reportId"])
        if finished["status"] != "completed":
            raise RuntimeError(f"{report_type} report failed: {json.dumps(finished.get('error'))}")
        files = {}
        for artifact_format in ("json", "csv"):
            data, _link = admin.download(finished["reportId"], artifact_format)
            expected = finished["artifacts"][artifact_format]["sha256"]
            if hashlib.sha256(data).hexdigest() != expected:
                raise RuntimeError(f"{report_type} {artifact_format} does not match its SHA-256")
            path = out_dir / f"{report_type}.{artifact_format}"
            path.write_bytes(data)
            files[artifact_format] = path
        summary.append(
            {
                "type": report_type,
                "title": finished["title"],
                "rows": finished["rowCount"],
                "eventsRead": finished["progress"]["eventsRead"],
                "files": files,
            }
        )
        print(
            f"{finished['title']}: {finished['rowCount']} rows -> {files['json']}, {files['csv']}",
            file=stream,
        )
    print(f"demo finished in {time.monotonic() - started:.1f} s", file=stream)
    return summary
