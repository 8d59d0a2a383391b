"""Build the CDK app: context defaults from infra/cdk.json, the stack, and the cdk-nag checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import Annotations, App

from . import nag
from .compliance_stack import ComplianceReportsStack
from .constants import FUNCTIONS_DIRECTORY, LAYER_DIRECTORY, REPOSITORY_ROOT
from .context import DeploymentSettings

CDK_JSON = REPOSITORY_ROOT / "infra" / "cdk.json"
PLACEHOLDER_DOMAIN = "example.com"


def context_defaults(cdk_json: Path = CDK_JSON) -> dict[str, Any]:
    """Return the `context` of cdk.json: feature flags and the deployment defaults."""
    context: dict[str, Any] = json.loads(cdk_json.read_text())["context"]
    return context


def build_app(
    context: Mapping[str, Any] | None = None,
    *,
    outdir: str | None = None,
    layer_directory: Path = LAYER_DIRECTORY,
    functions_directory: Path = FUNCTIONS_DIRECTORY,
) -> tuple[App, ComplianceReportsStack]:
    """Create the app with its one stack; `context` overrides the cdk.json defaults.

    Under the CDK CLI, the CLI's context (cdk.json and `-c`) arrives through the environment and
    takes precedence over the defaults given here.
    """
    app = App(context={**context_defaults(), **(context or {})}, outdir=outdir)
    settings = DeploymentSettings.from_node(app.node)
    stack = ComplianceReportsStack(
        app,
        settings=settings,
        layer_directory=layer_directory,
        functions_directory=functions_directory,
    )
    if PLACEHOLDER_DOMAIN in settings.jwt_issuer:
        Annotations.of(stack).add_warning_v2(
            "compliance:placeholder-issuer",
            f"jwtIssuer is the placeholder {settings.jwt_issuer}; pass -c jwtIssuer=<your "
            "identity provider's issuer URL> and -c jwtAudience=<client id> before deploying.",
        )
    nag.add_checks(app)
    return app, stack
