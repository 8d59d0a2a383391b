"""Loading the Lambda entry points from `functions/<name>/` the way the Lambda runtime does.

Each function folder is put on `sys.path`, as its asset root is in Lambda, and the handler module
is imported by name. Module names are unique across folders, so one process can hold them all.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[3]
FUNCTIONS_DIR = REPOSITORY / "functions"

Handler = Callable[[dict[str, Any], Any], Any]

# Lambda function name in the local stack -> (function folder, module, handler attribute)
LOCAL_FUNCTIONS: dict[str, tuple[str, str, str]] = {
    "compliance-api": ("api", "api_handler", "lambda_handler"),
    "compliance-plan": ("generator", "generator_handler", "plan_handler"),
    "compliance-shard": ("generator", "generator_handler", "shard_handler"),
    "compliance-merge": ("generator", "generator_handler", "merge_handler"),
    "compliance-mark-completed": ("generator", "generator_handler", "mark_completed_handler"),
    "compliance-mark-failed": ("generator", "generator_handler", "mark_failed_handler"),
    "compliance-ingest": ("ingest", "ingest_handler", "lambda_handler"),
    "compliance-scheduler": ("scheduler", "scheduler_handler", "lambda_handler"),
    "compliance-sweeper": ("scheduler", "scheduler_handler", "sweep_handler"),
    "compliance-status-change": ("scheduler", "scheduler_handler", "status_change_handler"),
    "compliance-deleter": ("deleter", "deleter_handler", "lambda_handler"),
}


def load_module(folder: str, module: str) -> Any:
    path = str(FUNCTIONS_DIR / folder)
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module(module)


def load_handler(function_name: str) -> Handler:
    folder, module, attribute = LOCAL_FUNCTIONS[function_name]
    handler: Handler = getattr(load_module(folder, module), attribute)
    return handler
