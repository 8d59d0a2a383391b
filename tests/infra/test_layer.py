"""The shared layer builds without Docker, and every handler imports against it alone.

The deployed layer contains aarch64 wheels for CPython 3.12, which this machine cannot load. So
a second copy is built from the same requirements for this machine's platform and Python, and
the handlers are imported against it. Only that copy and the function's own folder are on the
path, because `python -S` keeps the virtual environment's site-packages out.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from infra.stack.constants import FUNCTIONS_DIRECTORY, REPOSITORY_ROOT
from infra.stack.layer import DEFAULT_OUTPUT, LAMBDA_PLATFORM, PACKAGE_NAME, build_layer
from tests.infra.helpers import functions_by_handler

pytestmark = pytest.mark.layer

HOST_LAYER = REPOSITORY_ROOT / "build" / "layer-host"
HOST_PLATFORM = f"manylinux2014_{platform.machine()}"
HOST_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
# Settings the handlers may read at import time. Any AWS call goes to a closed local port and
# fails at once instead of reaching AWS.
IMPORT_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AUDIT_TABLE_NAME": "audit",
    "CONTROL_TABLE_NAME": "control",
    "REPORT_BUCKET_NAME": "reports",
    "EVENT_BUS_NAME": "report-events",
    "STATE_MACHINE_ARN": "arn:aws:states:eu-west-1:123456789012:stateMachine:reports",
    "SIGNING_KEY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:key",
    "POWERTOOLS_SERVICE_NAME": "compliance-reports",
    "POWERTOOLS_METRICS_NAMESPACE": "ComplianceReports",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
IMPORT_CHECK = """
import importlib, os, sys
leaked = [path for path in sys.path if "site-packages" in path]
assert not leaked, f"site-packages on the path: {leaked}"
module = importlib.import_module(sys.argv[1])
for name in sys.argv[2:]:
    assert callable(getattr(module, name)), f"{sys.argv[1]}.{name} is not callable"
import compliance_reports
assert compliance_reports.__file__.startswith(os.environ["LAYER"]), compliance_reports.__file__
"""


@pytest.fixture(scope="session")
def lambda_layer() -> Path:
    build_layer(DEFAULT_OUTPUT)
    return DEFAULT_OUTPUT / "python"


@pytest.fixture(scope="session")
def host_layer() -> Path:
    build_layer(HOST_LAYER, HOST_PLATFORM, HOST_PYTHON)
    return HOST_LAYER / "python"


def _handlers(template_dict: dict[str, Any]) -> dict[str, list[str]]:
    modules: dict[str, list[str]] = defaultdict(list)
    for handler in functions_by_handler(template_dict):
        module, function = handler.split(".")
        modules[module].append(function)
    return modules


def test_lambda_layer_for_arm64(lambda_layer: Path) -> None:
    assert (lambda_layer / PACKAGE_NAME / "__init__.py").is_file()
    assert LAMBDA_PLATFORM.endswith("aarch64")
    extensions = [path.name for path in (lambda_layer / "pydantic_core").glob("*.so")]
    assert extensions
    assert all("cpython-312-aarch64-linux-gnu" in name for name in extensions)
    assert not list(lambda_layer.rglob("*.pyc"))


def test_layer_build_skipped_when_current(lambda_layer: Path) -> None:
    assert build_layer(DEFAULT_OUTPUT) is False


@pytest.mark.parametrize("folder", ["api", "generator", "ingest", "scheduler", "deleter"])
def test_handlers_import_against_layer(
    folder: str, host_layer: Path, template_dict: dict[str, Any]
) -> None:
    module = f"{folder}_handler"
    source = FUNCTIONS_DIRECTORY / folder / f"{module}.py"
    if not source.is_file():
        pytest.skip(f"{source.relative_to(REPOSITORY_ROOT)} is not written yet")
    functions = _handlers(template_dict)[module]
    environment = {
        **IMPORT_ENVIRONMENT,
        "PYTHONPATH": os.pathsep.join([str(host_layer), str(FUNCTIONS_DIRECTORY / folder)]),
        "LAYER": str(host_layer),
    }
    result = subprocess.run(
        [sys.executable, "-S", "-c", IMPORT_CHECK, module, *functions],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
