"""Stand-ins for the AWS clients and the control table, so the real generation code runs offline.

- `RecordedQueryClient` replays recorded Query pages to the real `AuditStore`.
- `TempFileS3Client` keeps objects in files, so the real `ArtifactStore` and `MultipartSink` run
  and the harness keeps no report data in memory.
- `BenchControlStore` stores one report record, which is all `load_report` and the steps need.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import botocore.session
from botocore.exceptions import ClientError
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from compliance_reports.models.reports import (
    ReportParameters,
    ReportRecord,
    ReportStatus,
    ReportType,
)

from bench.dataset import GDPR_AGENT, ORG_ID, PERIOD_DAYS, PERIOD_FROM, RETENTION_DAYS

PageParser = Callable[[bytes], dict[str, Any]]


def json_page_parser() -> PageParser:
    """Return a parser that decodes a page with `json.loads` only."""
    return json.loads


def botocore_page_parser() -> PageParser:
    """Return a parser that decodes a page as boto3's DynamoDB client does: JSON, then botocore's
    walk over the Query output shape."""
    model = botocore.session.get_session().get_service_model("dynamodb")
    shape = model.operation_model("Query").output_shape
    if shape is None:
        raise RuntimeError("botocore's DynamoDB model has no Query output shape")
    parser = create_parser(model.protocol)

    def parse(body: bytes) -> dict[str, Any]:
        response = {"body": body, "headers": {}, "status_code": 200}
        parsed: dict[str, Any] = parser.parse(response, shape)
        return parsed

    return parse


class RecordedQueryClient:
    """A DynamoDB client with only `query`, which returns pages recorded by `bench.dataset`.

    It serves whole day partitions, so it rejects a request whose sort-key bounds cut into a
    recorded day, a `Limit`, or a filter on any agent but the recorded GDPR agent.
    """

    def __init__(self, root: Path, index: dict[str, Any], parse: PageParser) -> None:
        self._root = root
        self._parse = parse
        # (partition, variant) -> {LastEvaluatedKey sort key: next page number}
        self._next_page: dict[tuple[str, str], dict[str, int]] = {}
        for partition, variants in index["partitions"].items():
            for variant, keys in variants.items():
                self._next_page[(partition, variant)] = {
                    key: number + 1 for number, key in enumerate(keys) if key is not None
                }
        self.pages_served = 0

    def query(self, **request: Any) -> dict[str, Any]:
        if "Limit" in request:
            raise ValueError("the recorded pages are 1 MB pages; a Limit cannot be replayed")
        values = request["ExpressionAttributeValues"]
        partition = values[":pk"]["S"]
        day = partition.rsplit("#", 1)[1]
        if values[":lower"]["S"] > f"{day}T00:00:00.000Z" or values[":upper"]["S"] < (
            f"{date.fromisoformat(day) + timedelta(days=1)}T00:00:00.000Z"
        ):
            raise ValueError(f"the request reads part of {day}; the replay serves whole UTC days")
        variant = "all"
        if "FilterExpression" in request:
            agents = [value["S"] for name, value in values.items() if name.startswith(":agent")]
            if agents != [GDPR_AGENT]:
                raise ValueError(
                    f"only the agent filter on {GDPR_AGENT} was recorded, not {agents}"
                )
            variant = "agent"
        pages = self._next_page.get((partition, variant))
        if pages is None:
            # A day outside the recorded period: DynamoDB returns an empty last page.
            return {"Count": 0, "Items": [], "ScannedCount": 0}
        start = request.get("ExclusiveStartKey")
        number = 0 if start is None else pages[start["sk"]["S"]]
        path = self._root / "pages" / variant / day / f"{number:05d}.json"
        self.pages_served += 1
        return self._parse(path.read_bytes())


class TempFileS3Client:
    """The S3 calls `ArtifactStore` makes, kept in files under one folder.

    Multipart parts go to disk as they arrive; `complete_multipart_upload` joins them in part
    order, so no object is held in memory whole.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._uploads: dict[str, tuple[str, Path, list[int]]] = {}
        self._upload_ids = itertools.count(1)
        self.bytes_written = 0

    def _path(self, key: str) -> Path:
        path = self._root / "objects" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def put_object(
        self, *, Bucket: str, Key: str, Body: bytes | IO[bytes], **_: Any
    ) -> dict[str, Any]:
        with self._path(Key).open("wb") as out:
            if isinstance(Body, bytes | bytearray):
                out.write(Body)
                self.bytes_written += len(Body)
            else:
                self.bytes_written += _copy(Body, out)
        return {"ETag": '"put"'}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        path = self._root / "objects" / Key
        if not path.is_file():
            raise ClientError(
                {"Error": {"Code": "NoSuchKey", "Message": "The specified key does not exist."}},
                "GetObject",
            )
        handle = path.open("rb")
        return {"Body": StreamingBody(handle, path.stat().st_size)}

    def upload_fileobj(
        self, handle: IO[bytes], bucket: str, key: str, ExtraArgs: dict[str, Any] | None = None
    ) -> None:
        with self._path(key).open("wb") as out:
            self.bytes_written += _copy(handle, out)

    def create_multipart_upload(self, *, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        upload_id = f"upload-{next(self._upload_ids)}"
        folder = self._root / "uploads" / upload_id
        folder.mkdir(parents=True)
        self._uploads[upload_id] = (Key, folder, [])
        return {"UploadId": upload_id}

    def upload_part(
        self, *, Bucket: str, Key: str, UploadId: str, PartNumber: int, Body: bytes
    ) -> dict[str, Any]:
        _key, folder, numbers = self._uploads[UploadId]
        (folder / f"{PartNumber:05d}").write_bytes(Body)
        numbers.append(PartNumber)
        self.bytes_written += len(Body)
        return {"ETag": f'"part-{PartNumber}"'}

    def complete_multipart_upload(
        self, *, Bucket: str, Key: str, UploadId: str, MultipartUpload: dict[str, Any]
    ) -> dict[str, Any]:
        key, folder, _numbers = self._uploads.pop(UploadId)
        with self._path(key).open("wb") as out:
            for part in MultipartUpload["Parts"]:
                with (folder / f"{part['PartNumber']:05d}").open("rb") as handle:
                    _copy(handle, out)
        shutil.rmtree(folder)
        return {"ETag": '"multipart"'}

    def abort_multipart_upload(self, *, Bucket: str, Key: str, UploadId: str) -> dict[str, Any]:
        _key, folder, _numbers = self._uploads.pop(UploadId)
        shutil.rmtree(folder)
        return {}


def _copy(source: IO[bytes], target: IO[bytes]) -> int:
    copied = 0
    while chunk := source.read(1024 * 1024):
        target.write(chunk)
        copied += len(chunk)
    return copied


REPORT_IDS = {
    ReportType.SOC2: "01JBENCHSOC2000000000000000",
    ReportType.AUDIT: "01JBENCHAUDIT00000000000000",
    ReportType.GDPR: "01JBENCHGDPR000000000000000",
}
CREATED_AT = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)


