"""Removal of a deleted report's files, by the only function allowed to delete objects."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_s3 as s3
from constructs import Construct

from . import permissions
from .constants import DELETER_SIZE, EVENT_SOURCE, REPORT_DELETED_DETAIL_TYPE
from .functions import FunctionDefaults, FunctionSpec, ServiceFunction


class ArtifactDeletion(Construct):
    """The api puts a `Report Deleted` event on the service's bus; the deleter removes every
    version of the objects under `reports/<orgId>/<reportId>/`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        reports: s3.IBucket,
        bus: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)

        self.deleter = ServiceFunction(
            self,
            "Deleter",
            spec=FunctionSpec(
                "deleter",
                "deleter_handler.lambda_handler",
                DELETER_SIZE,
                "Delete every version of a deleted report's files",
                asynchronous=True,
            ),
            defaults=defaults,
        )
        role = self.deleter.role
        permissions.allow_report_listing(role, reports, "ListBucketVersions")
        permissions.allow_report_objects(role, reports, ["DeleteObject", "DeleteObjectVersion"])

        self.rule = events.Rule(
            self,
            "ReportDeleted",
            description="Delete the files of deleted compliance reports",
            event_bus=bus,
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE], detail_type=[REPORT_DELETED_DETAIL_TYPE]
            ),
            targets=[self.deleter.event_target()],
        )
