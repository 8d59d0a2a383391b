"""CDK app entry point.

`python infra/app.py [-c key=value ...]` synthesizes into cdk.out/ with no CDK CLI and no AWS
account; the CDK CLI runs the same file from infra/ (see cdk.json) for `cdk deploy`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# The CLI runs this file from infra/, `make synth` from the repository root; either way the
# repository root goes on the path so that `infra.stack` imports.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.stack.application import build_app
from infra.stack.constants import LAYER_DIRECTORY, REPOSITORY_ROOT


def parse_context(argv: Sequence[str] | None = None) -> dict[str, str]:
    parser = argparse.ArgumentParser(description="Synthesize the compliance reports stack.")
    parser.add_argument(
        "-c",
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="context value that overrides infra/cdk.json, e.g. -c stage=prod",
    )
    arguments = parser.parse_args(argv)
    context: dict[str, str] = {}
    for item in arguments.context:
        key, separator, value = item.partition("=")
        if not separator or not key:
            parser.error(f"context {item!r} is not KEY=VALUE")
        context[key] = value
    return context


def main(argv: Sequence[str] | None = None) -> int:
    if not (LAYER_DIRECTORY / "python").is_dir():
        print(f"{LAYER_DIRECTORY / 'python'} is missing; run `make layer` first", file=sys.stderr)  # noqa: T201
        return 1
    # The CLI sets CDK_OUTDIR; a direct run writes the cloud assembly to cdk.out/.
    outdir = None if "CDK_OUTDIR" in os.environ else str(REPOSITORY_ROOT / "cdk.out")
    app, _ = build_app(parse_context(argv), outdir=outdir)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
