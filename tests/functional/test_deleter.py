"""Deleting a report's files removes every version under its folder and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from compliance_local.stack import LocalStack
from compliance_reports.adapters.artifacts import ArtifactStore, report_folder


@pytest.fixture
def versioned_bucket(local_stack: LocalStack) -> Iterator[str]:
    """A versioned bucket like the AWS report bucket; the local stack's own is unversioned."""
    s3 = local_stack.client("s3")
    name = f"test-versions-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    listing = s3.list_object_versions(Bucket=name)
    for item in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]:
        s3.delete_object(Bucket=name, Key=item["Key"], VersionId=item["VersionId"])
    s3.delete_bucket(Bucket=name)


def _versions(local_stack: LocalStack, bucket: str, prefix: str) -> list[str]:
    listing = local_stack.client("s3").list_object_versions(Bucket=bucket, Prefix=prefix)
    return [
        item["Key"] for item in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
    ]


def test_all_versions_removed(local_stack: LocalStack, versioned_bucket: str) -> None:
    s3 = local_stack.client("s3")
    folder = report_folder("org-a", "01REPORT")
    # Two versions of a file, a delete marker, a second attempt, and a neighbour whose id starts
    # with the same characters.
    s3.put_object(Bucket=versioned_bucket, Key=folder + "attempt-1/report.json", Body=b"1")
    s3.put_object(Bucket=versioned_bucket, Key=folder + "attempt-1/report.json", Body=b"2")
    s3.put_object(Bucket=versioned_bucket, Key=folder + "attempt-1/manifest.json", Body=b"m")
    s3.delete_object(Bucket=versioned_bucket, Key=folder + "attempt-1/manifest.json")
    s3.put_object(Bucket=versioned_bucket, Key=folder + "attempt-2/report.csv", Body=b"c")
    neighbour = report_folder("org-a", "01REPORT2") + "attempt-1/report.json"
    s3.put_object(Bucket=versioned_bucket, Key=neighbour, Body=b"n")

    removed = ArtifactStore(s3, versioned_bucket).delete_all_versions(folder)

    assert removed == 5
    assert _versions(local_stack, versioned_bucket, folder) == []
    assert _versions(local_stack, versioned_bucket, "reports/") == [neighbour]


@pytest.mark.parametrize(
    "prefix", ["reports/org-a/", "reports/org-a/01REPORT", "reports//01REPORT/", "other/a/b/"]
)
def test_only_one_report_folder(local_stack: LocalStack, prefix: str) -> None:
    store = ArtifactStore(local_stack.client("s3"), "unused")

    with pytest.raises(ValueError, match="not one report's folder"):
        store.delete_all_versions(prefix)
