"""CSV and JSON encoders: spreadsheet-safe cells, RFC 4180 round trips and valid streamed JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from compliance_reports.domain.builders.base import StreamedArray
from compliance_reports.domain.writers import CsvEncoder, JsonDocumentEncoder, neutralise_cell

HEADER = ("text", "count")


def _encode(rows: list[list[str | int | float | None]]) -> bytes:
    encoder = CsvEncoder(HEADER)
    return encoder.header() + encoder.rows(rows)


@pytest.mark.parametrize(
    "value",
    ["line one\nline two", 'say "hello"', "a,b,c", "Zoë Ångström", "渡辺 健", "tab\tinside", ""],
)
def test_csv_round_trip(value: str) -> None:
    data = _encode([[value, 1]])

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))

    assert rows == [list(HEADER), [value, "1"]]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_prefixes_neutralised(prefix: str) -> None:
    value = prefix + "SUM(1,2)"

    assert neutralise_cell(value) == "'" + value


def test_numbers_stay_numbers() -> None:
    data = _encode([["x", -3], ["y", 2.5]])

    assert b"\r\nx,-3\r\n" in data
    assert b"\r\ny,2.5\r\n" in data


def test_csv_file_conventions() -> None:
    data = _encode([["a", 1], [None, 0]])

    assert data.startswith(b"\xef\xbb\xbftext,count\r\n")
    assert data.endswith(b"\r\n,0\r\n")


def test_csv_rejects_short_row() -> None:
    with pytest.raises(ValueError, match="1 cells, the header has 2"):
        CsvEncoder(HEADER).rows([["only one"]])


def test_streamed_json_parses() -> None:
    encoder = JsonDocumentEncoder()
    [header] = encoder.start_parts({"type": "audit", "name": "Zoë"})
    assert isinstance(header, bytes)
    parts = [header]
    parts.append(encoder.open_array("records"))
    parts.extend(encoder.item({"n": number}) for number in range(3))
    parts.append(encoder.close_array())
    parts.append(encoder.open_array("empty"))
    parts.append(encoder.close_array())
    parts.append(encoder.end())

    document = json.loads(b"".join(parts))

    assert document == {
        "type": "audit",
        "name": "Zoë",
        "records": [{"n": 0}, {"n": 1}, {"n": 2}],
        "empty": [],
    }


def _fill(
    encoder: JsonDocumentEncoder, fields: dict[str, Any], arrays: dict[str, list[Any]]
) -> bytes:
    out = b""
    for part in encoder.start_parts(fields):
        if isinstance(part, bytes):
            out += part
        else:
            out += b"".join(encoder.compact_items(arrays[part.name]))
    return out + encoder.end()


def test_placeholders_become_streamed_arrays() -> None:
    encoder = JsonDocumentEncoder()
    arrays: dict[str, list[Any]] = {
        "recipients": ["clinic@example.org", 'say "hi"', "Zoë\\Ångström"],
        "subjects": [{"subjectId": "渡辺", "records": 2}],
        "empty": [],
    }
    fields = {
        "article15": {"recipients": StreamedArray("recipients"), "retention": "7 years"},
        "empty": StreamedArray("empty"),
        "subjects": StreamedArray("subjects"),
        # Text that looks like a placeholder's marker stays text.
        "tricky": "\x00abc:recipients\x00",
    }

    data = _fill(encoder, fields, arrays)

    assert json.loads(data) == {
        "article15": {"recipients": arrays["recipients"], "retention": "7 years"},
        "empty": [],
        "subjects": arrays["subjects"],
        "tricky": "\x00abc:recipients\x00",
    }


def test_placeholders_encode_like_whole_arrays() -> None:
    arrays = {"names": ["a", "b,c", "ü"]}
    streamed = _fill(JsonDocumentEncoder(), {"names": StreamedArray("names")}, arrays)
    whole = _fill(JsonDocumentEncoder(), arrays, {})

    assert streamed == whole
