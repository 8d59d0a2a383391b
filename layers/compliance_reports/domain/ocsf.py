"""Mapping of OCSF 1.x events onto native audit events (version 1).

Three OCSF classes are supported: 3001 Account Change, 3002 Authentication and 6003 API
Activity. `map_ocsf_event` returns a dict in the input shape of `AuditEvent`, which the caller
validates. docs/ocsf-mapping.md has one table per class with every field that is kept or dropped.
Activity and status ids follow the OCSF 1.1.0 schema (github.com/ocsf/ocsf-schema).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from compliance_reports.domain.payloads import json_type_name
from compliance_reports.models.events import format_utc_millis

ACCOUNT_CHANGE: Final = 3001
AUTHENTICATION: Final = 3002
API_ACTIVITY: Final = 6003

CLASS_NAMES: Final[Mapping[int, str]] = {
    ACCOUNT_CHANGE: "Account Change",
    AUTHENTICATION: "Authentication",
    API_ACTIVITY: "API Activity",
}

ACCOUNT_CHANGE_ACTIVITIES: Final[Mapping[int, tuple[str, str]]] = {
    1: ("Create", "user.created"),
    2: ("Enable", "user.enabled"),
    3: ("Password Change", "user.password_changed"),
    4: ("Password Reset", "user.password_reset"),
    5: ("Disable", "user.disabled"),
    6: ("Delete", "user.deleted"),
    # An IAM policy attached to or detached from an account changes what it may do, which is
    # what the SOC2 role-change metric counts.
    7: ("Attach Policy", "user.role_changed"),
    8: ("Detach Policy", "user.role_changed"),
    9: ("Lock", "user.locked"),
    10: ("MFA Factor Enable", "user.mfa_enabled"),
    11: ("MFA Factor Disable", "user.mfa_disabled"),
}
ACCOUNT_CHANGE_OTHER_ACTION: Final = "user.changed"

AUTHENTICATION_ACTIVITIES: Final[Mapping[int, tuple[str, str]]] = {
    1: ("Logon", "auth.login"),
    2: ("Logoff", "auth.logout"),
    3: ("Authentication Ticket", "auth.ticket_requested"),
    4: ("Service Ticket Request", "auth.service_ticket_requested"),
    5: ("Service Ticket Renew", "auth.service_ticket_renewed"),
}
AUTHENTICATION_OTHER_ACTION: Final = "auth.other"

API_ACTIVITY_NAMES: Final[Mapping[int, str]] = {1: "Create", 2: "Read", 3: "Update", 4: "Delete"}
API_ACTIVITY_ACTION: Final = "api.request"

# OCSF 1.x status_id values: 0 Unknown, 1 Success, 2 Failure, 99 Other.
STATUS_OUTCOMES: Final[Mapping[int, str]] = {
    0: "unknown",
    1: "success",
    2: "failure",
    99: "unknown",
}
STATUS_CAPTION_OUTCOMES: Final[Mapping[str, str]] = {
    "unknown": "unknown",
    "success": "success",
    "failure": "failure",
    "other": "unknown",
}

# OCSF user.type_id 3 is "System".
USER_TYPE_SYSTEM: Final = 3

# Before this instant (1973-03-03T09:46:40Z) a `time` value is almost certainly epoch seconds
# sent where OCSF expects epoch milliseconds.
MIN_EPOCH_MILLIS: Final = 100_000_000_000

MAX_DETAIL_TEXT = 256
MAX_NAME_TEXT = 512
MAX_USER_AGENT_TEXT = 512
MAX_TARGET_TYPE_TEXT = 64

# Error codes and HTTP statuses that mean "not allowed" rather than "broken". The codes are the
# common ones from AWS CloudTrail (AccessDenied, UnauthorizedOperation) and HTTP 401/403.
# NOTE: matching by substring is a heuristic, so an unusual producer's denial may stay `failure`.
DENIAL_MARKERS: Final = ("accessdenied", "unauthorized", "notauthorized", "forbidden")
DENIAL_HTTP_CODES: Final = frozenset({401, 403})

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_SUPPORTED_CLASSES_TEXT: Final = "3001 Account Change, 3002 Authentication and 6003 API Activity"


class OcsfMappingError(ValueError):
    """An OCSF event that cannot become an audit event. `field` is the OCSF attribute at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def detect_format(raw: dict[str, Any]) -> Literal["native", "ocsf"]:
    """Return "ocsf" when the event has `class_uid` and `metadata.version`, else "native"."""
    metadata = raw.get("metadata")
    if "class_uid" in raw and isinstance(metadata, dict) and "version" in metadata:
        return "ocsf"
    return "native"


