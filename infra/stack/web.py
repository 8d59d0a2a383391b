"""The dashboard: files of web/ in a private bucket behind CloudFront, plus its config.json."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as deployment
from constructs import Construct

from . import nag
from .constants import WEB_DIRECTORY
from .functions import FunctionDefaults
from .storage import private_bucket

CONFIG_FILE = "config.json"
# The CDK construct that copies sources into the bucket is a singleton Lambda function whose id
# starts with this.
DEPLOYMENT_HANDLER_PREFIX = "Custom::CDKBucketDeployment"


class Dashboard(Construct):
    """CloudFront reaches the bucket through origin access control; the bucket stays private."""

    def __init__(self, scope: Construct, construct_id: str, *, access_logs: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Site",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[],
            access_logs=access_logs,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Compliance reports dashboard",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
            ),
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="dashboard/",
        )
        nag.acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "The dashboard serves organisations in any country; the API behind it checks "
            "every request's token, so a geographic restriction would add no protection.",
        )
        nag.acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "The distribution serves static files only; requests with data go to the API, "
            "which has its own throttling and JWT authorizer.",
        )
        nag.acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The distribution uses the default *.cloudfront.net certificate, whose security "
            "policy CloudFront fixes; a custom domain with an ACM certificate and TLSv1.2_2021 "
            "is the remedy when the dashboard gets its own domain.",
        )

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def publish(self, config: Mapping[str, Any], defaults: FunctionDefaults) -> None:
        """Copy web/ (when it has files) and `config.json` into the bucket, then invalidate the
        CloudFront cache. `config` may hold deploy-time values such as the API URL."""
        sources = [deployment.Source.json_data(CONFIG_FILE, dict(config))]
        if any(path.is_file() for path in WEB_DIRECTORY.rglob("*")):
            sources.insert(0, deployment.Source.asset(str(WEB_DIRECTORY)))
        deployment_logs = logs.LogGroup(
            self,
            "DeploymentLogs",
            retention=defaults.log_retention,
            removal_policy=defaults.removal_policy,
        )
        deployment.BucketDeployment(
            self,
            "Files",
            destination_bucket=self.bucket,
            sources=sources,
            distribution=self.distribution,
            distribution_paths=["/*"],
            log_group=deployment_logs,
        )
        self._acknowledge_deployment_handler()

    def _acknowledge_deployment_handler(self) -> None:
        """Acknowledge the findings of the BucketDeployment handler that aws-cdk-lib creates.

        Its wildcard actions and resources are read from its resolved policy, so a finding that
        a new aws-cdk-lib version adds stays unacknowledged and fails the synth.
        """
        stack = Stack.of(self)
        site_objects = nag.flatten_reference(stack.resolve(self.bucket.arn_for_objects("*")))
        for handler in stack.node.children:
            if not handler.node.id.startswith(DEPLOYMENT_HANDLER_PREFIX):
                continue
            for finding, reason in HANDLER_FINDINGS.items():
                nag.acknowledge(handler, finding, reason)
            policy = handler.node.find_child("ServiceRole").node.find_child("DefaultPolicy")
            assert isinstance(policy, iam.Policy)
            document = stack.resolve(policy.document.to_json())
            for statement in document["Statement"]:
                for action in _as_list(statement["Action"]):
                    if "*" in action and action in HANDLER_ACTION_REASONS:
                        nag.acknowledge(
                            handler,
                            f"AwsSolutions-IAM5[Action::{action}]",
                            HANDLER_ACTION_REASONS[action],
                        )
                for resource in _as_list(statement["Resource"]):
                    flat = nag.flatten_reference(resource)
                    resource_reason = _handler_resource_reason(flat, site_objects)
                    if resource_reason is not None:
                        finding = f"AwsSolutions-IAM5[Resource::{flat}]"
                        nag.acknowledge(handler, finding, resource_reason)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _handler_resource_reason(resource: str, site_objects: str) -> str | None:
    if resource == site_objects:
        return (
            "The handler copies the dashboard files into this bucket and prunes old ones; the "
            "bucket holds nothing else."
        )
    if resource.endswith("/*") and "-assets-" in resource:
        return (
            "The handler reads the dashboard's zipped files from the CDK asset bucket, under a "
            "key that is a content hash known only when assets are published."
        )
    if resource == "*":
        return (
            "cloudfront:CreateInvalidation and GetInvalidation, used to refresh the dashboard "
            "after a deployment, support no resource-level permissions in this CDK handler."
        )
    return None


_CDK_HANDLER = (
    "The aws-cdk-lib BucketDeployment handler runs only while CloudFormation deploys the stack, "
    "to copy the dashboard files; "
)
HANDLER_FINDINGS: Mapping[str, str] = {
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AWSLambdaBasicExecutionRole]": _CDK_HANDLER
    + "aws-cdk-lib attaches the managed basic-execution policy to its role, which only "
    "allows writing the handler's own logs.",
    "AwsSolutions-L1": _CDK_HANDLER + "aws-cdk-lib chooses and updates its runtime.",
    "Serverless-LambdaLatestVersion": _CDK_HANDLER + "aws-cdk-lib chooses and updates its runtime.",
    "Serverless-LambdaDLQ": _CDK_HANDLER
    + "CloudFormation invokes it and fails the deployment on an error, so no event is lost.",
    "Serverless-LambdaTracing": _CDK_HANDLER
    + "its failures appear in the CloudFormation events and its log group.",
}
# The action groups of the CDK grants the handler gets on the asset and dashboard buckets.
HANDLER_ACTION_REASONS: Mapping[str, str] = {
    "s3:GetBucket*": _CDK_HANDLER + "it reads bucket metadata of the asset and dashboard buckets.",
    "s3:GetObject*": _CDK_HANDLER + "it reads the asset and the existing dashboard files.",
    "s3:List*": _CDK_HANDLER + "it lists the dashboard files to prune removed ones.",
    "s3:Abort*": _CDK_HANDLER + "it aborts its own failed uploads of dashboard files.",
    "s3:DeleteObject*": _CDK_HANDLER + "it deletes dashboard files that web/ no longer has.",
}
