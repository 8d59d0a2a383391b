"""The one stack of the service; it only composes the capability constructs."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Environment, RemovalPolicy, Stack, Tags
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from .api import ComplianceApi
from .constants import (
    FUNCTIONS_DIRECTORY,
    LAYER_DIRECTORY,
    METRICS_NAMESPACE,
    SERVICE_NAME,
    log_retention,
)
from .context import DeploymentSettings
from .data import Tables
from .deletion import ArtifactDeletion
from .functions import ARCHITECTURE, RUNTIME, FunctionDefaults
from .ingestion import EngineIngestion
from .monitoring import Alarms
from .schedule import ReportSchedule
from .storage import ReportStorage
from .web import Dashboard
from .workflow import ReportWorkflow


class ComplianceReportsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        *,
        settings: DeploymentSettings,
        layer_directory: Path = LAYER_DIRECTORY,
        functions_directory: Path = FUNCTIONS_DIRECTORY,
    ) -> None:
        super().__init__(
            scope,
            settings.stack_name,
            description=f"Compliance reports service ({settings.stage})",
            env=Environment(account=settings.account, region=settings.region),
        )
        Tags.of(self).add("service", SERVICE_NAME)
        Tags.of(self).add("stage", settings.stage)
        protect = not settings.is_development
        removal_policy = RemovalPolicy.RETAIN if protect else RemovalPolicy.DESTROY

        tables = Tables(self, "Data", protect=protect)
        storage = ReportStorage(self, "Storage")
        bus = events.EventBus(
            self, "ReportEvents", event_bus_name=settings.resource_name("report-events")
        )
        layer = lambda_.LayerVersion(
            self,
            "SharedLayer",
            code=lambda_.Code.from_asset(str(layer_directory)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="compliance_reports package and its runtime dependencies",
        )
        defaults = FunctionDefaults(
            layer=layer,
            environment={
                "AUDIT_TABLE_NAME": tables.audit.table_name,
                "CONTROL_TABLE_NAME": tables.control.table_name,
                "REPORT_BUCKET_NAME": storage.reports.bucket_name,
                "EVENT_BUS_NAME": bus.event_bus_name,
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": settings.log_level,
            },
            log_retention=log_retention(settings.stage),
            removal_policy=removal_policy,
            functions_directory=functions_directory,
        )

        workflow = ReportWorkflow(
            self,
            "Workflow",
            state_machine_name=settings.resource_name("report-generation"),
            defaults=defaults,
            tables=tables,
            reports=storage.reports,
            bus=bus,
        )
        state_machine_arn = workflow.state_machine.state_machine_arn
        dashboard = Dashboard(self, "Dashboard", access_logs=storage.access_logs)
        api = ComplianceApi(
            self,
            "Api",
            settings=settings,
            defaults=defaults,
            tables=tables,
            reports=storage.reports,
            bus=bus,
            state_machine_arn=state_machine_arn,
            state_machine_name=workflow.state_machine_name,
            dashboard_origin=settings.dashboard_origin or dashboard.url,
        )
        dashboard.publish(
            {
                "apiUrl": api.url,
                "stage": settings.stage,
                "auth": {
                    "issuer": settings.jwt_issuer,
                    "clientId": settings.dashboard_client_id,
                    "audience": list(settings.jwt_audience),
                },
            },
            defaults,
        )
        schedule = ReportSchedule(
            self,
            "Schedule",
            defaults=defaults,
            tables=tables,
            bus=bus,
            state_machine_arn=state_machine_arn,
            state_machine_name=workflow.state_machine_name,
        )
        ingestion = EngineIngestion(
            self,
            "Ingestion",
            defaults=defaults,
            tables=tables,
            engine_event_source=settings.engine_event_source,
        )
        deletion = ArtifactDeletion(
            self, "Deletion", defaults=defaults, reports=storage.reports, bus=bus
        )
        Alarms(
            self,
            "Alarms",
            alarm_email=settings.alarm_email,
            state_machine=workflow.state_machine,
            http_api=api.http_api,
            functions=[
                api.handler,
                workflow.plan,
                workflow.shard,
                workflow.merge,
                workflow.mark_completed,
                workflow.mark_failed,
                schedule.scheduler,
                schedule.sweeper,
                schedule.status_change,
                ingestion.ingest,
                deletion.deleter,
            ],
        )

        CfnOutput(self, "ApiUrl", value=api.url)
        CfnOutput(self, "DashboardUrl", value=dashboard.url)
        CfnOutput(self, "ReportBucketName", value=storage.reports.bucket_name)
        CfnOutput(self, "StateMachineArn", value=state_machine_arn)
        CfnOutput(self, "EventBusName", value=bus.event_bus_name)
