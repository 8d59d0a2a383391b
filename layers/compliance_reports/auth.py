"""Identity from verified JWT claims, as the HTTP API JWT authorizer passes them to Lambda."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from compliance_reports.domain.errors import ForbiddenError, ProblemError
from compliance_reports.services.reports import Caller

ROLES = ("admin", "auditor", "ingest")


class UnauthorizedError(ProblemError):
    status = 401
    code = "UNAUTHORIZED"


def claim_values(value: Any) -> list[str]:
    """Return a claim as a list of strings.

    API Gateway passes array claims to Lambda as one bracketed string such as "[admin auditor]";
    the local gateway passes JSON arrays. Both forms, and plain strings, are accepted.
    """
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(item) for item in parsed]
        return [part for part in text[1:-1].replace(",", " ").split() if part]
    return [text] if text else []


def caller_from_claims(
    claims: Mapping[str, Any] | None, org_claim: str, role_claim: str, email_claim: str
) -> Caller:
    """Build the caller from the authorizer's claims; a missing claim means the request is 401."""
    if not claims:
        raise UnauthorizedError("authentication is required")
    orgs = claim_values(claims.get(org_claim))
    subject = claims.get("sub")
    if len(orgs) != 1 or not subject:
        raise UnauthorizedError("authentication is required")
    roles = [role for role in claim_values(claims.get(role_claim)) if role in ROLES]
    # With several roles the most privileged one applies.
    role = next((candidate for candidate in ROLES if candidate in roles), "")
    email = claims.get(email_claim)
    return Caller(
        org_id=orgs[0], subject=str(subject), role=role, email=str(email) if email else None
    )


def require_role(caller: Caller, *allowed: str) -> None:
    if caller.role not in allowed:
        raise ForbiddenError(
            f"role '{caller.role or 'none'}' may not do this; it needs one of: {', '.join(allowed)}"
        )


def require_own_org(caller: Caller, org_id: str | None, field: str = "orgId") -> None:
    if org_id is not None and org_id != caller.org_id:
        raise ForbiddenError(
            f"orgId '{org_id}' is not the organisation of your token; leave orgId out or use "
            f"'{caller.org_id}'",
            field=field,
        )
