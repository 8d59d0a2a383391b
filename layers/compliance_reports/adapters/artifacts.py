"""The report bucket: manifests, shard partials and the final files, all under the org's prefix."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# S3 multipart parts must be at least 5 MiB except the last; 8 MiB keeps the part count low.
PART_SIZE = 8 * 1024 * 1024
SPOOL_BYTES = 8 * 1024 * 1024
DOWNLOAD_CHUNK_BYTES = 1024 * 1024
# Manifests and shard partials carry this tag; a lifecycle rule on it expires them after days,
# while the report files stay for the retention period.
PARTIAL_TAG = "report-artifact=partial"


class KeyOutsideOrgError(ValueError):
    """A presigned URL was requested for a key outside the caller's org prefix."""


def report_prefix(org_id: str, report_id: str, attempt: int) -> str:
    return f"reports/{org_id}/{report_id}/attempt-{attempt}/"


def report_folder(org_id: str, report_id: str) -> str:
    """Return the folder that contains the files of every attempt of one report."""
    return f"reports/{org_id}/{report_id}/"


class MultipartSink:
    """Upload a file in parts while hashing it; nothing is visible until `complete`."""

    def __init__(self, client: S3Client, bucket: str, key: str, content_type: str) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._content_type = content_type
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        self.size += len(chunk)
        self._buffer.extend(chunk)
        if len(self._buffer) >= PART_SIZE:
            self._flush_part(bytes(self._buffer[:PART_SIZE]))
            del self._buffer[:PART_SIZE]

    def _flush_part(self, data: bytes) -> None:
        if self._upload_id is None:
            response = self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ContentType=self._content_type
            )
            self._upload_id = response["UploadId"]
        number = len(self._parts) + 1
        part = self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=data,
        )
        self._parts.append({"PartNumber": number, "ETag": part["ETag"]})

    def complete(self) -> dict[str, Any]:
        """Finish the upload and return `{bytes, sha256}` of the whole file."""
        if self._upload_id is None:
            # Smaller than one part: a single PUT.
            self._client.put_object(
                Bucket=self._bucket,
                Key=self._key,
                Body=bytes(self._buffer),
                ContentType=self._content_type,
            )
        else:
            if self._buffer:
                self._flush_part(bytes(self._buffer))
            self._client.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},  # type: ignore[typeddict-item]
            )
        self._buffer.clear()
        return {"bytes": self.size, "sha256": self.sha256.hexdigest()}

    def abort(self) -> None:
        if self._upload_id is not None:
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
            )
            self._upload_id = None


class ArtifactStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def put_json(self, key: str, value: Any, *, partial: bool = False) -> None:
        """Write `value` as JSON; `partial` marks working files that the lifecycle expires early."""
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        self._put(key, body, "application/json", partial)

    def get_json(self, key: str) -> Any:
        response = self._client.get_object(Bucket=self.bucket, Key=key)
        return json.loads(response["Body"].read())

    def get_json_or_none(self, key: str) -> Any:
        """Return the parsed object at `key`, or None when there is no such key."""
        try:
            return self.get_json(key)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def upload_file(
        self, key: str, handle: IO[bytes], content_type: str, *, partial: bool = False
    ) -> None:
        """Upload a spooled file with one PUT (up to 5 GB), reading it from the start."""
        handle.seek(0)
        self._put(key, handle, content_type, partial)

    def _put(self, key: str, body: bytes | IO[bytes], content_type: str, partial: bool) -> None:
        if partial:
            self._client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                Tagging=PARTIAL_TAG,
            )
        else:
            self._client.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType=content_type
            )

    def iter_lines(self, key: str) -> Iterator[bytes]:
        response = self._client.get_object(Bucket=self.bucket, Key=key)
        for line in response["Body"].iter_lines():
            if line:
                yield line

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        """Yield an object's bytes in chunks of up to 1 MiB."""
        response = self._client.get_object(Bucket=self.bucket, Key=key)
        yield from response["Body"].iter_chunks(DOWNLOAD_CHUNK_BYTES)

    def download_into(self, key: str, handle: IO[bytes]) -> None:
        """Copy an object into `handle` and rewind it."""
        for chunk in self.iter_chunks(key):
            handle.write(chunk)
        handle.seek(0)

    def open_sink(self, key: str, content_type: str) -> MultipartSink:
        return MultipartSink(self._client, self.bucket, key, content_type)

    def presign_download(
        self,
        org_id: str,
        key: str,
        filename_ascii: str,
        filename_utf8: str,
        content_type: str,
        expires_in: int,
    ) -> str:
        """Mint a GET URL for one artifact of `org_id`; keys of other orgs are rejected."""
        if not key.startswith(f"reports/{org_id}/"):
            raise KeyOutsideOrgError("the artifact key is outside the caller's org prefix")
        disposition = f"attachment; filename=\"{filename_ascii}\"; filename*=UTF-8''{quote(filename_utf8, safe='')}"
        return self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires_in,
        )

    def delete_all_versions(self, prefix: str) -> int:
        """Delete every version and delete marker under `prefix` and return how many were removed.

        The prefix must name one report's folder, `reports/<orgId>/<reportId>/`.
        """
        parts = prefix.split("/")
        if len(parts) != 4 or parts[0] != "reports" or not parts[1] or not parts[2] or parts[3]:
            raise ValueError(
                f"'{prefix}' is not one report's folder; pass reports/<orgId>/<reportId>/"
            )
        removed = 0
        paginator = self._client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            versions = [
                {"Key": item["Key"], "VersionId": item["VersionId"]}
                for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            ]
            # A page contains at most 1,000 entries, the maximum of one DeleteObjects request.
            if not versions:
                continue
            response = self._client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": versions, "Quiet": True},  # type: ignore[typeddict-item]
            )
            errors = response.get("Errors", [])
            if errors:
                first = errors[0]
                raise ArtifactDeletionError(
                    f"{len(errors)} object versions under {prefix} could not be deleted, first "
                    f"{first.get('Key')}: {first.get('Code')} {first.get('Message')}"
                )
            removed += len(versions)
        return removed


class ArtifactDeletionError(Exception):
    """S3 kept some object versions of a deleted report; deleting again retries them."""


def spooled_file() -> IO[bytes]:
    """Return a temporary file that stays in memory up to 8 MiB and then moves to disk."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
