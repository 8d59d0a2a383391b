"""cdk-nag (AwsSolutions and Serverless packs) passes, with a reason for each acknowledgment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match

from infra.stack import nag
from tests.infra.conftest import Synthesis


def _violations(synthesis: Synthesis) -> list[str]:
    report = json.loads((synthesis.outdir / "validation-report.json").read_text())
    return [
        f"{violation['severity']} {violation['ruleName']} at {construct['constructPath']}"
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]


def test_nag_reports_nothing(synthesis: Synthesis) -> None:
    assert _violations(synthesis) == []
    assert synthesis.validation_error is None


def test_checks_reject_unacknowledged(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Unchecked")
    sqs.Queue(stack, "Queue", enforce_ssl=True)
    nag.add_checks(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {
        violation["ruleName"]
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    }
    assert {"AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"} <= rules


def test_no_cdk_errors(synthesis: Synthesis) -> None:
    errors = Annotations.from_stack(synthesis.stack).find_error("*", Match.any_value())
    assert errors == []


def test_acknowledgments_give_reasons(synthesis: Synthesis) -> None:
    metadata_file = synthesis.outdir / f"{synthesis.stack.stack_name}.metadata.json"
    metadata: dict[str, list[dict[str, Any]]] = json.loads(metadata_file.read_text())
    acknowledgments = [
        (path, finding, reason)
        for path, entries in metadata.items()
        for entry in entries
        if entry["type"] == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for finding, reason in entry["data"].items()
    ]
    assert acknowledgments
    for path, finding, reason in acknowledgments:
        rule = finding.removeprefix("Annotation::")
        assert rule.startswith(("AwsSolutions-", "Serverless-")), (path, finding)
        assert path != f"/{synthesis.stack.stack_name}", f"{finding} is acknowledged stack-wide"
        assert len(reason.split()) >= 12, (path, finding, reason)
