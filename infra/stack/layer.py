"""Build the shared Lambda layer without Docker: `python -m infra.stack.layer [options]`.

pip downloads manylinux wheels for the Lambda platform into `<output>/python`, and the
`compliance_reports` package is copied beside them. A stamp file records a hash of the inputs,
so an unchanged build is skipped. The module uses the standard library only, so it runs before
aws-cdk-lib is even imported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_NAME = "compliance_reports"
PACKAGE_SOURCE = REPOSITORY_ROOT / "layers" / PACKAGE_NAME
PYPROJECT = REPOSITORY_ROOT / "pyproject.toml"

# The Lambda runtime (python3.12 on arm64, Amazon Linux 2023) accepts manylinux2014 wheels.
LAMBDA_PLATFORM = "manylinux2014_aarch64"
LAMBDA_PYTHON_VERSION = "3.12"
DEFAULT_OUTPUT = REPOSITORY_ROOT / "build" / "layer"
STAMP_NAME = ".build-stamp.json"
IGNORED_NAMES = ("__pycache__", "*.pyc", "*.pyo")


def runtime_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """Return the `[project] dependencies` of pyproject.toml, the layer's pinned requirements."""
    with pyproject.open("rb") as handle:
        project = tomllib.load(handle)["project"]
    return [str(requirement) for requirement in project.get("dependencies", [])]


def _package_files(source: Path) -> list[Path]:
    return sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in {".pyc", ".pyo"}
    )


def build_fingerprint(requirements: Sequence[str], platform: str, python_version: str) -> str:
    """Hash the inputs of a build: requirements, target platform and the package sources."""
    digest = hashlib.sha256()
    digest.update(json.dumps([list(requirements), platform, python_version]).encode())
    for path in _package_files(PACKAGE_SOURCE):
        digest.update(path.relative_to(PACKAGE_SOURCE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_up_to_date(output: Path, fingerprint: str) -> bool:
    stamp = output / STAMP_NAME
    if not stamp.is_file() or not (output / "python" / PACKAGE_NAME).is_dir():
        return False
    return bool(json.loads(stamp.read_text()).get("fingerprint") == fingerprint)


def build_layer(
    output: Path = DEFAULT_OUTPUT,
    platform: str = LAMBDA_PLATFORM,
    python_version: str = LAMBDA_PYTHON_VERSION,
    *,
    force: bool = False,
) -> bool:
    """Build the layer into `output/python`; return False when the existing build is current."""
    requirements = runtime_requirements()
    fingerprint = build_fingerprint(requirements, platform, python_version)
    if not force and is_up_to_date(output, fingerprint):
        return False

    site = output / "python"
    shutil.rmtree(output, ignore_errors=True)
    site.mkdir(parents=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--platform",
        platform,
        "--python-version",
        python_version,
        "--implementation",
        "cp",
        "--only-binary=:all:",
        # pip would compile .pyc files for the interpreter running it, not for the runtime.
        "--no-compile",
        "--target",
        str(site),
        *requirements,
    ]
    subprocess.run(command, check=True)  # noqa: S603 - fixed pip command, no shell
    shutil.copytree(
        PACKAGE_SOURCE, site / PACKAGE_NAME, ignore=shutil.ignore_patterns(*IGNORED_NAMES)
    )
    (output / STAMP_NAME).write_text(
        json.dumps({"fingerprint": fingerprint, "platform": platform, "python": python_version})
    )
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="layer directory; packages go to OUTPUT/python (default: build/layer)",
    )
    parser.add_argument(
        "--platform",
        default=LAMBDA_PLATFORM,
        help=f"pip wheel platform tag (default: {LAMBDA_PLATFORM})",
    )
    parser.add_argument(
        "--python-version",
        default=LAMBDA_PYTHON_VERSION,
        help=f"Python version of the wheels (default: {LAMBDA_PYTHON_VERSION})",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    arguments = parser.parse_args(argv)

    built = build_layer(
        arguments.output, arguments.platform, arguments.python_version, force=arguments.force
    )
    state = "built" if built else "up to date"
    target = f"{arguments.platform}, Python {arguments.python_version}"
    print(f"layer {state}: {arguments.output / 'python'} ({target})")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
