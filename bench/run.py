"""Benchmark report generation from recorded DynamoDB Query pages; `make bench` runs this.

For each size it records the Query pages of a scaled copy of the demo simulator's event mix
(`bench.dataset`), then measures each size in fresh processes, `--runs` times:

- `bench.worker`: the parse floor (`json.loads` of every page and of each item's event document),
  then Plan, every day shard and Merge of each report type through the real `Generator`,
  `AuditStore`, builders, writers and `ArtifactStore`, and the process's peak RSS;
- `bench.duck`: DuckDB computing the audit summary and its records CSV from the same events.

The first run of each size also times the floor without the event documents and boto3's parsing
of 40 pages. `--jobs` processes run at once. Rates and ratios use process CPU time
(`time.process_time`), because the machine may be shared, and wall-clock seconds are listed
beside them. The last line printed is the summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    # `python bench/run.py` puts bench/ itself on the path, not the project.
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.common import load_index  # noqa: E402

RATIO_LIMIT = 2.5
RSS_LIMIT_MB = 256
RSS_GROWTH_LIMIT = 0.20
TIME_LIMIT_SECONDS = 600
BOTOCORE_SAMPLE_PAGES = 40


def size_label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def emit(line: str = "") -> None:
    """Write one line of the results to standard output."""
    print(line)  # noqa: T201


def log(started: float, message: str) -> None:
    """Write a progress line to standard error, so standard output holds only the results."""
    print(f"[{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)  # noqa: T201


def run_child(module: str, arguments: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `python -m module` in a fresh process and return the JSON object it prints."""
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", module, *arguments],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{module} {' '.join(arguments)} failed with exit code {completed.returncode}:\n"
            f"{completed.stderr.strip()}"
        )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def child_env(package_root: Path | None) -> dict[str, str]:
    """Return the environment of the measured processes; `package_root` shadows the installed
    `compliance_reports`, so a changed copy can be measured without touching the project."""
    paths = [str(PROJECT_ROOT)]
    if package_root is not None:
        paths.insert(0, str(package_root.resolve()))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def prepare(
    data_root: Path, size: int, agent_pages: bool, env: dict[str, str], started: float
) -> tuple[Path, dict[str, Any]]:
    folder = data_root / f"events-{size}"
    index = load_index(folder)
    if (
        index is not None
        and index["requestedEvents"] == size
        and (index["agentPages"] or not agent_pages)
    ):
        log(started, f"{size_label(size)}: reusing the pages in {folder}")
        return folder, index
    shutil.rmtree(folder, ignore_errors=True)
    log(started, f"{size_label(size)}: recording {size:,} events as Query pages in {folder}")
    run_child(
        "bench.dataset",
        [str(folder), str(size), *(["--agent-pages"] if agent_pages else [])],
        env,
    )
    index = load_index(folder)
    if index is None:
        raise RuntimeError(f"bench.dataset wrote no index to {folder}")
    log(started, f"{size_label(size)}: {index['pages']:,} pages recorded")
    return folder, index


