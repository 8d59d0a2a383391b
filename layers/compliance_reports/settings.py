"""Runtime settings read once from the Lambda environment at cold start.

Domain code never reads `os.environ`; handlers build a `ServiceSettings` and pass what is needed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field


class ServiceSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    audit_table_name: str = Field(alias="AUDIT_TABLE_NAME")
    control_table_name: str = Field(alias="CONTROL_TABLE_NAME")
    report_bucket_name: str = Field(alias="REPORT_BUCKET_NAME")
    state_machine_arn: str = Field(default="", alias="STATE_MACHINE_ARN")
    # Secret used to sign list cursors and to hash share tokens; from Secrets Manager in AWS.
    signing_key: str = Field(default="", alias="SIGNING_KEY")
    signing_key_secret_arn: str = Field(default="", alias="SIGNING_KEY_SECRET_ARN")
    download_url_ttl_seconds: int = Field(
        default=300, ge=1, le=300, alias="DOWNLOAD_URL_TTL_SECONDS"
    )
    pending_timeout_seconds: int = Field(default=3600, ge=60, alias="PENDING_TIMEOUT_SECONDS")
    claim_org: str = Field(default="org_id", alias="JWT_CLAIM_ORG")
    claim_role: str = Field(default="role", alias="JWT_CLAIM_ROLE")
    claim_email: str = Field(default="email", alias="JWT_CLAIM_EMAIL")
    event_bus_name: str = Field(default="", alias="EVENT_BUS_NAME")
    # How long after a month ends in the org's time zone its scheduled reports are created, so
    # events of the month's last minutes that arrive late are in them.
    schedule_grace_seconds: int = Field(default=3600, ge=0, alias="SCHEDULE_GRACE_SECONDS")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        source = os.environ if environ is None else environ
        return cls.model_validate({key: value for key, value in source.items() if key.isupper()})
