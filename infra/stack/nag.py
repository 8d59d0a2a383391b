"""cdk-nag checks and acknowledgments.

cdk-nag 3 runs as a CDK validation plugin: `app.synth()` fails on any finding that is not
acknowledged, and the findings land in `validation-report.json` of the cloud assembly. An
acknowledgment applies to the construct it is attached to and to everything below it, so each
one is attached to the resource it excuses, never to the stack.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aws_cdk import Acknowledgment, App, Stack, Validations
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs import IConstruct


def add_checks(app: App) -> None:
    """Run the AwsSolutions and Serverless packs on every synth of `app`."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Acknowledge one finding, such as `AwsSolutions-S1` or `AwsSolutions-IAM5[Resource::*]`."""
    Validations.of(construct).acknowledge(Acknowledgment(id=finding, reason=reason))


def acknowledge_wildcard_resources(
    role: iam.IRole, statement: iam.PolicyStatement, reason: str
) -> None:
    """Acknowledge the IAM5 findings of the wildcard resources in `statement`, on `role`.

    cdk-nag names such a finding after the resource with its CloudFormation references
    flattened, for example `Resource::<ReportBucket1234.Arn>/reports/*`, so the statement is
    resolved here the same way.
    """
    document: dict[str, Any] = Stack.of(role).resolve(statement.to_statement_json())
    for resource in _as_list(document.get("Resource")):
        flat = flatten_reference(resource)
        if "*" in flat:
            acknowledge(role, f"AwsSolutions-IAM5[Resource::{flat}]", reason)


def flatten_reference(node: Any) -> str:
    """Flatten a CloudFormation value the way cdk-nag does: `<Id.Attr>` for `Fn::GetAtt`,
    `<Id>` for `Ref`, `Fn::Join` joined, `${…}` of `Fn::Sub` as `<…>`."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def _as_list(value: Any) -> Iterable[Any]:
    if value is None:
        return ()
    return value if isinstance(value, list) else (value,)
