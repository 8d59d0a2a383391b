"""One measured run in a fresh process: the parse floor, then the generator for each report type.

`python -m bench.worker DATA_DIR --types soc2,audit` prints one JSON object with the timings, the
checks and the process's peak RSS. `bench.run` starts it once per size and run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance_reports.adapters.artifacts import ArtifactStore
from compliance_reports.adapters.audit_store import AuditStore
from compliance_reports.models.reports import ReportType
from compliance_reports.services.generation import Generator

from bench.common import Stopwatch, load_index, peak_rss
from bench.harness import (
    BenchControlStore,
    RecordedQueryClient,
    TempFileS3Client,
    botocore_page_parser,
    json_page_parser,
)

CLOCK = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
BUCKET = "bench-reports"
AUDIT_TABLE = "bench-audit"


def _page_paths(root: Path, index: dict[str, Any], variant: str = "all") -> list[Path]:
    paths: list[Path] = []
    for partition, variants in index["partitions"].items():
        day = partition.rsplit("#", 1)[1]
        paths.extend(
            root / "pages" / variant / day / f"{number:05d}.json"
            for number in range(len(variants[variant]))
        )
    return paths


def measure_floor(root: Path, index: dict[str, Any], pages_only: bool) -> dict[str, Any]:
    """Time `json.loads` of every page and of each item's event document.

    With `pages_only`, first time a pass that decodes the pages but not the event documents.
    """
    paths = _page_paths(root, index)
    result: dict[str, Any] = {"pages": len(paths)}
    if pages_only:
        watch = Stopwatch()
        items = 0
        for path in paths:
            page = json.loads(path.read_bytes())
            for _item in page["Items"]:
                items += 1
        result["pagesOnly"] = watch.read()

    watch = Stopwatch()
    events = 0
    for path in paths:
        page = json.loads(path.read_bytes())
        for item in page["Items"]:
            json.loads(item["event"]["S"])
            events += 1
    with_events = watch.read()

    if events != index["events"]:
        raise RuntimeError(
            f"the parse floor read {events} events but the index lists {index['events']}; "
            f"delete {root} and record the pages again"
        )
    return {**result, "events": events, **with_events}


def measure_botocore(root: Path, index: dict[str, Any], pages: int) -> dict[str, Any]:
    """Time boto3's response parsing against plain `json.loads` on the first `pages` pages.

    Each page is read before its timer starts, one page at a time, so the sample adds no more
    than one page to the peak RSS.
    """
    parsers = {"json": json_page_parser(), "botocore": botocore_page_parser()}
    totals = {name: {"seconds": 0.0, "cpuSeconds": 0.0} for name in parsers}
    items = 0
    paths = _page_paths(root, index)[:pages]
    for path in paths:
        body = path.read_bytes()
        for name, parse in parsers.items():
            watch = Stopwatch()
            page = parse(body)
            for key, value in watch.read().items():
                totals[name][key] += value
        items += len(page["Items"])
    return {"pages": len(paths), "items": items, **totals}


def run_report(
    root: Path,
    index: dict[str, Any],
    report_type: ReportType,
    parser_name: str,
    profile_to: Path | None,
) -> dict[str, Any]:
    """Run Plan, every shard and Merge of one report over the recorded pages."""
    parse = botocore_page_parser() if parser_name == "botocore" else json_page_parser()
    dynamodb = RecordedQueryClient(root, index, parse)
    scratch = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    try:
        s3 = TempFileS3Client(scratch)
        control = BenchControlStore()
        report_id = control.add_report(report_type)
        generator = Generator(
            control,  # type: ignore[arg-type]
            AuditStore(dynamodb, AUDIT_TABLE),  # type: ignore[arg-type]
            ArtifactStore(s3, BUCKET),  # type: ignore[arg-type]
            lambda: CLOCK,
        )
        profiler = cProfile.Profile() if profile_to else None

        watch = Stopwatch()
        if profiler:
            profiler.enable()
        plan = generator.plan(report_id, 1)
        manifest = json.loads((scratch / "objects" / plan["manifestKey"]).read_bytes())
        for shard in manifest:
            generator.run_shard(report_id, 1, shard)
        shards = watch.read()
        result = generator.merge(report_id, 1)
        if profiler:
            profiler.disable()
        total = watch.read()
        if profiler and profile_to:
            profiler.dump_stats(str(profile_to))

        expected = index["gdprEvents"] if report_type is ReportType.GDPR else index["events"]
        if result["eventsRead"] != expected:
            raise RuntimeError(
                f"the {report_type.value} report read {result['eventsRead']} events but the "
                f"recorded pages contain {expected}, so the generator lost or repeated events"
            )
        return {
            "type": report_type.value,
            "events": result["eventsRead"],
            "shards": len(manifest),
            "pages": dynamodb.pages_served,
            "shardSeconds": shards["seconds"],
            "shardCpuSeconds": shards["cpuSeconds"],
            "mergeSeconds": total["seconds"] - shards["seconds"],
            "mergeCpuSeconds": total["cpuSeconds"] - shards["cpuSeconds"],
            **total,
            "rows": result["rowCount"],
            "jsonBytes": result["artifacts"]["json"]["bytes"],
            "csvBytes": result["artifacts"]["csv"]["bytes"],
            "sha256": {name: info["sha256"] for name, info in result["artifacts"].items()},
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder of pages recorded by bench.dataset")
    parser.add_argument("--types", default="soc2,audit", help="report types, comma-separated")
    parser.add_argument(
        "--parser",
        choices=["json", "botocore"],
        default="json",
        help="how the replayed pages are decoded: json.loads, or boto3's full response parsing",
    )
    parser.add_argument(
        "--botocore-pages", type=int, default=0, help="pages on which to time boto3's parsing"
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the parse floor")
    parser.add_argument(
        "--pages-only-floor",
        action="store_true",
        help="also time decoding the pages without their event documents",
    )
    parser.add_argument("--profile", type=Path, help="write a cProfile file per report type here")
    args = parser.parse_args(argv)

    index = load_index(args.data)
    if index is None:
        parser.error(f"no recorded pages in {args.data}; run python -m bench.run first")
    result: dict[str, Any] = {"events": index["events"], "reports": []}
    if not args.no_floor:
        result["floor"] = measure_floor(args.data, index, args.pages_only_floor)
    if args.botocore_pages:
        result["botocore"] = measure_botocore(args.data, index, args.botocore_pages)
    for name in args.types.split(","):
        report_type = ReportType(name)
        profile_to = args.profile / f"{name}.prof" if args.profile else None
        if profile_to:
            profile_to.parent.mkdir(parents=True, exist_ok=True)
        result["reports"].append(run_report(args.data, index, report_type, args.parser, profile_to))
    result.update(peak_rss())
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
