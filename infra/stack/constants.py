"""Names, sizes and limits of the AWS deployment, in one place.

Everything here is the same for every stage. Values that differ per deployment (stage, identity
provider, origins) come from CDK context, read in `context.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from aws_cdk import Duration
from aws_cdk import aws_logs as logs

REPOSITORY_ROOT: Final = Path(__file__).resolve().parents[2]
FUNCTIONS_DIRECTORY: Final = REPOSITORY_ROOT / "functions"
LAYER_DIRECTORY: Final = REPOSITORY_ROOT / "build" / "layer"
WEB_DIRECTORY: Final = REPOSITORY_ROOT / "web"
STATE_MACHINE_DEFINITION: Final = (
    REPOSITORY_ROOT / "infra" / "workflow" / "report_generation.asl.json"
)

SERVICE_NAME: Final = "compliance-reports"
METRICS_NAMESPACE: Final = "ComplianceReports"
DEVELOPMENT_STAGE: Final = "dev"
STAGES: Final = (DEVELOPMENT_STAGE, "prod")

# --- Data -----------------------------------------------------------------------------------------

PARTITION_KEY: Final = "pk"
SORT_KEY: Final = "sk"
TTL_ATTRIBUTE: Final = "expiresAt"
AUDIT_AGENT_INDEX: Final = "byAgentMonth"
AUDIT_AGENT_INDEX_KEYS: Final = ("gsi1pk", "gsi1sk")
CONTROL_PENDING_INDEX: Final = "pendingReports"
CONTROL_PENDING_INDEX_KEYS: Final = ("pendingPk", "pendingSince")

# Attributes a status writer (generator, sweeper, status-change handler) may name in an UpdateItem
# on the control table, enforced with the `dynamodb:Attributes` condition key. The list has the
# table and index keys, the attributes set or removed, and those of the condition expression
# (`status` and `attempt`). `record` is the report document, and the counters are shard progress.
# NOTE: that condition attributes count is inferred from the documented legacy `Expected`
# parameter; if AWS ignores them, `attempt` can be dropped from this list.
RECORD_STATUS_ATTRIBUTES: Final = (
    PARTITION_KEY,
    SORT_KEY,
    "record",
    "status",
    "attempt",
    *CONTROL_PENDING_INDEX_KEYS,
    "shardsTotal",
    "shardsDone",
    "eventsRead",
)
# ReturnValues that return only updated attributes, so an attribute-limited UpdateItem cannot
# read the rest of the item.
LIMITED_RETURN_VALUES: Final = ("NONE", "UPDATED_OLD", "UPDATED_NEW")

# --- Storage --------------------------------------------------------------------------------------

REPORT_PREFIX: Final = "reports/"
REPORT_OBJECTS: Final = f"{REPORT_PREFIX}*"
# Shard partials and manifests sit beside the final files under reports/<org>/<report>/attempt-<n>/,
# and a lifecycle prefix cannot contain a wildcard, so the generator tags them and a rule
# filtered on this tag expires them.
PARTIAL_TAG_KEY: Final = "report-artifact"
PARTIAL_TAG_VALUE: Final = "partial"
PARTIAL_EXPIRATION: Final = Duration.days(7)
# Seven years, the retention commonly kept for SOC2 evidence; the org setting defaults to it too.
REPORT_EXPIRATION: Final = Duration.days(2555)
REPORT_INFREQUENT_ACCESS_AFTER: Final = Duration.days(90)
NONCURRENT_VERSION_EXPIRATION: Final = Duration.days(7)
INCOMPLETE_UPLOAD_EXPIRATION: Final = Duration.days(1)
ACCESS_LOG_EXPIRATION: Final = Duration.days(400)
DOWNLOAD_URL_TTL_SECONDS: Final = 300

# --- Events ---------------------------------------------------------------------------------------

EVENT_SOURCE: Final = SERVICE_NAME
REPORT_DELETED_DETAIL_TYPE: Final = "Report Deleted"
DEFAULT_ENGINE_EVENT_SOURCE: Final = "agent-platform.engine"
EXECUTION_STATUS_CHANGE: Final = "Step Functions Execution Status Change"
ENDED_WITHOUT_SUCCESS: Final = ("FAILED", "TIMED_OUT", "ABORTED")

# --- Workflow -------------------------------------------------------------------------------------

EXECUTION_TIMEOUT_SECONDS: Final = 3600
# A record pending this long is checked against its execution by the sweeper and by reads.
PENDING_TIMEOUT_SECONDS: Final = EXECUTION_TIMEOUT_SECONDS + 300
RETRY_INTERVAL_SECONDS: Final = 2
MAX_SHARD_CONCURRENCY: Final = 20

# --- Schedules ------------------------------------------------------------------------------------

# Five past every hour: a month ends at midnight in some org's time zone every hour (or half
# hour), and the margin lets events of the month's last minutes arrive first.
SCHEDULER_CRON: Final = {"minute": "5", "hour": "*"}
SWEEPER_RATE: Final = Duration.minutes(15)
EVENT_MAX_AGE: Final = Duration.hours(1)
EVENT_RETRY_ATTEMPTS: Final = 2

# --- API ------------------------------------------------------------------------------------------

# Stage-wide throttling of the HTTP API. Shared links need no token, so their route gets a
# tighter limit against token guessing.
API_RATE_LIMIT: Final = 50
API_BURST_LIMIT: Final = 100
SHARED_LINK_RATE_LIMIT: Final = 5
SHARED_LINK_BURST_LIMIT: Final = 10
CORS_MAX_AGE: Final = Duration.hours(1)
CORS_HEADERS: Final = ("Authorization", "Content-Type", "Idempotency-Key")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    public: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


# The route table of the api function; `public` routes have no JWT authorizer.
ROUTES: Final = (
    Route("GET", "/compliance/health", public=True),
    Route("GET", "/compliance/reports"),
    Route("POST", "/compliance/reports/soc2"),
    Route("POST", "/compliance/reports/gdpr"),
    Route("POST", "/compliance/reports/audit"),
    Route("GET", "/compliance/reports/{reportId}"),
    Route("DELETE", "/compliance/reports/{reportId}"),
    Route("GET", "/compliance/reports/{reportId}/download"),
    Route("POST", "/compliance/reports/{reportId}/retry"),
    Route("GET", "/compliance/reports/{reportId}/shares"),
    Route("POST", "/compliance/reports/{reportId}/shares"),
    Route("DELETE", "/compliance/reports/{reportId}/shares/{shareId}"),
    Route("GET", "/compliance/shared/{token}", public=True),
    Route("GET", "/compliance/agents"),
    Route("GET", "/compliance/settings"),
    Route("PUT", "/compliance/settings"),
    Route("GET", "/compliance/schedules"),
    Route("PUT", "/compliance/schedules"),
    Route("POST", "/compliance/events"),
)
SHARED_LINK_ROUTE: Final = "GET /compliance/shared/{token}"

# --- Functions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSize:
    """Memory in MB, timeout and /tmp size in MB of one Lambda function."""

    memory_mb: int
    timeout: Duration
    ephemeral_storage_mb: int = 512  # Lambda's default and the size it bills nothing extra for


# All functions run on arm64 (Graviton), which Lambda bills about 20% lower per GB-second than
# x86_64; every runtime dependency ships aarch64 wheels. Lambda gives CPU in proportion to memory
# (one vCPU at 1,769 MB), so memory is also the CPU setting for the import-heavy cold starts.
API_SIZE: Final = FunctionSize(1024, Duration.seconds(29))  # HTTP API integrations end at 30 s
PLAN_SIZE: Final = FunctionSize(512, Duration.seconds(60))  # lists days, writes one manifest
# A shard reads one day of one org, so its run time grows with that day's events. It gets the
# Lambda maximum because a timeout fails the whole report. Its rows and GDPR tallies (data
# subjects, recipients, sources) spill to /tmp beyond a bound, so /tmp keeps about a day of rows.
SHARD_SIZE: Final = FunctionSize(1024, Duration.minutes(15), ephemeral_storage_mb=2048)
# Merge streams every partial into two multipart uploads with 8 MiB parts and hashes them. A GDPR
# export copies each shard's tally files to /tmp and merges them there, so /tmp keeps every
# shard's subjects at once. That is an estimated 50 bytes per subject and day, or 2 GB for a year
# of 100,000 subjects a day.
MERGE_SIZE: Final = FunctionSize(1024, Duration.minutes(15), ephemeral_storage_mb=4096)
MARK_SIZE: Final = FunctionSize(256, Duration.seconds(30))  # one conditional update and one event
INGEST_SIZE: Final = FunctionSize(512, Duration.seconds(60))
SCHEDULER_SIZE: Final = FunctionSize(512, Duration.minutes(5))  # creates reports for every org
SWEEPER_SIZE: Final = FunctionSize(256, Duration.minutes(2))
STATUS_CHANGE_SIZE: Final = FunctionSize(256, Duration.seconds(30))
DELETER_SIZE: Final = FunctionSize(256, Duration.minutes(5))  # lists and deletes object versions

DEAD_LETTER_RETENTION: Final = Duration.days(14)


def log_retention(stage: str) -> logs.RetentionDays:
    """Keep production logs a year, for audit questions about the service itself."""
    if stage == DEVELOPMENT_STAGE:
        return logs.RetentionDays.ONE_MONTH
    return logs.RetentionDays.ONE_YEAR