def map_ocsf_event(raw: dict[str, Any], org_id: str) -> dict[str, Any]:
    """Map one OCSF 1.x event of class 3001, 3002 or 6003 to a native audit-event dict for `org_id`.

    The result is not validated here: the caller passes it to `AuditEvent.model_validate`, which
    checks lengths and formats. Raises OcsfMappingError, naming the OCSF field, when the version
    or class is unsupported, when a required attribute (class_uid, activity_id, time or time_dt,
    actor.user, and user for class 3001) is missing, or when a value has the wrong type.
    """
    if not isinstance(raw, dict):
        raise OcsfMappingError(
            "", f"an OCSF event must be a JSON object, not {json_type_name(raw)}"
        )
    _check_version(raw)
    class_uid = _class_uid(raw)
    activity_id = _required_integer(raw, "activity_id")

    category, action, activity_name = _CLASS_RULES[class_uid](raw, activity_id)
    actor = _actor(raw, class_uid)
    target: dict[str, Any] | None
    if class_uid == ACCOUNT_CHANGE:
        target = _account_target(raw)
    elif class_uid == API_ACTIVITY:
        target = _resource_target(raw)
    else:
        target = None

    return {
        "eventId": _event_id(raw),
        "orgId": org_id,
        "occurredAt": _occurred_at(raw),
        "category": category,
        "action": action,
        "outcome": _outcome(raw, class_uid),
        "actor": actor,
        "agentId": None,
        "target": target,
        "source": _source(raw),
        "personalData": [],
        "dlp": None,
        "details": {"ocsf": _details(raw, class_uid, activity_id, activity_name)},
    }


# --- class rules: (category, action, activity name) --------------------------------------------


def _account_change_rule(raw: dict[str, Any], activity_id: int) -> tuple[str, str, str]:
    other = ("Other", ACCOUNT_CHANGE_OTHER_ACTION)
    caption, action = ACCOUNT_CHANGE_ACTIVITIES.get(activity_id, other)
    return "admin", action, _activity_name(raw, caption)


def _authentication_rule(raw: dict[str, Any], activity_id: int) -> tuple[str, str, str]:
    other = ("Other", AUTHENTICATION_OTHER_ACTION)
    caption, action = AUTHENTICATION_ACTIVITIES.get(activity_id, other)
    return "access", action, _activity_name(raw, caption)


def _api_activity_rule(raw: dict[str, Any], activity_id: int) -> tuple[str, str, str]:
    caption = API_ACTIVITY_NAMES.get(activity_id, "Other")
    return "access", API_ACTIVITY_ACTION, _activity_name(raw, caption)


_CLASS_RULES: Final[Mapping[int, Callable[[dict[str, Any], int], tuple[str, str, str]]]] = {
    ACCOUNT_CHANGE: _account_change_rule,
    AUTHENTICATION: _authentication_rule,
    API_ACTIVITY: _api_activity_rule,
}


def _activity_name(raw: dict[str, Any], caption: str) -> str:
    """Prefer the producer's `activity_name`, which names ids outside the 1.1.0 tables."""
    name = _text(raw, "activity_name", MAX_DETAIL_TEXT)
    return name if name else caption


# --- header: version, class, id, time, outcome --------------------------------------------------


def _check_version(raw: dict[str, Any]) -> None:
    version = _lookup(raw, "metadata.version")
    if version is None:
        raise OcsfMappingError(
            "metadata.version",
            "metadata.version is missing; an OCSF event must state its schema version, "
            "such as '1.1.0'",
        )
    if not isinstance(version, str) or not version.startswith("1."):
        raise OcsfMappingError(
            "metadata.version",
            f"metadata.version is {version!r}; only OCSF 1.x events (for example '1.1.0') "
            "are supported",
        )


def _class_uid(raw: dict[str, Any]) -> int:
    class_uid = _required_integer(raw, "class_uid")
    if class_uid not in CLASS_NAMES:
        raise OcsfMappingError(
            "class_uid",
            f"class_uid {class_uid} is not supported; the supported OCSF classes are "
            f"{_SUPPORTED_CLASSES_TEXT}",
        )
    return class_uid


