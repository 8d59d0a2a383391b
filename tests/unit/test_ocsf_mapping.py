"""OCSF 1.x mapping, checked against the OCSF project's own sample events."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from compliance_reports.domain.ocsf import OcsfMappingError, detect_format, map_ocsf_event
from compliance_reports.models.events import AuditEvent

from tests.conftest import SHARED_DATA

# The OCSF project's sample events are kept outside the repository and are never copied into it.
OCSF_SAMPLES = SHARED_DATA / "ocsf"
ORG = "org-acme"


def load_sample(name: str) -> dict[str, Any]:
    if not OCSF_SAMPLES.is_dir():
        pytest.skip(f"the OCSF samples are not in {OCSF_SAMPLES}")
    data: dict[str, Any] = json.loads((OCSF_SAMPLES / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def account_change() -> dict[str, Any]:
    return load_sample("account_change_3001.json")


@pytest.fixture
def authentication() -> dict[str, Any]:
    return load_sample("authentication_3002.json")


@pytest.fixture
def api_activity() -> dict[str, Any]:
    return load_sample("api_activity_6003.json")


def validated(raw: dict[str, Any]) -> AuditEvent:
    return AuditEvent.model_validate(map_ocsf_event(raw, ORG))


# --- the three samples ----------------------------------------------------------------------------


def test_authentication_sample(authentication: dict[str, Any]) -> None:
    event = validated(authentication)

    assert event.eventId == "fed06f42-cb12-4764-8c69-example"
    assert event.orgId == ORG
    assert event.category == "access"
    assert event.action == "auth.login"
    assert event.outcome == "success"
    assert event.actor.type == "user"
    assert event.actor.id == "arn:aws:iam::111122223333:user/anaya"
    assert event.actor.name == "anaya"
    assert event.occurredAt.isoformat() == "2023-11-10T16:24:34+00:00"
    assert event.source.ip == "192.0.2.0"
    assert event.source.userAgent is not None
    assert event.source.userAgent.startswith("Mozilla/5.0 (Macintosh")
    assert event.target is None
    assert event.agentId is None
    assert event.details["ocsf"]["is_mfa"] is True


def test_account_change_sample(account_change: dict[str, Any]) -> None:
    event = validated(account_change)

    assert event.eventId == "7dd15a89-ae0f-4340-8e6c-example"
    assert event.category == "admin"
    assert event.action == "user.created"
    # The sample has no status_id, and an absent status is unknown.
    assert event.outcome == "unknown"
    assert event.actor.id == "arn:aws:sts::112233445566:assumed-role/Admin/Admin-user"
    assert event.actor.name is None
    assert event.target is not None
    assert event.target.type == "user"
    assert event.target.id == "AROA2W7SOKHEXAMPLE:Admin-user"
    assert event.target.name == "test_user2"
    assert event.occurredAt.isoformat() == "2023-03-17T17:07:59+00:00"
    assert event.source.ip == "52.95.4.21"
    assert event.source.userAgent == "AWS Internal"


def test_api_activity_sample(api_activity: dict[str, Any]) -> None:
    event = validated(api_activity)

    assert event.category == "access"
    assert event.action == "api.request"
    # status_id 99 is "Other", which does not tell success from failure.
    assert event.outcome == "unknown"
    assert event.actor.id == "arn:aws:iam::1111111111111:user/Level6"
    assert event.actor.name == "Level6"
    assert event.occurredAt.isoformat() == "2023-09-21T22:22:52+00:00"
    assert event.source.ip == "205.8.181.128"
    assert event.details["ocsf"]["activity_name"] == "Read"
    assert event.details["ocsf"]["api.operation"] == "DescribeDirectConnectGateways"


def test_details_bounded_subset(api_activity: dict[str, Any]) -> None:
    details = map_ocsf_event(api_activity, ORG)["details"]

    assert list(details) == ["ocsf"]
    assert details["ocsf"] == {
        "class_uid": 6003,
        "activity_id": 2,
        "activity_name": "Read",
        "metadata.version": "1.1.0",
        "metadata.product.name": "CloudTrail",
        "api.operation": "DescribeDirectConnectGateways",
        "api.service.name": "directconnect.amazonaws.com",
        "cloud.region": "us-east-1",
    }


def test_detect_format_samples(
    account_change: dict[str, Any], authentication: dict[str, Any], api_activity: dict[str, Any]
) -> None:
    assert detect_format(account_change) == "ocsf"
    assert detect_format(authentication) == "ocsf"
    assert detect_format(api_activity) == "ocsf"


def test_detect_format_native() -> None:
    native = {"eventId": "e1", "category": "admin", "metadata": {"version": "1.1.0"}}

    assert detect_format(native) == "native"
    assert detect_format({"class_uid": 3002, "metadata": {}}) == "native"


# --- value mapping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status_id", "outcome"),
    [(1, "success"), (2, "failure"), (0, "unknown"), (99, "unknown"), (None, "unknown")],
)
def test_outcome_from_status_id(
    authentication: dict[str, Any], status_id: int | None, outcome: str
) -> None:
    authentication["status_id"] = status_id
    authentication.pop("status")

    assert map_ocsf_event(authentication, ORG)["outcome"] == outcome


def test_failed_logon_stays_failure(authentication: dict[str, Any]) -> None:
    authentication |= {"status_id": 2, "status": "Failure", "status_detail": "ACCESS_DENIED"}

    event = map_ocsf_event(authentication, ORG)

    assert event["action"] == "auth.login"
    assert event["outcome"] == "failure"


def test_api_access_denied(api_activity: dict[str, Any]) -> None:
    api_activity["status_id"] = 2
    api_activity["api"]["response"]["error"] = "AccessDenied"

    assert map_ocsf_event(api_activity, ORG)["outcome"] == "denied"


def test_api_http_403_denied(api_activity: dict[str, Any]) -> None:
    api_activity["status_id"] = 2
    api_activity["http_response"] = {"code": 403}

    assert map_ocsf_event(api_activity, ORG)["outcome"] == "denied"


def test_api_other_failure(api_activity: dict[str, Any]) -> None:
    api_activity["status_id"] = 2
    api_activity["api"]["response"]["error"] = "ThrottlingException"

    assert map_ocsf_event(api_activity, ORG)["outcome"] == "failure"


def test_status_caption_fallback(account_change: dict[str, Any]) -> None:
    account_change["status"] = "Failure"

    assert map_ocsf_event(account_change, ORG)["outcome"] == "failure"


@pytest.mark.parametrize(
    ("activity_id", "action"),
    [
        (1, "user.created"),
        (2, "user.enabled"),
        (3, "user.password_changed"),
        (4, "user.password_reset"),
        (5, "user.disabled"),
        (6, "user.deleted"),
        (7, "user.role_changed"),
        (8, "user.role_changed"),
        (9, "user.locked"),
        (10, "user.mfa_enabled"),
        (11, "user.mfa_disabled"),
        (99, "user.changed"),
        (0, "user.changed"),
        (12, "user.changed"),
    ],
)
def test_account_change_actions(
    account_change: dict[str, Any], activity_id: int, action: str
) -> None:
    account_change["activity_id"] = activity_id

    event = validated(account_change)

    assert event.category == "admin"
    assert event.action == action
    assert event.details["ocsf"]["activity_id"] == activity_id


@pytest.mark.parametrize(
    ("activity_id", "action"),
    [
        (1, "auth.login"),
        (2, "auth.logout"),
        (3, "auth.ticket_requested"),
        (4, "auth.service_ticket_requested"),
        (5, "auth.service_ticket_renewed"),
        (6, "auth.other"),
        (99, "auth.other"),
    ],
)
def test_authentication_actions(
    authentication: dict[str, Any], activity_id: int, action: str
) -> None:
    authentication["activity_id"] = activity_id

    event = validated(authentication)

    assert event.category == "access"
    assert event.action == action


@pytest.mark.parametrize(
    ("activity_id", "activity_name"),
    [(1, "Create"), (2, "Read"), (3, "Update"), (4, "Delete"), (99, "Other")],
)
def test_api_activity_names(
    api_activity: dict[str, Any], activity_id: int, activity_name: str
) -> None:
    api_activity["activity_id"] = activity_id
    api_activity.pop("activity_name")

    event = validated(api_activity)

    assert event.action == "api.request"
    assert event.details["ocsf"]["activity_name"] == activity_name


def test_attach_policy_keeps_policy_name(account_change: dict[str, Any]) -> None:
    account_change["activity_id"] = 7
    account_change["policy"] = {"name": "ReadOnlyAccess"}

    details = map_ocsf_event(account_change, ORG)["details"]["ocsf"]

    assert details["policy.name"] == "ReadOnlyAccess"


def test_actor_email_and_system(authentication: dict[str, Any]) -> None:
    authentication["actor"]["user"] |= {"email_addr": "anaya@example.com", "type_id": 3}

    actor = map_ocsf_event(authentication, ORG)["actor"]

    assert actor["email"] == "anaya@example.com"
    assert actor["type"] == "system"


def test_logon_without_actor_uses_user(authentication: dict[str, Any]) -> None:
    del authentication["actor"]

    actor = map_ocsf_event(authentication, ORG)["actor"]

    assert actor["id"] == "arn:aws:iam::111122223333:user/anaya"
    assert "name" not in actor


def test_api_resource_target(api_activity: dict[str, Any]) -> None:
    api_activity["resources"] = [
        {"uid": "arn:aws:s3:::reports", "type": "AWS::S3::Bucket", "name": "reports"},
        {"uid": "arn:aws:s3:::other"},
    ]

    target = validated(api_activity).target

    assert target is not None
    assert target.id == "arn:aws:s3:::reports"
    assert target.type == "AWS::S3::Bucket"
    assert target.name == "reports"


def test_time_dt_when_time_missing(authentication: dict[str, Any]) -> None:
    del authentication["time"]
    authentication["time_dt"] = "2023-11-10T17:24:34.250+01:00"

    assert map_ocsf_event(authentication, ORG)["occurredAt"] == "2023-11-10T16:24:34.250Z"


def test_time_keeps_milliseconds(authentication: dict[str, Any]) -> None:
    authentication["time"] = 1699633474123

    assert map_ocsf_event(authentication, ORG)["occurredAt"] == "2023-11-10T16:24:34.123Z"


def test_event_id_hash_fallback(authentication: dict[str, Any]) -> None:
    del authentication["metadata"]["uid"]

    first = map_ocsf_event(authentication, ORG)["eventId"]
    again = map_ocsf_event(copy.deepcopy(authentication), ORG)["eventId"]
    authentication["time"] += 1
    changed = map_ocsf_event(authentication, ORG)["eventId"]

    assert first.startswith("ocsf-")
    assert len(first) == len("ocsf-") + 64
    assert first == again
    assert changed != first


def test_user_agent_truncated(authentication: dict[str, Any]) -> None:
    authentication["http_request"]["user_agent"] = "x" * 2000

    assert len(validated(authentication).source.userAgent or "") == 512


# --- errors ---------------------------------------------------------------------------------------


def mapping_error(raw: dict[str, Any]) -> OcsfMappingError:
    with pytest.raises(OcsfMappingError) as caught:
        map_ocsf_event(raw, ORG)
    return caught.value


def test_unsupported_class(authentication: dict[str, Any]) -> None:
    authentication["class_uid"] = 4001

    error = mapping_error(authentication)

    assert error.field == "class_uid"
    assert "4001" in str(error)
    assert "3001 Account Change" in str(error)
    assert "6003 API Activity" in str(error)


def test_class_uid_missing(authentication: dict[str, Any]) -> None:
    del authentication["class_uid"]

    error = mapping_error(authentication)

    assert error.field == "class_uid"
    assert "missing" in str(error)


def test_class_uid_string(authentication: dict[str, Any]) -> None:
    authentication["class_uid"] = "3002"

    error = mapping_error(authentication)

    assert error.field == "class_uid"
    assert "'3002'" in str(error)


def test_version_two_rejected(authentication: dict[str, Any]) -> None:
    authentication["metadata"]["version"] = "2.0.0"

    error = mapping_error(authentication)

    assert error.field == "metadata.version"
    assert "'2.0.0'" in str(error)


def test_version_missing(authentication: dict[str, Any]) -> None:
    del authentication["metadata"]["version"]

    assert mapping_error(authentication).field == "metadata.version"


def test_activity_id_missing(api_activity: dict[str, Any]) -> None:
    del api_activity["activity_id"]

    error = mapping_error(api_activity)

    assert error.field == "activity_id"
    assert "activity_id is missing" in str(error)


def test_status_id_undefined(authentication: dict[str, Any]) -> None:
    authentication["status_id"] = 7

    error = mapping_error(authentication)

    assert error.field == "status_id"
    assert "99 Other" in str(error)


def test_actor_missing(api_activity: dict[str, Any]) -> None:
    del api_activity["actor"]["user"]

    error = mapping_error(api_activity)

    assert error.field == "actor.user"
    assert "actor.user is missing" in str(error)


def test_actor_uid_missing(api_activity: dict[str, Any]) -> None:
    api_activity["actor"]["user"] = {"type": "IAMUser"}

    assert mapping_error(api_activity).field == "actor.user.uid"


def test_account_user_missing(account_change: dict[str, Any]) -> None:
    del account_change["user"]

    error = mapping_error(account_change)

    assert error.field == "user"
    assert "Account Change" in str(error)


def test_time_missing(authentication: dict[str, Any]) -> None:
    del authentication["time"]
    del authentication["time_dt"]

    assert mapping_error(authentication).field == "time"


def test_time_in_seconds(authentication: dict[str, Any]) -> None:
    authentication["time"] = 1699633474

    error = mapping_error(authentication)

    assert error.field == "time"
    assert "seconds" in str(error)


def test_time_dt_without_offset(authentication: dict[str, Any]) -> None:
    del authentication["time"]
    authentication["time_dt"] = "2023-11-10T16:24:34"

    error = mapping_error(authentication)

    assert error.field == "time_dt"
    assert "offset" in str(error)


def test_time_dt_invalid(authentication: dict[str, Any]) -> None:
    del authentication["time"]
    authentication["time_dt"] = "yesterday"

    error = mapping_error(authentication)

    assert error.field == "time_dt"
    assert "'yesterday'" in str(error)


def test_user_agent_wrong_type(authentication: dict[str, Any]) -> None:
    authentication["http_request"]["user_agent"] = 42

    error = mapping_error(authentication)

    assert error.field == "http_request.user_agent"
    assert "must be a string" in str(error)


def test_error_is_value_error(authentication: dict[str, Any]) -> None:
    authentication["class_uid"] = 1001

    with pytest.raises(ValueError, match="class_uid 1001 is not supported"):
        map_ocsf_event(authentication, ORG)
