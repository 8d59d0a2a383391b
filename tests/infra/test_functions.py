"""Lambda functions: runtime, architecture, sizes, environment, layer and asset contents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.stack.constants import FUNCTIONS_DIRECTORY
from tests.infra.conftest import Synthesis
from tests.infra.helpers import functions_by_handler, only, resources

BASE_ENVIRONMENT = {
    "AUDIT_TABLE_NAME",
    "CONTROL_TABLE_NAME",
    "REPORT_BUCKET_NAME",
    "EVENT_BUS_NAME",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
}
WORKFLOW_ENVIRONMENT = {"STATE_MACHINE_ARN", "PENDING_TIMEOUT_SECONDS"}
API_ENVIRONMENT = {
    *WORKFLOW_ENVIRONMENT,
    "SIGNING_KEY_SECRET_ARN",
    "DOWNLOAD_URL_TTL_SECONDS",
    "JWT_CLAIM_ORG",
    "JWT_CLAIM_ROLE",
    "JWT_CLAIM_EMAIL",
}
# Handler -> environment variables beyond the ones every function gets.
EXTRA_ENVIRONMENT: dict[str, set[str]] = {
    "api_handler.lambda_handler": API_ENVIRONMENT,
    "generator_handler.plan_handler": set(),
    "generator_handler.shard_handler": set(),
    "generator_handler.merge_handler": set(),
    "generator_handler.mark_completed_handler": set(),
    "generator_handler.mark_failed_handler": set(),
    "ingest_handler.lambda_handler": set(),
    "scheduler_handler.lambda_handler": WORKFLOW_ENVIRONMENT,
    "scheduler_handler.sweep_handler": WORKFLOW_ENVIRONMENT,
    "scheduler_handler.status_change_handler": WORKFLOW_ENVIRONMENT,
    "deleter_handler.lambda_handler": set(),
}
ASYNCHRONOUS = {
    "ingest_handler.lambda_handler",
    "scheduler_handler.lambda_handler",
    "scheduler_handler.sweep_handler",
    "scheduler_handler.status_change_handler",
    "deleter_handler.lambda_handler",
}


def test_every_handler_deployed(template_dict: dict[str, Any]) -> None:
    assert set(functions_by_handler(template_dict)) == set(EXTRA_ENVIRONMENT)


def test_runtime_and_architecture(template_dict: dict[str, Any]) -> None:
    layer_id, _ = next(
        (logical_id, layer)
        for logical_id, layer in resources(template_dict, "AWS::Lambda::LayerVersion").items()
        if logical_id.startswith("SharedLayer")
    )
    for handler, (_, function) in functions_by_handler(template_dict).items():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.12", handler
        assert properties["Architectures"] == ["arm64"], handler
        assert properties["TracingConfig"] == {"Mode": "Active"}, handler
        assert properties["Layers"] == [{"Ref": layer_id}], handler


def test_sizes_explicit(template_dict: dict[str, Any]) -> None:
    for handler, (_, function) in functions_by_handler(template_dict).items():
        properties = function["Properties"]
        assert properties["MemorySize"] >= 256, handler
        assert 3 < properties["Timeout"] <= 900, handler
    api = functions_by_handler(template_dict)["api_handler.lambda_handler"][1]
    assert api["Properties"]["Timeout"] < 30  # HTTP API integrations time out at 30 s


def test_temporary_storage(template_dict: dict[str, Any]) -> None:
    functions = functions_by_handler(template_dict)
    storage = {
        handler: function["Properties"]["EphemeralStorage"]["Size"]
        for handler, (_, function) in functions.items()
    }

    # Shards and Merge spill rows and data-subject tallies to /tmp; the rest keep the default.
    assert storage.pop("generator_handler.shard_handler") == 2048
    assert storage.pop("generator_handler.merge_handler") == 4096
    assert set(storage.values()) == {512}


def test_environment_per_function(template_dict: dict[str, Any]) -> None:
    for handler, (_, function) in functions_by_handler(template_dict).items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert set(variables) == BASE_ENVIRONMENT | EXTRA_ENVIRONMENT[handler], handler
        assert variables["POWERTOOLS_SERVICE_NAME"] == "compliance-reports"


def test_environment_references(template_dict: dict[str, Any]) -> None:
    machine_id, _ = only(template_dict, "AWS::StepFunctions::StateMachine")
    secret_id, _ = only(template_dict, "AWS::SecretsManager::Secret")
    api = functions_by_handler(template_dict)["api_handler.lambda_handler"][1]
    variables = api["Properties"]["Environment"]["Variables"]
    assert variables["STATE_MACHINE_ARN"] == {"Ref": machine_id}
    assert variables["SIGNING_KEY_SECRET_ARN"] == {"Ref": secret_id}
    assert variables["DOWNLOAD_URL_TTL_SECONDS"] == "300"
    assert variables["JWT_CLAIM_ORG"] == "org_id"


def test_dead_letter_queues(template_dict: dict[str, Any]) -> None:
    queues = resources(template_dict, "AWS::SQS::Queue")
    for handler, (_, function) in functions_by_handler(template_dict).items():
        dead_letters = function["Properties"].get("DeadLetterConfig")
        if handler in ASYNCHRONOUS:
            queue_id = dead_letters["TargetArn"]["Fn::GetAtt"][0]
            assert queue_id in queues, handler
        else:
            assert dead_letters is None, handler


def _files(directory: Path) -> set[str]:
    return {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_asset_holds_own_folder(template_dict: dict[str, Any], synthesis: Synthesis) -> None:
    for handler, (_, function) in functions_by_handler(template_dict).items():
        staged = synthesis.outdir / function["Metadata"]["aws:asset:path"]
        folder = FUNCTIONS_DIRECTORY / handler.split(".")[0].removesuffix("_handler")
        expected = _files(folder) if folder.is_dir() else set()
        assert _files(staged) == expected, handler
        assert not list(staged.rglob("__pycache__")), handler
