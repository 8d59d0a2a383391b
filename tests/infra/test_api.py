"""HTTP API: routes, JWT authorizer, CORS, throttling and access logs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.stack.constants import ROUTES, SHARED_LINK_ROUTE
from tests.infra.helpers import only, referenced_ids, resources

PUBLIC_ROUTES = {"GET /compliance/health", "GET /compliance/shared/{token}"}
OPENAPI = Path(__file__).resolve().parents[2] / "openapi.json"


def _routes(template_dict: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in resources(template_dict, "AWS::ApiGatewayV2::Route").values()
    }


def test_routes_match_route_table(template_dict: dict[str, Any]) -> None:
    assert set(_routes(template_dict)) == {route.key for route in ROUTES}


def test_jwt_on_private_routes(template_dict: dict[str, Any]) -> None:
    authorizer_id, _ = only(template_dict, "AWS::ApiGatewayV2::Authorizer")
    for key, route in _routes(template_dict).items():
        if key in PUBLIC_ROUTES:
            continue
        assert route["AuthorizationType"] == "JWT", key
        assert route["AuthorizerId"] == {"Ref": authorizer_id}, key


def test_public_routes_without_authorizer(template_dict: dict[str, Any]) -> None:
    routes = _routes(template_dict)
    for key in PUBLIC_ROUTES:
        assert routes[key]["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in routes[key]


def test_authorizer_issuer_and_audience(template_dict: dict[str, Any]) -> None:
    _, authorizer = only(template_dict, "AWS::ApiGatewayV2::Authorizer")
    configuration = authorizer["Properties"]["JwtConfiguration"]
    assert configuration == {"Issuer": "https://issuer.test/", "Audience": ["compliance-dashboard"]}
    assert authorizer["Properties"]["IdentitySource"] == ["$request.header.Authorization"]


def test_cors_allows_dashboard_origin(template_dict: dict[str, Any]) -> None:
    _, api = only(template_dict, "AWS::ApiGatewayV2::Api")
    cors = api["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == ["https://dashboard.test"]
    assert {"Authorization", "Idempotency-Key"} <= set(cors["AllowHeaders"])
    assert "AllowCredentials" not in cors


def test_stage_throttling(template_dict: dict[str, Any]) -> None:
    _, stage = only(template_dict, "AWS::ApiGatewayV2::Stage")
    defaults = stage["Properties"]["DefaultRouteSettings"]
    assert defaults["ThrottlingRateLimit"] > 0
    assert defaults["ThrottlingBurstLimit"] > 0
    shared = stage["Properties"]["RouteSettings"][SHARED_LINK_ROUTE]
    assert shared["ThrottlingRateLimit"] < defaults["ThrottlingRateLimit"]


def test_access_log_keyed_by_route(template_dict: dict[str, Any]) -> None:
    _, stage = only(template_dict, "AWS::ApiGatewayV2::Stage")
    settings = stage["Properties"]["AccessLogSettings"]
    record = json.loads(settings["Format"])
    assert record["routeKey"] == "$context.routeKey"
    assert record["requestId"] == "$context.requestId"
    assert not any("$context.path" in value for value in record.values())
    log_group, _ = settings["DestinationArn"]["Fn::GetAtt"]
    assert log_group in resources(template_dict, "AWS::Logs::LogGroup")


def test_one_permission_for_api(template_dict: dict[str, Any]) -> None:
    api_id, _ = only(template_dict, "AWS::ApiGatewayV2::Api")
    permissions = [
        permission["Properties"]
        for permission in resources(template_dict, "AWS::Lambda::Permission").values()
        if permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]
    assert len(permissions) == 1
    assert permissions[0]["Action"] == "lambda:InvokeFunction"
    assert api_id in referenced_ids(permissions[0]["SourceArn"])


def _normalized(route_key: str) -> str:
    """Replace path parameter names, which API Gateway and Powertools match by position."""
    return re.sub(r"\{[^}]+\}", "{}", route_key)


@pytest.mark.skipif(not OPENAPI.is_file(), reason="openapi.json is not generated yet")
def test_documented_routes_deployed() -> None:
    document = json.loads(OPENAPI.read_text())
    documented = {
        _normalized(f"{method.upper()} {path}")
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "delete", "patch"}
    }
    deployed = {_normalized(route.key) for route in ROUTES}
    assert documented - deployed == set()
