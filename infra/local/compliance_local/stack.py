"""Start moto's server on 127.0.0.1 and create the service's resources in it."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import socket
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from compliance_reports import runtime
from moto.server import ThreadedMotoServer

from compliance_local import events as local_events
from compliance_local import lambda_patch
from compliance_local.functions import LOCAL_FUNCTIONS, REPOSITORY

REGION = "us-east-1"
ACCOUNT = "123456789012"
AUDIT_TABLE = "compliance-audit"
CONTROL_TABLE = "compliance-control"
REPORT_BUCKET = "compliance-reports-local"
STATE_MACHINE = "compliance-report-generation"
EVENT_BUS = "compliance-report-events"
DEFINITION_FILE = REPOSITORY / "infra" / "workflow" / "report_generation.asl.json"
# Local executions retry quickly and run a few shards at a time: moto runs Map iterations as
# threads in this process.
LOCAL_SUBSTITUTIONS = {
    "ExecutionTimeoutSeconds": "900",
    "RetryIntervalSeconds": "1",
    "MaxConcurrency": "4",
}
# As in the CDK app: a record pending this long is checked against its execution, five minutes
# after the execution's own timeout.
LOCAL_PENDING_TIMEOUT_SECONDS = int(LOCAL_SUBSTITUTIONS["ExecutionTimeoutSeconds"]) + 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def render_definition(text: str, substitutions: dict[str, str]) -> str:
    """Replace `${Name}` placeholders as CloudFormation's definition substitutions do."""
    for name, value in substitutions.items():
        text = text.replace("${" + name + "}", value)
    if "${" in text:
        start = text.index("${")
        raise ValueError(
            f"definition has an unresolved placeholder {text[start : text.index('}', start) + 1]}"
        )
    json.loads(text)
    return text


@dataclass
class LocalStack:
    """moto's server with the tables, bucket, functions and state machine of the service."""

    port: int = 0
    signing_key: str = field(default_factory=lambda: secrets.token_hex(32))
    server: ThreadedMotoServer | None = None
    state_machine_arn: str = ""

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint)  # type: ignore[call-overload]

    def start(self) -> LocalStack:
        # moto's server logs every request through werkzeug; keep the console for the CLI's output.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.port = self.port or free_port()
        self._configure_environment()
        lambda_patch.install()
        local_events.install()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        response = requests.post(
            f"{self.endpoint}/moto-api/config",
            json={
                "stepfunctions": {"execute_state_machine": True},
                "lambda": {"use_docker": False},
            },
            timeout=10,
        )
        response.raise_for_status()
        self._create_resources()
        runtime.reset_services()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def _configure_environment(self) -> None:
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ENDPOINT_URL": self.endpoint,
                # moto's Step Functions interpreter calls Lambda through the server on this port.
                "MOTO_PORT": str(self.port),
                "AUDIT_TABLE_NAME": AUDIT_TABLE,
                "CONTROL_TABLE_NAME": CONTROL_TABLE,
                "REPORT_BUCKET_NAME": REPORT_BUCKET,
                "STATE_MACHINE_ARN": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{STATE_MACHINE}",
                "SIGNING_KEY": self.signing_key,
                "EVENT_BUS_NAME": EVENT_BUS,
                "PENDING_TIMEOUT_SECONDS": str(LOCAL_PENDING_TIMEOUT_SECONDS),
                "POWERTOOLS_SERVICE_NAME": "compliance-reports",
                "POWERTOOLS_METRICS_NAMESPACE": "ComplianceReports",
                "POWERTOOLS_TRACE_DISABLED": "true",
                # Metrics go to stdout as CloudWatch EMF in Lambda; locally they would drown the CLI.
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            }
        )
        os.environ.pop("AWS_PROFILE", None)

    def _create_resources(self) -> None:
        dynamodb = self.client("dynamodb")
        dynamodb.create_table(
            TableName=AUDIT_TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("pk", "sk", "gsi1pk", "gsi1sk")
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byAgentMonth",
                    "KeySchema": [
                        {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                        {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        dynamodb.create_table(
            TableName=CONTROL_TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("pk", "sk", "pendingPk", "pendingSince")
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "pendingReports",
                    "KeySchema": [
                        {"AttributeName": "pendingPk", "KeyType": "HASH"},
                        {"AttributeName": "pendingSince", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        )
        self.client("s3").create_bucket(Bucket=REPORT_BUCKET)
        self.client("events").create_event_bus(Name=EVENT_BUS)

        role = self.client("iam").create_role(
            RoleName="compliance-local",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}),
        )["Role"]["Arn"]
        lambda_client = self.client("lambda")
        arns = {}
        for name, (folder, module, attribute) in LOCAL_FUNCTIONS.items():
            arns[name] = lambda_client.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role,
                Handler=f"{module}.{attribute}",
                Code={"ZipFile": _placeholder_zip(folder)},
                Architectures=["arm64"],
            )["FunctionArn"]

        substitutions = {
            **LOCAL_SUBSTITUTIONS,
            "PlanFunctionArn": arns["compliance-plan"],
            "ShardFunctionArn": arns["compliance-shard"],
            "MergeFunctionArn": arns["compliance-merge"],
            "MarkCompletedFunctionArn": arns["compliance-mark-completed"],
            "MarkFailedFunctionArn": arns["compliance-mark-failed"],
        }
        definition = render_definition(DEFINITION_FILE.read_text(), substitutions)
        self.state_machine_arn = self.deploy_state_machine(STATE_MACHINE, definition, role)

    def deploy_state_machine(self, name: str, definition: str, role_arn: str | None = None) -> str:
        role = role_arn or f"arn:aws:iam::{ACCOUNT}:role/compliance-local"
        response = self.client("stepfunctions").create_state_machine(
            name=name, definition=definition, roleArn=role
        )
        return str(response["stateMachineArn"])


def _placeholder_zip(folder: str) -> bytes:
    # The code moto stores is never run: the patched invoke imports the handler from the
    # repository's function folder instead. The zip names that folder for anyone who inspects it.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("SOURCE.txt", f"functions/{folder}\n")
    return buffer.getvalue()


def repository_path(*parts: str) -> Path:
    return REPOSITORY.joinpath(*parts)
