"""Write the JSON Schema of each report type to docs/schemas (`make schemas`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from compliance_reports.models.documents import DOCUMENT_MODELS

from compliance_local.functions import REPOSITORY

SCHEMA_DIR = REPOSITORY / "docs" / "schemas"


def schema_text(report_type: str) -> str:
    schema = DOCUMENT_MODELS[report_type].model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"compliance-reports/{report_type}.schema.json"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for report_type in DOCUMENT_MODELS:
        path = directory / f"{report_type}.schema.json"
        path.write_text(schema_text(report_type), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_schemas():
        sys.stdout.write(f"wrote {path.relative_to(REPOSITORY)}\n")
