"""The audit summary's aggregates and records CSV computed by DuckDB, for comparison.

`python -m bench.duck DATA_DIR` reads the recorded events as JSON lines, counts the admin
actions by action, actor, target type and UTC day, writes the records CSV sorted by
(occurredAt, eventId), and prints one JSON object with the timings and the peak RSS. DuckDB runs
on one thread, as the generator's shard worker does, and with extension downloads switched off.
Its CSV has no byte-order mark, no formula neutralisation and UTC times, so it does less work
than the report writer.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import duckdb

from bench.common import EVENTS_FILE, Stopwatch, peak_rss

COLUMNS = {
    "eventId": "VARCHAR",
    "occurredAt": "VARCHAR",
    "category": "VARCHAR",
    "action": "VARCHAR",
    "outcome": "VARCHAR",
    "actor": "STRUCT(type VARCHAR, id VARCHAR, email VARCHAR, name VARCHAR)",
    "agentId": "VARCHAR",
    "target": "STRUCT(type VARCHAR, id VARCHAR, name VARCHAR)",
    "source": "STRUCT(ip VARCHAR, userAgent VARCHAR)",
}
COUNTS = {
    "byAction": "action",
    "byActor": "actor.id",
    "byTargetType": "coalesce(target.type, 'none')",
    "byDay": "left(occurredAt, 10)",
}
CSV_QUERY = """
COPY (
    SELECT occurredAt AS occurred_at, eventId AS event_id, actor.type AS actor_type,
           actor.id AS actor_id, actor.email AS actor_email, action, target.type AS target_type,
           target.id AS target_id, agentId AS agent_id, outcome, source.ip AS source_ip
    FROM admin ORDER BY occurredAt, eventId
) TO '{path}' (FORMAT csv, HEADER true)
"""


def run(data: Path) -> dict[str, object]:
    connection = duckdb.connect(
        config={
            "threads": 1,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )
    columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS.items()) + "}"
    source = str(data / EVENTS_FILE)
    with tempfile.TemporaryDirectory(prefix="bench-duckdb-") as scratch:
        csv_path = Path(scratch) / "records.csv"
        watch = Stopwatch()
        connection.execute(
            f"CREATE TEMP TABLE admin AS SELECT * FROM read_json('{source}', "  # noqa: S608
            f"format = 'newline_delimited', columns = {columns}) WHERE category = 'admin'"
        )
        summary = {
            name: dict(
                connection.execute(
                    f"SELECT {expression} AS k, count(*) FROM admin GROUP BY k ORDER BY k"  # noqa: S608
                ).fetchall()
            )
            for name, expression in COUNTS.items()
        }
        connection.execute(CSV_QUERY.format(path=csv_path))
        elapsed = watch.read()
        csv_bytes = csv_path.stat().st_size
    return {
        "duckdb": duckdb.__version__,
        **elapsed,
        "rows": sum(summary["byAction"].values()),
        "csvBytes": csv_bytes,
        **peak_rss(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder of events recorded by bench.dataset")
    args = parser.parse_args(argv)
    json.dump(run(args.data), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
