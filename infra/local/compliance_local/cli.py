"""`compliance-local`: run the service on this machine with no AWS account and no Docker."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path

from compliance_local.client import ApiClient
from compliance_local.gateway import Gateway
from compliance_local.keys import load_or_create_key
from compliance_local.stack import LocalStack, free_port

DEFAULT_URL = "http://127.0.0.1:8000"


def _start(host: str, port: int) -> tuple[LocalStack, Gateway]:
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
