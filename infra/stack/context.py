"""Deployment settings from CDK context: infra/cdk.json defaults, overridden by `-c key=value`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from constructs import Node

from .constants import DEFAULT_ENGINE_EVENT_SOURCE, DEVELOPMENT_STAGE, STAGES


class ContextError(ValueError):
    """A context value is missing or invalid."""


@dataclass(frozen=True)
class DeploymentSettings:
    stage: str
    jwt_issuer: str
    jwt_audience: tuple[str, ...]
    # Empty means the dashboard's own CloudFront URL is the only allowed CORS origin.
    dashboard_origin: str
    dashboard_client_id: str
    alarm_email: str
    claim_org: str
    claim_role: str
    claim_email: str
    log_level: str
    engine_event_source: str
    account: str | None
    region: str | None

    @property
    def is_development(self) -> bool:
        return self.stage == DEVELOPMENT_STAGE

    @property
    def stack_name(self) -> str:
        return f"ComplianceReports-{self.stage}"

    def resource_name(self, suffix: str) -> str:
        """Return a physical name unique per stage, for resources whose ARN is built by name."""
        return f"compliance-reports-{self.stage}-{suffix}"

    @classmethod
    def from_node(cls, node: Node) -> DeploymentSettings:
        stage = _text(node, "stage")
        if stage not in STAGES:
            raise ContextError(f"context 'stage' is {stage!r}; use one of {', '.join(STAGES)}")
        issuer = _text(node, "jwtIssuer")
        if not issuer.startswith("https://"):
            raise ContextError(f"context 'jwtIssuer' is {issuer!r}; it must be an https:// URL")
        audience = _list(node, "jwtAudience")
        return cls(
            stage=stage,
            jwt_issuer=issuer,
            jwt_audience=audience,
            dashboard_origin=_text(node, "dashboardOrigin", default="").rstrip("/"),
            dashboard_client_id=_text(node, "dashboardClientId", default=audience[0]),
            alarm_email=_text(node, "alarmEmail", default=""),
            claim_org=_text(node, "jwtClaimOrg", default="org_id"),
            claim_role=_text(node, "jwtClaimRole", default="role"),
            claim_email=_text(node, "jwtClaimEmail", default="email"),
            log_level=_text(node, "logLevel", default="INFO").upper(),
            engine_event_source=_text(
                node, "engineEventSource", default=DEFAULT_ENGINE_EVENT_SOURCE
            ),
            account=_text(node, "account", default="") or None,
            region=_text(node, "region", default="") or None,
        )


def _text(node: Node, key: str, default: str | None = None) -> str:
    value: Any = node.try_get_context(key)
    if value is None or value == "":
        if default is None:
            raise ContextError(
                f"context '{key}' is missing; set it in infra/cdk.json or pass -c {key}=…"
            )
        return default
    if not isinstance(value, str):
        raise ContextError(f"context '{key}' is {value!r}; it must be a string")
    return value.strip()


def _list(node: Node, key: str) -> tuple[str, ...]:
    """Read a list of strings; `-c key=a,b` and `-c key='["a","b"]'` arrive as strings."""
    value: Any = node.try_get_context(key)
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else text.split(",")
    if not isinstance(value, list) or not value:
        raise ContextError(f"context '{key}' is missing or empty; give at least one value")
    items = tuple(str(item).strip() for item in value if str(item).strip())
    if not items:
        raise ContextError(f"context '{key}' has only empty values")
    return items