def _event_id(raw: dict[str, Any]) -> str:
    """Use `metadata.uid`, else a content hash, so that a resent event keeps its id."""
    uid = _lookup(raw, "metadata.uid")
    if isinstance(uid, int) and not isinstance(uid, bool):
        return str(uid)
    if isinstance(uid, str) and uid.strip():
        return uid
    if uid is not None and not isinstance(uid, str):
        raise OcsfMappingError(
            "metadata.uid", f"metadata.uid is {json_type_name(uid)}; it must be a string"
        )
    canonical = json.dumps(
        raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return "ocsf-" + hashlib.sha256(canonical.encode()).hexdigest()


def _occurred_at(raw: dict[str, Any]) -> str:
    millis = raw.get("time")
    if millis is not None:
        return format_utc_millis(_from_epoch_millis(millis))

    text = raw.get("time_dt")
    if text is None:
        raise OcsfMappingError(
            "time",
            "time and time_dt are both missing; give 'time' in epoch milliseconds "
            "or 'time_dt' as an RFC 3339 timestamp",
        )
    if not isinstance(text, str):
        raise OcsfMappingError(
            "time_dt", f"time_dt is {json_type_name(text)}; it must be an RFC 3339 string"
        )
    try:
        instant = datetime.fromisoformat(text)
    except ValueError as error:
        raise OcsfMappingError(
            "time_dt",
            f"time_dt {text!r} is not an RFC 3339 timestamp; "
            "use a form such as '2023-11-10T16:24:34Z'",
        ) from error
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise OcsfMappingError(
            "time_dt", f"time_dt {text!r} has no UTC offset; add 'Z' or an offset such as '+02:00'"
        )
    return format_utc_millis(instant.astimezone(UTC))


def _from_epoch_millis(millis: object) -> datetime:
    if isinstance(millis, bool) or not isinstance(millis, int | float) or not math.isfinite(millis):
        raise OcsfMappingError(
            "time",
            f"time is {millis!r}; OCSF time is an integer of milliseconds since the Unix epoch, "
            "such as 1699633474000",
        )
    if millis < MIN_EPOCH_MILLIS:
        raise OcsfMappingError(
            "time",
            f"time {millis!r} is before 1973 when read as epoch milliseconds; "
            "it may be in seconds, so multiply it by 1000",
        )
    try:
        return _EPOCH + timedelta(milliseconds=int(millis))
    except OverflowError as error:
        raise OcsfMappingError(
            "time", f"time {millis!r} is after the year 9999; give epoch milliseconds"
        ) from error


def _outcome(raw: dict[str, Any], class_uid: int) -> str:
    status_id = _optional_integer(raw, "status_id")
    if status_id is None:
        caption = _text(raw, "status", MAX_DETAIL_TEXT)
        return STATUS_CAPTION_OUTCOMES.get((caption or "").strip().lower(), "unknown")

    outcome = STATUS_OUTCOMES.get(status_id)
    if outcome is None:
        raise OcsfMappingError(
            "status_id",
            f"status_id {status_id} is not an OCSF 1.x status; "
            "use 0 Unknown, 1 Success, 2 Failure or 99 Other",
        )
    # A failed logon stays `failure` because the SOC2 report counts failed logins by that outcome.
    if outcome == "failure" and class_uid != AUTHENTICATION and _is_denial(raw):
        return "denied"
    return outcome


def _is_denial(raw: dict[str, Any]) -> bool:
    http_code = _lookup(raw, "http_response.code")
    if isinstance(http_code, int) and http_code in DENIAL_HTTP_CODES:
        return True
    for path in ("api.response.error", "status_detail", "status_code"):
        value = _lookup(raw, path)
        if isinstance(value, str):
            folded = value.lower().replace(" ", "").replace("_", "")
            if any(marker in folded for marker in DENIAL_MARKERS):
                return True
    return False


# --- actor, target, source, details -------------------------------------------------------------


def _actor(raw: dict[str, Any], class_uid: int) -> dict[str, Any]:
    path = "actor.user"
    user: dict[str, Any] | None = _object(raw, path)
    if user is None and class_uid == AUTHENTICATION:
        # In class 3002 `user` is the account that authenticates, and `actor` is optional.
        path = "user"
        user = _object(raw, path)
    if user is None:
        also = " or user" if class_uid == AUTHENTICATION else ""
        raise OcsfMappingError(
            "actor.user",
            f"actor.user{also} is missing; an OCSF {CLASS_NAMES[class_uid]} event needs the user "
            "who acted, with at least uid, email_addr or name",
        )

    actor: dict[str, Any] = {
        "type": "system" if _is_system_user(user) else "user",
        "id": _user_id(user, path),
    }
    email = _text(user, "email_addr", MAX_NAME_TEXT, prefix=path)
    if email:
        actor["email"] = email
    name = _text(user, "name", MAX_NAME_TEXT, prefix=path)
    if name:
        actor["name"] = name
    return actor


def _is_system_user(user: dict[str, Any]) -> bool:
    type_id = user.get("type_id")
    if isinstance(type_id, int) and not isinstance(type_id, bool):
        return type_id == USER_TYPE_SYSTEM
    caption = user.get("type")
    return isinstance(caption, str) and caption.strip().lower() == "system"


def _user_id(user: dict[str, Any], path: str) -> str:
    """Use the user's uid, else email_addr, else name, because OCSF does not require uid."""
    for key in ("uid", "email_addr", "name"):
        value = user.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value
    raise OcsfMappingError(
        f"{path}.uid",
        f"{path}.uid is missing; give the user's uid (or at least email_addr or name)",
    )


def _account_target(raw: dict[str, Any]) -> dict[str, Any]:
    user = _object(raw, "user")
    if user is None:
        raise OcsfMappingError(
            "user",
            "user is missing; an OCSF Account Change event must name the changed account in 'user'",
        )
    target: dict[str, Any] = {"type": "user", "id": _user_id(user, "user")}
    name = _text(user, "name", MAX_NAME_TEXT, prefix="user")
    if name:
        target["name"] = name
    return target


def _resource_target(raw: dict[str, Any]) -> dict[str, Any] | None:
    """Map the first entry of `resources` and drop the rest, which keeps the event bounded."""
    resources = raw.get("resources")
    if resources is None:
        return None
    if not isinstance(resources, list):
        raise OcsfMappingError(
            "resources", f"resources is {json_type_name(resources)}; it must be an array of objects"
        )
    if not resources or not isinstance(resources[0], dict):
        return None

    resource = resources[0]
    resource_id = resource.get("uid") or resource.get("name")
    if not isinstance(resource_id, str) or not resource_id.strip():
        return None
    resource_type = _text(resource, "type", MAX_TARGET_TYPE_TEXT, prefix="resources[0]")
    target: dict[str, Any] = {"type": resource_type or "resource", "id": resource_id}
    name = _text(resource, "name", MAX_NAME_TEXT, prefix="resources[0]")
    if name and name != resource_id:
        target["name"] = name
    return target


def _source(raw: dict[str, Any]) -> dict[str, Any]:
    source: dict[str, Any] = {}
    ip = _text(raw, "src_endpoint.ip", None)
    if ip:
        source["ip"] = ip
    user_agent = _text(raw, "http_request.user_agent", MAX_USER_AGENT_TEXT)
    if user_agent:
        source["userAgent"] = user_agent
    return source


def _details(
    raw: dict[str, Any], class_uid: int, activity_id: int, activity_name: str
) -> dict[str, Any]:
    """Copy a fixed, small set of OCSF attributes, never the whole raw event."""
    details: dict[str, Any] = {
        "class_uid": class_uid,
        "activity_id": activity_id,
        "activity_name": activity_name,
    }
    for path in (
        "status_detail",
        "metadata.version",
        "metadata.product.name",
        "api.operation",
        "api.service.name",
        "cloud.region",
        "policy.name",
    ):
        value = _lookup(raw, path)
        if isinstance(value, str) and value:
            details[path] = value[:MAX_DETAIL_TEXT]
    is_mfa = raw.get("is_mfa")
    if isinstance(is_mfa, bool):
        details["is_mfa"] = is_mfa
    return details


# --- attribute access -----------------------------------------------------------------------------


def _lookup(raw: Mapping[str, Any], path: str) -> Any:
    """Return the value at a dotted attribute path, or None when any part is missing."""
    value: Any = raw
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _object(raw: dict[str, Any], path: str) -> dict[str, Any] | None:
    value = _lookup(raw, path)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise OcsfMappingError(path, f"{path} is {json_type_name(value)}; it must be an object")
    return value


def _required_integer(raw: dict[str, Any], path: str) -> int:
    value = _optional_integer(raw, path)
    if value is None:
        raise OcsfMappingError(path, f"{path} is missing; OCSF events need an integer {path}")
    return value


def _optional_integer(raw: dict[str, Any], path: str) -> int | None:
    value = _lookup(raw, path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise OcsfMappingError(
            path, f"{path} is {value!r} ({json_type_name(value)}); it must be an integer"
        )
    return value


def _text(
    raw: Mapping[str, Any], path: str, max_length: int | None, *, prefix: str = ""
) -> str | None:
    """Return an optional string attribute, cut to `max_length` characters when one is given."""
    value = _lookup(raw, path)
    if value is None:
        return None
    if not isinstance(value, str):
        field = f"{prefix}.{path}" if prefix else path
        raise OcsfMappingError(field, f"{field} is {json_type_name(value)}; it must be a string")
    return value if max_length is None else value[:max_length]