def measure(
    pool: ThreadPoolExecutor,
    args: argparse.Namespace,
    prepared: dict[int, tuple[Path, dict[str, Any]]],
    env: dict[str, str],
    started: float,
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """Run every measured process, the largest size first, and return their results by size."""

    def worker(size: int, number: int) -> dict[str, Any]:
        arguments = [str(prepared[size][0]), "--types", args.types]
        if number == 1:
            arguments += [
                "--pages-only-floor",
                "--botocore-pages",
                str(BOTOCORE_SAMPLE_PAGES),
            ]
        log(started, f"{size_label(size)} run {number}/{args.runs}: parse floor, {args.types}")
        result = run_child("bench.worker", arguments, env)
        log(started, f"{size_label(size)} run {number}/{args.runs}: done")
        return result

    def duck(size: int, number: int) -> dict[str, Any]:
        log(started, f"{size_label(size)} run {number}/{args.runs}: DuckDB")
        return run_child("bench.duck", [str(prepared[size][0])], env)

    sizes = sorted(prepared, reverse=True)
    runs = range(1, args.runs + 1)
    worker_futures = {size: [pool.submit(worker, size, n) for n in runs] for size in sizes}
    duck_futures: dict[int, list[Future[dict[str, Any]]]] = {size: [] for size in sizes}
    if not args.no_duckdb:
        duck_futures = {size: [pool.submit(duck, size, n) for n in runs] for size in sizes}
    workers = {size: [future.result() for future in worker_futures[size]] for size in sizes}
    ducks = {size: [future.result() for future in duck_futures[size]] for size in sizes}
    return workers, ducks


def median(values: list[float]) -> float:
    return statistics.median(values)


def summarise(
    sizes: list[int],
    indexes: dict[int, dict[str, Any]],
    workers: dict[int, list[dict[str, Any]]],
    ducks: dict[int, list[dict[str, Any]]],
) -> dict[int, dict[str, Any]]:
    """Reduce the runs of each size to medians."""
    summary: dict[int, dict[str, Any]] = {}
    for size in sizes:
        index = indexes[size]
        runs = workers[size]
        floor_cpu = [run["floor"]["cpuSeconds"] for run in runs]
        reports: dict[str, dict[str, Any]] = {}
        for report in runs[0]["reports"]:
            name = report["type"]
            per_run = [next(r for r in run["reports"] if r["type"] == name) for run in runs]
            reports[name] = {
                "events": report["events"],
                "rows": report["rows"],
                "jsonBytes": report["jsonBytes"],
                "cpuSeconds": median([r["cpuSeconds"] for r in per_run]),
                "shardCpuSeconds": median([r["shardCpuSeconds"] for r in per_run]),
                "mergeCpuSeconds": median([r["mergeCpuSeconds"] for r in per_run]),
                "seconds": median([r["seconds"] for r in per_run]),
                # A ratio to the floor of the same process, so both saw the same machine load.
                "floorRatio": median(
                    [
                        r["cpuSeconds"] / run["floor"]["cpuSeconds"] * index["events"] / r["events"]
                        for r, run in zip(per_run, runs, strict=True)
                    ]
                ),
            }
            reports[name]["eventsPerSecond"] = report["events"] / reports[name]["cpuSeconds"]
        entry: dict[str, Any] = {
            "events": index["events"],
            "pages": index["pages"],
            "replicas": index["replicas"],
            "meanItemBytes": index["itemBytes"] / index["events"],
            "meanWireBytes": index["wireBytes"] / index["events"],
            "meanEventBytes": index["eventBytes"] / index["events"],
            "floorCpuSeconds": median(floor_cpu),
            # Timed in the first run only.
            "floorPagesOnlyCpuSeconds": runs[0]["floor"]["pagesOnly"]["cpuSeconds"],
            "floorSeconds": median([run["floor"]["seconds"] for run in runs]),
            "reports": reports,
            "peakRssMb": median([run["peakRssMb"] for run in runs]),
            "peakRssRuns": [run["peakRssMb"] for run in runs],
        }
        entry["floorEventsPerSecond"] = index["events"] / entry["floorCpuSeconds"]
        sample = runs[0].get("botocore")
        if sample:
            entry["botocoreMicrosPerItem"] = (
                sample["botocore"]["cpuSeconds"] / sample["items"] * 1e6
            )
            entry["jsonMicrosPerItem"] = sample["json"]["cpuSeconds"] / sample["items"] * 1e6
            entry["botocorePages"] = sample["pages"]
        if ducks.get(size):
            duck_runs = ducks[size]
            entry["duckdb"] = {
                "version": duck_runs[0]["duckdb"],
                "cpuSeconds": median([run["cpuSeconds"] for run in duck_runs]),
                "seconds": median([run["seconds"] for run in duck_runs]),
                "peakRssMb": median([run["peakRssMb"] for run in duck_runs]),
                "rows": duck_runs[0]["rows"],
            }
            if "audit" in reports:
                audit_runs = [
                    next(r for r in run["reports"] if r["type"] == "audit") for run in runs
                ]
                entry["duckdb"]["auditRatio"] = median(
                    [
                        audit["cpuSeconds"] / duck["cpuSeconds"]
                        for audit, duck in zip(audit_runs, duck_runs, strict=False)
                    ]
                )
        summary[size] = entry
    return summary


def print_tables(summary: dict[int, dict[str, Any]]) -> None:
    emit(
        "| size | events | pages | mean item B (stored / on the wire / event JSON) | floor CPU s "
        "(pages only) | floor events/s | peak RSS MB (runs) |"
    )
    emit("|---|---|---|---|---|---|---|")
    for size, entry in summary.items():
        runs = ", ".join(f"{value:.0f}" for value in entry["peakRssRuns"])
        emit(
            f"| {size_label(size)} | {entry['events']:,} | {entry['pages']:,} | "
            f"{entry['meanItemBytes']:.0f} / {entry['meanWireBytes']:.0f} / "
            f"{entry['meanEventBytes']:.0f} | {entry['floorCpuSeconds']:.2f} "
            f"({entry['floorPagesOnlyCpuSeconds']:.2f}) | {entry['floorEventsPerSecond']:,.0f} | "
            f"{entry['peakRssMb']:.0f} ({runs}) |"
        )
    emit()
    emit(
        "| size | report | events read | rows | CPU s (shards + merge) | wall s | events/s (CPU) "
        "| × floor |"
    )
    emit("|---|---|---|---|---|---|---|---|")
    for size, entry in summary.items():
        for name, report in entry["reports"].items():
            emit(
                f"| {size_label(size)} | {name} | {report['events']:,} | {report['rows']:,} | "
                f"{report['cpuSeconds']:.2f} ({report['shardCpuSeconds']:.2f} + "
                f"{report['mergeCpuSeconds']:.2f}) | {report['seconds']:.2f} | "
                f"{report['eventsPerSecond']:,.0f} | {report['floorRatio']:.2f} |"
            )
    emit()
    for size, entry in summary.items():
        if "botocoreMicrosPerItem" in entry:
            emit(
                f"{size_label(size)}: boto3's Query response parsing costs "
                f"{entry['botocoreMicrosPerItem']:.1f} µs CPU per item against "
                f"{entry['jsonMicrosPerItem']:.1f} µs for json.loads "
                f"(first {entry['botocorePages']} pages; not part of the generator figures)"
            )
        duck = entry.get("duckdb")
        if duck:
            ratio = (
                f", audit generator / DuckDB = {duck['auditRatio']:.1f}"
                if "auditRatio" in duck
                else ""
            )
            emit(
                f"{size_label(size)}: DuckDB {duck['version']} (1 thread) audit summary + CSV: "
                f"{duck['cpuSeconds']:.2f} s CPU, {duck['seconds']:.2f} s wall, "
                f"{duck['rows']:,} rows, peak RSS {duck['peakRssMb']:.0f} MB{ratio}"
            )


def acceptance(
    summary: dict[int, dict[str, Any]], sizes: list[int], elapsed: float
) -> tuple[dict[str, Any], list[str]]:
    largest, smallest = max(sizes), min(sizes)
    top = summary[largest]
    slowest = min(top["reports"].values(), key=lambda report: report["eventsPerSecond"])
    slowest_name = next(name for name, report in top["reports"].items() if report is slowest)
    values: dict[str, Any] = {
        "generator_events_per_s": round(slowest["eventsPerSecond"]),
        "parse_floor_ratio": round(slowest["floorRatio"], 2),
        "duckdb_ratio": round(top["duckdb"]["auditRatio"], 1)
        if "duckdb" in top and "auditRatio" in top["duckdb"]
        else "n/a",
    }
    for size in sorted(sizes, reverse=True):
        values[f"peak_rss_mb_{size_label(size)}"] = round(summary[size]["peakRssMb"], 1)
    values["mean_item_bytes"] = round(top["meanItemBytes"])

    growth = summary[largest]["peakRssMb"] / summary[smallest]["peakRssMb"] - 1
    checks = [
        f"slowest report at {size_label(largest)}: {slowest_name}",
        f"run time {elapsed:.0f} s (limit {TIME_LIMIT_SECONDS} s): "
        f"{'ok' if elapsed < TIME_LIMIT_SECONDS else 'over'}",
        f"generator / parse floor at {size_label(largest)}: {slowest['floorRatio']:.2f} "
        f"(limit {RATIO_LIMIT}): {'ok' if slowest['floorRatio'] <= RATIO_LIMIT else 'over'}",
        f"peak RSS at {size_label(largest)}: {top['peakRssMb']:.0f} MB (limit {RSS_LIMIT_MB}): "
        f"{'ok' if top['peakRssMb'] < RSS_LIMIT_MB else 'over'}",
        f"peak RSS growth {size_label(smallest)} -> {size_label(largest)}: {growth:+.1%} "
        f"(limit {RSS_GROWTH_LIMIT:.0%}): {'ok' if abs(growth) <= RSS_GROWTH_LIMIT else 'over'}",
    ]
    return values, checks


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part})
    if not sizes or min(sizes) < 1000:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of sizes of 1000 events or more")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[100_000, 1_000_000],
        help="events per report, comma-separated (default 100000,1000000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per size (default 3)")
    parser.add_argument(
        "--types",
        default="soc2,audit",
        help="report types to generate, comma-separated, of soc2, audit, gdpr (default soc2,audit)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the recorded pages in this folder and reuse them on the next run "
        "(default: a temporary folder, removed at the end)",
    )
    parser.add_argument(
        "--package-root",
        type=Path,
        help="a folder holding a changed copy of compliance_reports to measure instead",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="measured processes running at once (default 2); ratios compare timings taken "
        "inside one process, so parallel runs do not skew them",
    )
    parser.add_argument("--no-duckdb", action="store_true", help="skip the DuckDB comparison")
    parser.add_argument("--json", type=Path, help="also write every run's raw results here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    data_root = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-pages-"))
    env = child_env(args.package_root)
    agent_pages = "gdpr" in args.types.split(",")
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            prepared = dict(
                zip(
                    args.sizes,
                    pool.map(
                        lambda size: prepare(data_root, size, agent_pages, env, started),
                        args.sizes,
                    ),
                    strict=True,
                )
            )
            workers, ducks = measure(pool, args, prepared, env, started)
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_root, ignore_errors=True)
    indexes = {size: index for size, (_folder, index) in prepared.items()}

    summary = summarise(args.sizes, indexes, workers, ducks)
    elapsed = time.perf_counter() - started
    if args.json:
        args.json.write_text(
            json.dumps({"summary": summary, "workers": workers, "duckdb": ducks}, indent=1)
        )
    emit(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; report types {args.types}; "
        f"{args.runs} runs per size, {args.jobs} at a time; medians below"
    )
    print_tables(summary)
    values, checks = acceptance(summary, args.sizes, elapsed)
    emit()
    for check in checks:
        emit(check)
    emit(" ".join(f"{key}={value}" for key, value in values.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
