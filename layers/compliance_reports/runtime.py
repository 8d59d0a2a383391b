"""Wiring for the Lambda handlers: AWS clients, adapters and services, built once per process."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3
from botocore.config import Config

from compliance_reports.adapters.artifacts import ArtifactStore
from compliance_reports.adapters.audit_store import AuditStore
from compliance_reports.adapters.control_store import ControlStore
from compliance_reports.adapters.event_bus import EventPublisher
from compliance_reports.adapters.idempotency import IdempotencyStore
from compliance_reports.adapters.schedule_store import ScheduleStore
from compliance_reports.adapters.share_store import ShareStore
from compliance_reports.adapters.workflow import WorkflowStarter
from compliance_reports.services.generation import Generator
from compliance_reports.services.ingestion import IngestionService
from compliance_reports.services.lifecycle import LifecycleService
from compliance_reports.services.reports import CursorCodec, ReportService
from compliance_reports.services.scheduling import SchedulingService
from compliance_reports.services.shares import ShareService
from compliance_reports.services.trail import AuditTrail
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
    events: EventPublisher
    lifecycle: LifecycleService
    scheduling: SchedulingService
    idempotency: IdempotencyStore
    trail: AuditTrail
    shares: ShareService


def signing_key(settings: ServiceSettings) -> bytes:
    """Return the key that signs list cursors and hashes share tokens.

    In AWS it is a Secrets Manager secret read once per container; locally it comes from
    SIGNING_KEY. Without either, cursors and share links cannot be trusted, so this raises.
    """
    if settings.signing_key:
        return settings.signing_key.encode()
    if settings.signing_key_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        return str(parameters.get_secret(settings.signing_key_secret_arn)).encode()
    raise RuntimeError("neither SIGNING_KEY nor SIGNING_KEY_SECRET_ARN is set; set one of them")


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
    workflow = WorkflowStarter(stepfunctions, settings.state_machine_arn)
    events = EventPublisher(boto3.client("events", config=BOTO_CONFIG), settings.event_bus_name)
    reports = ReportService(
        control,
        artifacts,
        workflow,
        CursorCodec(signing_key(settings)),
        now,
        settings.download_url_ttl_seconds,
        pending_check=lambda record: lifecycle.check_pending(record),
        record_created=lambda record, caller: trail.report_created(record, caller),
    )

    def retention_days(org_id: str) -> int:
        return reports.settings(org_id).retentionDays

    ingestion = IngestionService(audit, control, now, retention_days)
    lifecycle = LifecycleService(
        control, workflow, events, ingestion, now, settings.pending_timeout_seconds
    )
    scheduling = SchedulingService(
        ScheduleStore(dynamodb, settings.control_table_name),
        control,
        reports,
        now,
        timedelta(seconds=settings.schedule_grace_seconds),
    )
    trail = AuditTrail(audit, now, retention_days)
    return Services(
        settings=settings,
        control=control,
        audit=audit,
        artifacts=artifacts,
        reports=reports,
        ingestion=ingestion,
        generator=Generator(control, audit, artifacts, now),
        events=events,
        lifecycle=lifecycle,
        scheduling=scheduling,
        idempotency=IdempotencyStore(dynamodb, settings.control_table_name),
        trail=trail,
        shares=ShareService(
            ShareStore(dynamodb, settings.control_table_name),
            reports,
            trail,
            signing_key(settings),
            now,
        ),
    )


def reset_services() -> None:
    """Forget the cached services, so the next call reads the environment again."""
    services.cache_clear()
