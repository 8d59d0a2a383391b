"""Look-ups in a synthesized CloudFormation template (a plain dict)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

Resource = dict[str, Any]


def resources(template: Mapping[str, Any], resource_type: str) -> dict[str, Resource]:
    """Return the resources of one type, keyed by logical id."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def only(template: Mapping[str, Any], resource_type: str) -> tuple[str, Resource]:
    """Return the logical id and resource of the one resource of a type."""
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))


def functions_by_handler(template: Mapping[str, Any]) -> dict[str, tuple[str, Resource]]:
    """Return the service's Lambda functions (those with the shared layer) keyed by handler,
    e.g. `api_handler.lambda_handler`."""
    return {
        resource["Properties"]["Handler"]: (logical_id, resource)
        for logical_id, resource in resources(template, "AWS::Lambda::Function").items()
        if any(
            str(layer.get("Ref", "")).startswith("SharedLayer")
            for layer in resource["Properties"].get("Layers", [])
        )
    }


def role_id(resource: Resource) -> str:
    """Return the logical id of the role a function or state machine assumes."""
    role = resource["Properties"].get("Role") or resource["Properties"]["RoleArn"]
    return str(role["Fn::GetAtt"][0])


def role_statements(template: Mapping[str, Any], role_logical_id: str) -> list[dict[str, Any]]:
    """Return every statement of the policies attached to a role, inline or separate."""
    statements: list[dict[str, Any]] = []
    role = template["Resources"][role_logical_id]
    for policy in role["Properties"].get("Policies", []):
        statements.extend(policy["PolicyDocument"]["Statement"])
    for policy in resources(template, "AWS::IAM::Policy").values():
        attached = [reference.get("Ref") for reference in policy["Properties"].get("Roles", [])]
        if role_logical_id in attached:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def actions(statements: list[dict[str, Any]]) -> set[str]:
    return {action for statement in statements for action in as_list(statement["Action"])}


def statements_with(statements: list[dict[str, Any]], action: str) -> Iterator[dict[str, Any]]:
    return (statement for statement in statements if action in as_list(statement["Action"]))


def referenced_ids(value: Any) -> set[str]:
    """Return the logical ids that `Ref` or `Fn::GetAtt` name anywhere inside `value`."""
    text = json.dumps(value)
    return set(re.findall(r'"Ref": "([A-Za-z0-9]+)"', text)) | set(
        re.findall(r'"Fn::GetAtt": \["([A-Za-z0-9]+)"', text)
    )


def state_machine_definition(
    template: Mapping[str, Any], substitutions: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return the state machine definition with its `${…}` placeholders substituted.

    Literal substitutions (numbers) come from the template; references such as function ARNs
    must be given in `substitutions`, or are replaced by the referenced logical id.
    """
    _, machine = only(template, "AWS::StepFunctions::StateMachine")
    properties = machine["Properties"]
    text: str = properties["DefinitionString"]
    values: dict[str, str] = {}
    for name, value in properties.get("DefinitionSubstitutions", {}).items():
        values[name] = value if isinstance(value, str) else "|".join(sorted(referenced_ids(value)))
    values.update(substitutions or {})
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    definition: dict[str, Any] = json.loads(text)
    return definition
