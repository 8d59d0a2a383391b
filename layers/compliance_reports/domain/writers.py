"""Streaming encoders for the report files: RFC 4180 CSV for spreadsheets and one JSON document.

Both encoders return bytes chunk by chunk, so a caller can upload parts and hash the file while it
is written, without holding the file in memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from compliance_reports.domain.builders.base import CsvValue, StreamedArray

UTF8_BOM = "\ufeff".encode()
# A spreadsheet treats a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: CsvValue) -> str | int | float:
    """Return a CSV cell value; text that a spreadsheet would run as a formula gets a leading `'`.

    Numbers stay numbers, so a negative count is still a number to the spreadsheet.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class CsvEncoder:
    """Encode rows as UTF-8 CSV with a byte-order mark, CRLF line ends and minimal quoting."""

    def __init__(self, header: Sequence[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._header = header

    def _take(self) -> bytes:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode()

    def header(self) -> bytes:
        self._writer.writerow(self._header)
        return UTF8_BOM + self._take()

    def rows(self, rows: Sequence[Sequence[CsvValue]]) -> bytes:
        for row in rows:
            if len(row) != len(self._header):
                raise ValueError(
                    f"CSV row has {len(row)} cells, the header has {len(self._header)}"
                )
            self._writer.writerow([neutralise_cell(value) for value in row])
        return self._take()


# One encoder for every value: json.dumps builds a new one per call for non-default options.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def encode_json_row(row: Any) -> bytes:
    """Encode one row as the JSON document writes it, without a line break.

    Shards store rows in this form, so Merge copies them into the document without parsing.
    """
    return _dumps(row).encode()


class JsonDocumentEncoder:
    """Encode one JSON object whose leading fields are known and whose arrays arrive row by row.

    Call `start_parts` with the leading fields, then for each streamed array `open_array`, `item`
    per row and `close_array`, and finally `end`. The output parses as a single JSON object.
    """

    def __init__(self) -> None:
        self._first_item = True
        self._open = False
        # Marks a placeholder in the encoded text. The random part keeps real text from matching.
        self._marker = f"\x00{secrets.token_hex(8)}:"

    def start_parts(self, fields: dict[str, Any]) -> list[bytes | StreamedArray]:
        """Encode the leading fields, split at each `StreamedArray` placeholder.

        The caller writes the bytes in order and, in place of each placeholder, the array's items
        with `compact_items`.
        """

        def placeholder(value: object) -> str:
            if isinstance(value, StreamedArray):
                return self._marker + value.name
            raise TypeError(f"{type(value).__name__} is not JSON serializable")

        encoder = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), sort_keys=False, default=placeholder
        )
        # Drop the closing brace: streamed arrays follow the leading fields.
        body = encoder.encode(fields)[:-1]
        marker = json.dumps(self._marker)[1:-1]
        pattern = re.compile('"' + re.escape(marker) + r'([^"\\]*)"')
        parts: list[bytes | StreamedArray] = []
        position = 0
        for match in pattern.finditer(body):
            parts.append(body[position : match.start()].encode())
            parts.append(StreamedArray(match.group(1)))
            position = match.end()
        parts.append(body[position:].encode())
        return parts

    @staticmethod
    def compact_items(items: Iterable[Any]) -> Iterator[bytes]:
        """Encode an array item by item as the leading fields are encoded: no spaces or breaks."""
        separator = b"["
        for item in items:
            yield separator + encode_json_row(item)
            separator = b","
        yield b"[]" if separator == b"[" else b"]"

    def open_array(self, name: str, first_member: bool = False) -> bytes:
        self._first_item = True
        self._open = True
        separator = "" if first_member else ","
        return f"{separator}\n{_dumps(name)}:[".encode()

    def item(self, row: Any) -> bytes:
        return self.encoded_item(encode_json_row(row))

    def encoded_item(self, encoded: bytes) -> bytes:
        """Return the array item for a row that `encode_json_row` already encoded."""
        separator = b"\n" if self._first_item else b",\n"
        self._first_item = False
        return separator + encoded

    def close_array(self) -> bytes:
        self._open = False
        return b"]" if self._first_item else b"\n]"

    def end(self) -> bytes:
        return b"\n}\n"


def iter_csv_lines(data: bytes) -> Iterator[list[str]]:
    """Parse CSV bytes written by `CsvEncoder`, for tests and tools."""
    text = data.decode("utf-8-sig")
    yield from csv.reader(io.StringIO(text, newline=""))
