"""One synth of the production stack per test session, shared by every infrastructure test.

The synth uses an empty placeholder for the shared layer, so it needs neither the network nor
a prior `make layer`; `test_layer.py` builds the real layer. The cdk-nag checks run inside the
synth; a failure is kept, not raised, so that `test_nag.py` can list the findings.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def _silence_node_warnings() -> None:
    """List the Node major version in the variable that silences jsii's end-of-life banner.

    jsii reads it when aws_cdk is first imported, so this runs before that import.
    """
    node = shutil.which("node")
    if node is None:
        return
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = re.match(r"v(\d+)", version.stdout.strip())
    if major is None:
        return
    name = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
    listed = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    os.environ[name] = ",".join([*listed, major.group(1)])
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


_silence_node_warnings()

from aws_cdk.assertions import Template  # noqa: E402

from infra.stack.application import build_app  # noqa: E402
from infra.stack.compliance_stack import ComplianceReportsStack  # noqa: E402
from infra.stack.constants import FUNCTIONS_DIRECTORY  # noqa: E402

# Context of the synthesized stage; values that a deployment must set are given explicitly.
TEST_CONTEXT: dict[str, Any] = {
    "stage": "prod",
    "jwtIssuer": "https://issuer.test/",
    "jwtAudience": ["compliance-dashboard"],
    "dashboardOrigin": "https://dashboard.test",
    "alarmEmail": "oncall@example.test",
    # Writes `aws:asset:path` into the template, as the CDK CLI does, so tests can map each
    # function to its staged asset directory.
    "aws:cdk:enable-asset-metadata": True,
}
FUNCTION_FOLDERS = ("api", "generator", "ingest", "scheduler", "deleter")


@dataclass(frozen=True)
class Synthesis:
    """The outcome of the session's synth."""

    stack: ComplianceReportsStack
    template: dict[str, Any]
    outdir: Path
    validation_error: str | None
    seconds: float


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "layer: builds the Lambda layer with pip (network to PyPI, about a minute)"
    )


def _function_assets(root: Path) -> Path:
    """Return functions/, or a copy with empty folders for functions not written yet."""
    missing = [name for name in FUNCTION_FOLDERS if not (FUNCTIONS_DIRECTORY / name).is_dir()]
    if not missing:
        return FUNCTIONS_DIRECTORY
    copy = root / "functions"
    shutil.copytree(FUNCTIONS_DIRECTORY, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for name in missing:
        (copy / name).mkdir()
    return copy


@pytest.fixture(scope="session")
def synthesis(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    root = tmp_path_factory.mktemp("cdk")
    layer = root / "layer"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "PLACEHOLDER").write_text("the real layer is built by make layer\n")

    started = time.monotonic()
    app, stack = build_app(
        TEST_CONTEXT,
        outdir=str(root / "cdk.out"),
        layer_directory=layer,
        functions_directory=_function_assets(root),
    )
    error: str | None = None
    try:
        app.synth()
    except RuntimeError as failure:  # the validation plugins failed; the template is written
        error = str(failure)
    seconds = time.monotonic() - started

    template_file = root / "cdk.out" / f"{stack.stack_name}.template.json"
    return Synthesis(
        stack=stack,
        template=json.loads(template_file.read_text()),
        outdir=root / "cdk.out",
        validation_error=error,
        seconds=seconds,
    )


@pytest.fixture(scope="session")
def template_dict(synthesis: Synthesis) -> dict[str, Any]:
    """The synthesized CloudFormation template as a dict (for moto-based tests too)."""
    return synthesis.template


@pytest.fixture(scope="session")
def template(synthesis: Synthesis) -> Template:
    return Template.from_json(synthesis.template)
