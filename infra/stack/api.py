"""The HTTP API with its JWT authorizer, and the api function behind every route."""

from __future__ import annotations

import json

import jsii
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_events as events
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from . import nag, permissions
from .constants import (
    API_BURST_LIMIT,
    API_RATE_LIMIT,
    API_SIZE,
    CORS_HEADERS,
    CORS_MAX_AGE,
    DOWNLOAD_URL_TTL_SECONDS,
    PENDING_TIMEOUT_SECONDS,
    ROUTES,
    SHARED_LINK_BURST_LIMIT,
    SHARED_LINK_RATE_LIMIT,
    SHARED_LINK_ROUTE,
)
from .context import DeploymentSettings
from .data import Tables
from .functions import FunctionDefaults, FunctionSpec, ServiceFunction

# One JSON object per request. The route key (`GET /compliance/shared/{token}`) is logged
# instead of the path, because paths carry report ids and share tokens.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "sourceIp": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class AccessLogSettings:
    """Access log destination and format of an HTTP API stage."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)
        self._format = apigateway.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS))

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return self._format


class ComplianceApi(Construct):
    """`/compliance/...` routes to one function; every route but health and shared links
    requires a JWT from the configured issuer and audience."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        defaults: FunctionDefaults,
        tables: Tables,
        reports: s3.IBucket,
        bus: events.IEventBus,
        state_machine_arn: str,
        state_machine_name: str,
        dashboard_origin: str,
    ) -> None:
        super().__init__(scope, construct_id)

        self.signing_key = secretsmanager.Secret(
            self,
            "SigningKey",
            description="Signs list cursors and hashes share tokens of the compliance API",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        nag.acknowledge(
            self.signing_key,
            "AwsSolutions-SMG4",
            "Share tokens are stored as hashes keyed with this secret, so rotating it would "
            "invalidate every auditor link issued; rotate it by hand together with revoking "
            "the open links.",
        )

        self.handler = ServiceFunction(
            self,
            "Handler",
            spec=FunctionSpec(
                "api",
                "api_handler.lambda_handler",
                API_SIZE,
                "Compliance reports HTTP API",
                environment={
                    "STATE_MACHINE_ARN": state_machine_arn,
                    "SIGNING_KEY_SECRET_ARN": self.signing_key.secret_arn,
                    "DOWNLOAD_URL_TTL_SECONDS": str(DOWNLOAD_URL_TTL_SECONDS),
                    "PENDING_TIMEOUT_SECONDS": str(PENDING_TIMEOUT_SECONDS),
                    "JWT_CLAIM_ORG": settings.claim_org,
                    "JWT_CLAIM_ROLE": settings.claim_role,
                    "JWT_CLAIM_EMAIL": settings.claim_email,
                },
            ),
            defaults=defaults,
        )
        self._grant(tables, reports, bus, state_machine_arn, state_machine_name)

        self.http_api = apigwv2.HttpApi(
            self,
            "HttpApi",
            api_name=settings.resource_name("api"),
            description="Compliance reports API",
            create_default_stage=False,
            cors_preflight=apigwv2.CorsPreflightOptions(
                allow_origins=[dashboard_origin],
                allow_methods=[
                    apigwv2.CorsHttpMethod.GET,
                    apigwv2.CorsHttpMethod.POST,
                    apigwv2.CorsHttpMethod.PUT,
                    apigwv2.CorsHttpMethod.DELETE,
                ],
                allow_headers=list(CORS_HEADERS),
                max_age=CORS_MAX_AGE,
            ),
        )
        self._add_routes(settings)
        self.stage = self._default_stage(defaults)

    @property
    def url(self) -> str:
        return self.stage.url

    def _grant(
        self,
        tables: Tables,
        reports: s3.IBucket,
        bus: events.IEventBus,
        state_machine_arn: str,
        state_machine_name: str,
    ) -> None:
        role = self.handler.role
        permissions.allow_table(
            role, tables.control, ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"]
        )
        # The service's own trail and POST /compliance/events: guard items are read and new items
        # written in batches. NOTE: IAM cannot limit BatchWriteItem to PutRequest entries, so
        # this grant would also allow DeleteRequest; the audit store sends puts only, and point-in-
        # time recovery restores the table.
        permissions.allow_table(role, tables.audit, ["BatchGetItem", "BatchWriteItem"])
        # Presigned download URLs carry this role's permission; nothing is written or deleted.
        permissions.allow_report_objects(role, reports, ["GetObject"])
        permissions.allow_report_listing(role, reports)
        permissions.allow(role, ["states:StartExecution"], [state_machine_arn])
        permissions.allow(
            role,
            ["states:DescribeExecution"],
            permissions.execution_arns(self, state_machine_name),
            wildcard_reason=(
                "Executions of the report state machine only; a read of a stale pending "
                "record describes its execution, named <reportId>-<attempt>."
            ),
        )
        permissions.allow_report_events(role, bus)
        permissions.allow(role, ["secretsmanager:GetSecretValue"], [self.signing_key.secret_arn])

    def _add_routes(self, settings: DeploymentSettings) -> None:
        authorizer = authorizers.HttpJwtAuthorizer(
            "Jwt", settings.jwt_issuer, jwt_audience=list(settings.jwt_audience)
        )
        # One resource-based permission for the whole API instead of one per route.
        integration = integrations.HttpLambdaIntegration(
            "Handler", self.handler.function, scope_permission_to_route=False
        )
        self.routes: dict[str, apigwv2.HttpRoute] = {}
        for route in ROUTES:
            [added] = self.http_api.add_routes(
                path=route.path,
                methods=[apigwv2.HttpMethod(route.method)],
                integration=integration,
                authorizer=None if route.public else authorizer,
            )
            self.routes[route.key] = added
            if route.public:
                nag.acknowledge(
                    added,
                    "AwsSolutions-APIG4",
                    f"{route.key} is public by design: the health check answers load "
                    "balancers and probes, and a shared link is authorized by its unguessable "
                    "token, which the function verifies against its stored hash and expiry.",
                )

    def _default_stage(self, defaults: FunctionDefaults) -> apigwv2.HttpStage:
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=defaults.log_retention,
            removal_policy=defaults.removal_policy,
        )
        stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.http_api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=API_RATE_LIMIT, burst_limit=API_BURST_LIMIT
            ),
            access_log_settings=AccessLogSettings(access_logs),
        )
        # Route settings name an existing route, so the stage waits for it.
        stage.node.add_dependency(self.routes[SHARED_LINK_ROUTE])
        cfn_stage = stage.node.default_child
        assert isinstance(cfn_stage, apigwv2.CfnStage)
        cfn_stage.route_settings = {
            SHARED_LINK_ROUTE: {
                "ThrottlingRateLimit": SHARED_LINK_RATE_LIMIT,
                "ThrottlingBurstLimit": SHARED_LINK_BURST_LIMIT,
            }
        }
        return stage
