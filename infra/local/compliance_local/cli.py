"""`compliance-local`: run the service on this machine with no AWS account and no Docker."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from compliance_local.client import ApiClient
from compliance_local.keys import load_or_create_key

if TYPE_CHECKING:
    from compliance_local.gateway import Gateway
    from compliance_local.stack import LocalStack

DEFAULT_URL = "http://127.0.0.1:8000"


def _start(host: str, port: int) -> tuple[LocalStack, Gateway]:
    # Imported here: moto and the handlers take seconds to load, which `token` and `import`
    # do not need.
    from compliance_local.gateway import Gateway
    from compliance_local.stack import LocalStack

    stack = LocalStack().start()
    gateway = Gateway(load_or_create_key(), host, port).start()
    return stack, gateway


def command_serve(args: argparse.Namespace) -> int:
    from compliance_local.demo import load_demo_data

    stack, gateway = _start(args.host, args.port)
    key = load_or_create_key()
    print(
        f"compliance-local is serving on {gateway.url} (AWS emulation at {stack.endpoint})",
        flush=True,
    )
    if not args.empty:
        loaded = load_demo_data(
            gateway.url, lambda org, role: key.mint(org, role, f"{role}@{org}.example")
        )
        for org_id, counts in loaded.items():
            print(f"loaded {counts['accepted']} demo events for {org_id}", flush=True)
    print("press Ctrl-C to stop", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with contextlib.suppress(KeyboardInterrupt):
        stopped.wait()
    gateway.stop()
    stack.stop()
    return 0


def command_token(args: argparse.Namespace) -> int:
    key = load_or_create_key()
    user = args.user or f"{args.role}@{args.org}.example"
    print(key.mint(args.org, args.role, user, ttl_seconds=args.ttl))
    return 0


def command_demo(args: argparse.Namespace) -> int:
    from compliance_local.demo import run_demo
    from compliance_local.stack import free_port

    stack, gateway = _start("127.0.0.1", free_port())
    key = load_or_create_key()
    try:
        run_demo(
            gateway.url,
            lambda org, role: key.mint(org, role, f"{role}@{org}.example"),
            Path(args.out),
        )
    finally:
        gateway.stop()
        stack.stop()
    return 0


def command_import(args: argparse.Namespace) -> int:
    from compliance_reports.domain.payloads import PayloadError, parse_event_payload

    try:
        events = parse_event_payload(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, PayloadError) as error:
        print(f"error: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    key = load_or_create_key()
    client = ApiClient(args.url, key.mint(args.org, "ingest", f"import@{args.org}.example"))
    counts = client.post_events(events, args.format)
    print(
        f"accepted {counts['accepted']}, duplicate {counts['duplicate']}, "
        f"conflict {counts['conflict']}, invalid {counts['invalid']}"
    )
    return 0 if counts["invalid"] == 0 and counts["conflict"] == 0 else 1


def _post_local(url: str, path: str, body: dict[str, str]) -> dict[str, Any] | None:
    """POST to a local-only route of a running serve; print the error and return None on failure."""
    try:
        response = requests.post(url.rstrip("/") + path, json=body, timeout=600)
    except requests.ConnectionError:
        print(
            f"error: no compliance-local serve answers at {url}; start one with `make serve`",
            file=sys.stderr,
        )
        return None
    data: dict[str, Any] = response.json()
    if response.status_code != 200:
        print(f"error: {data.get('error', {}).get('message', response.text)}", file=sys.stderr)
        return None
    return data


def command_run_schedule(args: argparse.Namespace) -> int:
    body = {"at": args.at} if args.at else {}
    result = _post_local(args.url, "/local/run-schedule", body)
    if result is None:
        return 2
    print(f"schedule run at {result['at']} over {result['orgs']} orgs with schedules")
    for report in result["created"]:
        late = " (late)" if report["late"] else ""
        print(
            f"created {report['type']} {report['month']}{late} for {report['orgId']}: "
            f"{report['reportId']} ({report['status']})"
        )
    print(f"{len(result['created'])} created, {result['existing']} already existed")
    for failure in result["failures"]:
        print(
            f"not created: {failure['type'] or 'all'} {failure['month'] or ''} for "
            f"{failure['orgId']}: {failure['message']}",
            file=sys.stderr,
        )
    return 1 if result["failures"] else 0


def command_sweep(args: argparse.Namespace) -> int:
    result = _post_local(args.url, "/local/sweep", {})
    if result is None:
        return 2
    for report in result["failed"]:
        print(
            f"marked failed: {report['reportId']} (attempt {report['attempt']}) of {report['orgId']}"
        )
    print(
        f"checked {result['checked']} stale pending reports: {len(result['failed'])} marked "
        f"failed, {result['stillRunning']} still running"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="compliance-local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the local stack until interrupted")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument("--empty", action="store_true", help="start without demo data")
    serve.set_defaults(handler=command_serve)

    token = commands.add_parser("token", help="print a JWT that a local serve accepts")
    token.add_argument("--org", required=True, help="organisation id, e.g. org-acme")
    token.add_argument("--role", required=True, choices=["admin", "auditor", "ingest"])
    token.add_argument("--user", help="email claim (default <role>@<org>.example)")
    token.add_argument(
        "--ttl", type=int, default=8 * 3600, help="lifetime in seconds (default 28800)"
    )
    token.set_defaults(handler=command_token)

    demo = commands.add_parser("demo", help="generate and download one report of each type")
    demo.add_argument("--out", default="reports", help="directory for the files (default reports)")
    demo.set_defaults(handler=command_demo)

    importer = commands.add_parser("import", help="send a file of audit events to a running serve")
    importer.add_argument("file", help="JSON object, JSON array or JSON lines file")
    importer.add_argument("--org", required=True, help="organisation the events belong to")
    importer.add_argument(
        "--format",
        choices=["auto", "native", "ocsf"],
        default="auto",
        help="event format (default: detect per event)",
    )
    importer.add_argument(
        "--url", default=DEFAULT_URL, help=f"local serve URL (default {DEFAULT_URL})"
    )
    importer.set_defaults(handler=command_import)

    schedule = commands.add_parser(
        "run-schedule", help="run the hourly report scheduler of a running serve once"
    )
    schedule.add_argument(
        "--at",
        help="run as if the hourly rule fired at this RFC 3339 time, e.g. 2026-03-01T06:00Z "
        "(default: now)",
    )
    schedule.add_argument(
        "--url", default=DEFAULT_URL, help=f"local serve URL (default {DEFAULT_URL})"
    )
    schedule.set_defaults(handler=command_run_schedule)

    sweep = commands.add_parser(
        "sweep", help="mark failed the stale pending reports whose execution has ended"
    )
    sweep.add_argument(
        "--url", default=DEFAULT_URL, help=f"local serve URL (default {DEFAULT_URL})"
    )
    sweep.set_defaults(handler=command_sweep)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
