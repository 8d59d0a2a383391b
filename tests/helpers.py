"""Helpers several test modules use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from compliance_local.stack import REPORT_BUCKET, LocalStack


@contextmanager
def report_bucket_removed(stack: LocalStack) -> Iterator[None]:
    """Delete the report bucket for the duration of the block, then restore it with its objects.

    The bucket may be versioned (another test turns versioning on), so every version and delete
    marker is removed first, and the versioning status is restored with the current objects.
    """
    s3 = stack.client("s3")
    versioning = s3.get_bucket_versioning(Bucket=REPORT_BUCKET).get("Status")
    saved = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=REPORT_BUCKET):
        for item in page.get("Contents", []):
            saved[item["Key"]] = s3.get_object(Bucket=REPORT_BUCKET, Key=item["Key"])["Body"].read()
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=REPORT_BUCKET):
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            s3.delete_object(
                Bucket=REPORT_BUCKET, Key=version["Key"], VersionId=version["VersionId"]
            )
    s3.delete_bucket(Bucket=REPORT_BUCKET)
    try:
        yield
    finally:
        s3.create_bucket(Bucket=REPORT_BUCKET)
        if versioning:
            s3.put_bucket_versioning(
                Bucket=REPORT_BUCKET, VersioningConfiguration={"Status": versioning}
            )
        for key, body in saved.items():
            s3.put_object(Bucket=REPORT_BUCKET, Key=key, Body=body)
