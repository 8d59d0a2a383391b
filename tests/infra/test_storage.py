"""Report bucket: private, TLS only, encrypted, versioned, with lifecycle rules."""

from __future__ import annotations

from typing import Any

from infra.stack.constants import PARTIAL_TAG_KEY, PARTIAL_TAG_VALUE
from tests.infra.helpers import as_list, resources


def _report_bucket(template_dict: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    [(logical_id, bucket)] = [
        (logical_id, bucket)
        for logical_id, bucket in resources(template_dict, "AWS::S3::Bucket").items()
        if logical_id.startswith("StorageReports")
    ]
    return logical_id, bucket["Properties"]


def _rule(properties: dict[str, Any], rule_id: str) -> dict[str, Any]:
    rules: list[dict[str, Any]] = properties["LifecycleConfiguration"]["Rules"]
    [rule] = [rule for rule in rules if rule["Id"] == rule_id]
    return rule


def test_buckets_block_public_access(template_dict: dict[str, Any]) -> None:
    for logical_id, bucket in resources(template_dict, "AWS::S3::Bucket").items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert block == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id


def test_buckets_encrypted(template_dict: dict[str, Any]) -> None:
    for logical_id, bucket in resources(template_dict, "AWS::S3::Bucket").items():
        [rule] = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", logical_id


def test_buckets_deny_plain_http(template_dict: dict[str, Any]) -> None:
    policies = {
        policy["Properties"]["Bucket"]["Ref"]: policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in resources(template_dict, "AWS::S3::BucketPolicy").values()
    }
    for logical_id in resources(template_dict, "AWS::S3::Bucket"):
        denials = [
            statement
            for statement in policies[logical_id]
            if statement["Effect"] == "Deny"
            and statement.get("Condition", {}).get("Bool") == {"aws:SecureTransport": "false"}
        ]
        assert denials, f"{logical_id} has no TLS-only statement"
        assert as_list(denials[0]["Action"]) == ["s3:*"]
        assert denials[0]["Principal"] == {"AWS": "*"}


def test_report_bucket_versioned_and_logged(template_dict: dict[str, Any]) -> None:
    _, properties = _report_bucket(template_dict)
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["LoggingConfiguration"]["LogFilePrefix"] == "s3/reports/"
    assert properties["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_report_lifecycle(template_dict: dict[str, Any]) -> None:
    _, properties = _report_bucket(template_dict)
    rule = _rule(properties, "report-files")
    assert rule["Prefix"] == "reports/"
    assert rule["ExpirationInDays"] == 2555
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert rule["Transitions"] == [{"StorageClass": "GLACIER_IR", "TransitionInDays": 90}]


def test_partials_expire_by_tag(template_dict: dict[str, Any]) -> None:
    _, properties = _report_bucket(template_dict)
    rule = _rule(properties, "partials")
    assert rule["ExpirationInDays"] == 7
    assert rule["TagFilters"] == [{"Key": PARTIAL_TAG_KEY, "Value": PARTIAL_TAG_VALUE}]


def test_delete_markers_removed(template_dict: dict[str, Any]) -> None:
    _, properties = _report_bucket(template_dict)
    assert _rule(properties, "delete-markers")["ExpiredObjectDeleteMarker"] is True
