"""A subject-scoped GDPR run leaves no subject id, token or presigned URL in side channels."""

from __future__ import annotations

import json
import logging

import pytest
from compliance_local.stack import CONTROL_TABLE, REPORT_BUCKET, LocalStack

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail

SUBJECT = "s-alice"


class CapturingHandler(logging.Handler):
    """Keep every record as the service's own JSON formatter renders it."""

    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_gdpr_run_side_channels(
    local_stack: LocalStack,
    org_id: str,
    client_for: ClientFactory,
    capfd: pytest.CaptureFixture[str],
) -> None:
    service_logger = logging.getLogger("compliance-reports")
    formatter = service_logger.handlers[0].formatter if service_logger.handlers else None
    handler = CapturingHandler(formatter)
    # Powertools child loggers carry their own level, so every logger of the service is opened up.
    loggers = [service_logger] + [
        logger
        for name, logger in logging.Logger.manager.loggerDict.items()
        if name.startswith("compliance-reports.") and isinstance(logger, logging.Logger)
    ]
    previous_levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    service_logger.addHandler(handler)
    try:
        admin = client_for(org_id)
        admin.post_events(fixed_trail())
        record = admin.json(
            "POST",
            "/compliance/reports/gdpr",
            expected=202,
            json={
                "agentId": "ag-1",
                "subjectId": SUBJECT,
                "dateRange": {"from": "2026-03-01", "to": "2026-03-03"},
            },
        )
        finished = admin.wait_for(record["reportId"])
        data, link = admin.download(record["reportId"], "json")
    finally:
        for logger, level in zip(loggers, previous_levels, strict=True):
            logger.setLevel(level)
        service_logger.removeHandler(handler)
    logs = capfd.readouterr()
    report_id = record["reportId"]

    sfn = local_stack.client("stepfunctions")
    executions = [
        execution
        for execution in sfn.list_executions(
            stateMachineArn=local_stack.state_machine_arn, maxResults=1000
        )["executions"]
        if execution["name"].startswith(report_id)
    ]
    histories = [
        json.dumps(
            sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)[
                "events"
            ],
            default=str,
        )
        for execution in executions
    ]
    inputs = [
        sfn.describe_execution(executionArn=execution["executionArn"])["input"]
        for execution in executions
    ]
    keys = [
        item["Key"]
        for item in local_stack.client("s3").list_objects_v2(
            Bucket=REPORT_BUCKET, Prefix=f"reports/{org_id}/{report_id}/"
        )["Contents"]
    ]
    stored_record = local_stack.client("dynamodb").get_item(
        TableName=CONTROL_TABLE,
        Key={"pk": {"S": f"ORG#{org_id}"}, "sk": {"S": f"REPORT#{report_id}"}},
    )["Item"]
    token = admin.token
    signature = link["url"].split("X-Amz-Signature=")[1].split("&")[0]

    channels = {
        "logs": "\n".join(handler.lines) + logs.out + logs.err,
        "execution inputs": json.dumps(inputs),
        "execution histories": "\n".join(histories),
        "S3 keys": "\n".join(keys),
        "record item": json.dumps(stored_record),
        "record as returned": json.dumps(finished),
    }
    assert executions
    assert SUBJECT.encode() in data  # the report itself is for that person
    for name, text in channels.items():
        assert SUBJECT not in text, f"subject id found in {name}"
        assert token not in text, f"bearer token found in {name}"
        assert signature not in text, f"presigned URL found in {name}"
    assert "shards planned" in channels["logs"]
    assert "report download link minted" in channels["logs"]
