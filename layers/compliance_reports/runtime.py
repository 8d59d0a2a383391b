"""Wiring for the Lambda handlers: AWS clients, adapters and services, built once per process."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
from botocore.config import Config

from compliance_reports.adapters.artifacts import ArtifactStore
from compliance_reports.adapters.audit_store import AuditStore
from compliance_reports.adapters.control_store import ControlStore
from compliance_reports.adapters.workflow import WorkflowStarter
from compliance_reports.services.generation import Generator
from compliance_reports.services.ingestion import IngestionService
from compliance_reports.services.reports import CursorCodec, ReportService
from compliance_reports.settings import ServiceSettings

BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, signature_version="s3v4")


def _system_clock() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _system_clock


def now() -> datetime:
    """Return the current time from the process clock, which tests and the local CLI can set."""
    return _clock()


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Replace the process clock; None restores the system clock."""
    global _clock
    _clock = clock or _system_clock


@dataclass(frozen=True)
class Services:
    settings: ServiceSettings
    control: ControlStore
    audit: AuditStore
    artifacts: ArtifactStore
    reports: ReportService
    ingestion: IngestionService
    generator: Generator


@functools.cache
def services() -> Services:
    """Build the adapters and services from the environment, once per Lambda container."""
    settings = ServiceSettings.from_environment()
    dynamodb = boto3.client("dynamodb", config=BOTO_CONFIG)
    s3 = boto3.client("s3", config=BOTO_CONFIG)
    stepfunctions = boto3.client("stepfunctions", config=BOTO_CONFIG)

    control = ControlStore(dynamodb, settings.control_table_name)
    audit = AuditStore(dynamodb, settings.audit_table_name)
    artifacts = ArtifactStore(s3, settings.report_bucket_name)
    reports = ReportService(
        control,
        artifacts,
        WorkflowStarter(stepfunctions, settings.state_machine_arn),
        CursorCodec(settings.signing_key.encode()),
        now,
        settings.download_url_ttl_seconds,
    )

    def retention_days(org_id: str) -> int:
        return reports.settings(org_id).retentionDays

    return Services(
        settings=settings,
        control=control,
        audit=audit,
        artifacts=artifacts,
        reports=reports,
        ingestion=IngestionService(audit, control, now, retention_days),
        generator=Generator(control, audit, artifacts, now),
    )


def reset_services() -> None:
    """Forget the cached services, so the next call reads the environment again."""
    services.cache_clear()
