"""The report bucket and the bucket that receives S3 and CloudFront access logs."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from . import nag
from .constants import (
    ACCESS_LOG_EXPIRATION,
    INCOMPLETE_UPLOAD_EXPIRATION,
    NONCURRENT_VERSION_EXPIRATION,
    PARTIAL_EXPIRATION,
    PARTIAL_TAG_KEY,
    PARTIAL_TAG_VALUE,
    REPORT_EXPIRATION,
    REPORT_INFREQUENT_ACCESS_AFTER,
    REPORT_PREFIX,
)

MINIMUM_TLS_VERSION = 1.2


def private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    object_ownership: s3.ObjectOwnership,
    lifecycle_rules: Sequence[s3.LifecycleRule],
    versioned: bool = False,
    access_logs: s3.IBucket | None = None,
) -> s3.Bucket:
    """Create a bucket that is private, TLS only, encrypted with S3-managed keys and retained."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        minimum_tls_version=MINIMUM_TLS_VERSION,
        encryption=s3.BucketEncryption.S3_MANAGED,
        object_ownership=object_ownership,
        versioned=versioned,
        lifecycle_rules=list(lifecycle_rules),
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=f"s3/{construct_id.lower()}/" if access_logs else None,
        removal_policy=RemovalPolicy.RETAIN,
    )


class ReportStorage(Construct):
    """Report files under `reports/<orgId>/<reportId>/attempt-<n>/`, versioned, kept seven years."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)

        # CloudFront standard logging writes with an ACL grant, so this bucket keeps ACLs
        # enabled for object writers; S3 server access logs arrive through its bucket policy.
        self.access_logs = private_bucket(
            self,
            "AccessLogs",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=ACCESS_LOG_EXPIRATION)],
        )
        nag.acknowledge(
            self.access_logs,
            "AwsSolutions-S1",
            "This bucket is the target of the S3 and CloudFront access logs; logging its own "
            "access into itself would write a log object for every log object delivered.",
        )

        self.reports = private_bucket(
            self,
            "Reports",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            access_logs=self.access_logs,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="report-files",
                    prefix=REPORT_PREFIX,
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                            transition_after=REPORT_INFREQUENT_ACCESS_AFTER,
                        )
                    ],
                    expiration=REPORT_EXPIRATION,
                    noncurrent_version_expiration=NONCURRENT_VERSION_EXPIRATION,
                    abort_incomplete_multipart_upload_after=INCOMPLETE_UPLOAD_EXPIRATION,
                ),
                # Manifests and shard partials are tagged by the generator; when several
                # rules expire an object, S3 applies the earliest expiration.
                s3.LifecycleRule(
                    id="partials",
                    prefix=REPORT_PREFIX,
                    tag_filters={PARTIAL_TAG_KEY: PARTIAL_TAG_VALUE},
                    expiration=PARTIAL_EXPIRATION,
                ),
                # Expiration leaves delete markers behind once the noncurrent versions expire.
                s3.LifecycleRule(id="delete-markers", expired_object_delete_marker=True),
            ],
        )
