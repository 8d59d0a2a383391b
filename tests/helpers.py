"""Helpers several test modules use."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError
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

    # Reports of earlier tests may still be writing, so empty and delete until the bucket is gone.
    for _attempt in range(20):
        _empty(s3)
        try:
            s3.delete_bucket(Bucket=REPORT_BUCKET)
            break
        except ClientError as error:
            if error.response["Error"]["Code"] != "BucketNotEmpty":
                raise
            time.sleep(0.2)
    else:
        raise AssertionError(f"{REPORT_BUCKET} kept receiving objects, so it was not deleted")

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


def _empty(s3: Any) -> None:
    """Delete every object version, delete marker and unfinished multipart upload."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=REPORT_BUCKET):
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            s3.delete_object(
                Bucket=REPORT_BUCKET, Key=version["Key"], VersionId=version["VersionId"]
            )
    for upload in s3.list_multipart_uploads(Bucket=REPORT_BUCKET).get("Uploads", []):
        s3.abort_multipart_upload(
            Bucket=REPORT_BUCKET, Key=upload["Key"], UploadId=upload["UploadId"]
        )


def run_cli(*arguments: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `compliance-local` with `arguments` in a subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "compliance_local.cli", *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