class BenchControlStore:
    """The control-table reads the generation steps make, for one pending report per type."""

    def __init__(self) -> None:
        self._reports: dict[str, tuple[ReportRecord, dict[str, Any]]] = {}
        self.progress: dict[str, dict[str, int]] = {}

    def add_report(self, report_type: ReportType) -> str:
        report_id = REPORT_IDS[report_type]
        parameters = ReportParameters(
            type=report_type,
            dateFrom=PERIOD_FROM,
            dateTo=PERIOD_FROM + timedelta(days=PERIOD_DAYS - 1),
            timezone="UTC",
            agentId=GDPR_AGENT if report_type is ReportType.GDPR else None,
        )
        record = ReportRecord(
            reportId=report_id,
            orgId=ORG_ID,
            type=report_type,
            title=f"Benchmark {report_type.value} report",
            status=ReportStatus.PENDING,
            attempt=1,
            parameters=parameters.model_dump(mode="json"),
            createdAt=CREATED_AT,
            createdBy="bench",
        )
        internal = {
            "parameters": parameters.model_dump(mode="json"),
            "retentionDays": RETENTION_DAYS,
            "workingHours": {"start": "08:00", "end": "18:00", "days": [1, 2, 3, 4, 5]},
            "agentNames": {GDPR_AGENT: "Zoë's Inbox Agent"},
        }
        self._reports[report_id] = (record, internal)
        self.progress[report_id] = {"shardsTotal": 0, "shardsDone": 0, "eventsRead": 0}
        return report_id

    def find_org(self, report_id: str) -> str | None:
        return ORG_ID if report_id in self._reports else None

    def get_report(self, org_id: str, report_id: str) -> tuple[ReportRecord, dict[str, Any]] | None:
        return self._reports.get(report_id)

    def subject_of(self, report_id: str) -> str | None:
        return None

    def get_agents(self, org_id: str, agent_ids: list[str]) -> dict[str, dict[str, Any]]:
        return {}

    def add_progress(
        self,
        org_id: str,
        report_id: str,
        attempt: int,
        *,
        shards_total: int | None = None,
        shards_done: int = 0,
        events_read: int = 0,
    ) -> None:
        progress = self.progress[report_id]
        if shards_total is not None:
            progress.update(shardsTotal=shards_total, shardsDone=0, eventsRead=0)
        progress["shardsDone"] += shards_done
        progress["eventsRead"] += events_read
