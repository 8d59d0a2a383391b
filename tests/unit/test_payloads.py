"""Event payload parsing: JSON object, events wrapper, JSON array and JSON lines."""

from __future__ import annotations

import pytest
from compliance_reports.domain.payloads import (
    MAX_EVENTS_PER_REQUEST,
    PayloadError,
    parse_event_payload,
)


def payload_error(text: str, **options: int) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        parse_event_payload(text, **options)
    return caught.value


def test_single_object() -> None:
    assert parse_event_payload('{"eventId": "e1"}') == [{"eventId": "e1"}]


def test_events_wrapper() -> None:
    events = parse_event_payload('{"events": [{"eventId": "e1"}, {"eventId": "e2"}]}')

    assert events == [{"eventId": "e1"}, {"eventId": "e2"}]


def test_empty_events_wrapper() -> None:
    assert parse_event_payload('{"events": []}') == []


def test_array() -> None:
    assert parse_event_payload('[{"eventId": "e1"}, {"eventId": "e2"}]') == [
        {"eventId": "e1"},
        {"eventId": "e2"},
    ]


def test_json_lines_skip_blank() -> None:
    text = '{"eventId": "e1"}\n\n   \n{"eventId": "e2"}\r\n{"eventId": "e3"}\n'

    events = parse_event_payload(text)

    assert [event["eventId"] for event in events] == ["e1", "e2", "e3"]


def test_pretty_printed_object() -> None:
    text = '{\n  "eventId": "e1",\n  "actor": {"name": "Zoë Ångström"}\n}\n'

    assert parse_event_payload(text) == [{"eventId": "e1", "actor": {"name": "Zoë Ångström"}}]


def test_byte_order_mark_ignored() -> None:
    assert parse_event_payload('\ufeff[{"eventId": "e1"}]') == [{"eventId": "e1"}]


def test_max_constant() -> None:
    assert MAX_EVENTS_PER_REQUEST == 500


def test_max_events_reached() -> None:
    text = "\n".join(f'{{"eventId": "e{number}"}}' for number in range(3))

    assert len(parse_event_payload(text, max_events=3)) == 3


def test_max_events_exceeded() -> None:
    text = "[" + ",".join("{}" for _ in range(MAX_EVENTS_PER_REQUEST + 1)) + "]"

    error = payload_error(text, max_events=MAX_EVENTS_PER_REQUEST)

    assert "501 events" in error.message
    assert "maximum per request is 500" in error.message
    assert "split" in error.message


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\ufeff"])
def test_empty_payload(text: str) -> None:
    error = payload_error(text)

    assert "empty" in error.message
    assert "JSON lines" in error.message


def test_json_lines_bad_line() -> None:
    error = payload_error('{"eventId": "e1"}\n{"eventId": "e2"}\n{"eventId": }\n')

    assert error.line == 3
    assert error.column == 13
    assert "line 3, column 13" in error.message


def test_pretty_object_syntax_error() -> None:
    error = payload_error('{\n  "eventId": "e1",\n  "outcome": \n}')

    assert error.line == 4
    assert error.column == 1
    assert "invalid JSON at line 4" in error.message


def test_array_syntax_error() -> None:
    error = payload_error('[{"eventId": "e1"},\n {"eventId" "e2"}]')

    assert error.line == 2
    assert error.column == 13


def test_json_lines_array_line() -> None:
    error = payload_error('{"eventId": "e1"}\n[{"eventId": "e2"}]\n')

    assert error.line == 2
    assert "line 2 is an array" in error.message
    assert "one JSON object" in error.message


def test_array_item_not_object() -> None:
    error = payload_error('[{"eventId": "e1"}, "e2"]')

    assert error.index == 1
    assert "array item 1 is a string" in error.message


def test_events_item_not_object() -> None:
    error = payload_error('{"events": [{}, {}, 7]}')

    assert error.index == 2
    assert "events[2] is a number" in error.message


def test_events_not_array() -> None:
    error = payload_error('{"events": {"eventId": "e1"}}')

    assert "'events' is an object" in error.message
    assert "array" in error.message


@pytest.mark.parametrize(
    ("text", "kind"),
    [('"e1"', "a string"), ("42", "a number"), ("null", "null"), ("true", "a boolean")],
)
def test_scalar_document(text: str, kind: str) -> None:
    error = payload_error(text)

    assert f"the payload is {kind}" in error.message


def test_nan_rejected() -> None:
    error = payload_error('{"eventId": "e1", "details": {"score": NaN}}')

    assert "NaN is not valid JSON" in error.message


def test_nan_rejected_in_json_lines() -> None:
    error = payload_error('{"eventId": "e1"}\n{"details": {"score": Infinity}}')

    assert error.line == 2
    assert "Infinity is not valid JSON" in error.message


def test_error_is_value_error() -> None:
    with pytest.raises(ValueError, match="invalid JSON"):
        parse_event_payload("{")
