"""Helpers several test modules use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from compliance_local.stack import REPORT_BUCKET, LocalStack


@contextmanager
def report_bucket_removed(stack: LocalStack) -> Iterator[None]:
    """Delete the report bucket for the duration of the block, then restore it with its objects."""
    s3 = stack.client("s3")
    saved = {}
    for item in s3.list_objects_v2(Bucket=REPORT_BUCKET).get("Contents", []):
        saved[item["Key"]] = s3.get_object(Bucket=REPORT_BUCKET, Key=item["Key"])["Body"].read()
        s3.delete_object(Bucket=REPORT_BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=REPORT_BUCKET)
    try:
        yield
    finally:
        s3.create_bucket(Bucket=REPORT_BUCKET)
        for key, body in saved.items():
            s3.put_object(Bucket=REPORT_BUCKET, Key=key, Body=body)
