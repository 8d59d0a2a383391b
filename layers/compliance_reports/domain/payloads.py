"""Parsing of event payloads: one JSON object, `{"events": [...]}`, a JSON array or JSON lines."""

from __future__ import annotations

import json
from typing import Any, Final, NoReturn

MAX_EVENTS_PER_REQUEST: Final = 500

_ACCEPTED_FORMS: Final = (
    "send one JSON object, an object with an 'events' array, a JSON array of objects, "
    "or one JSON object per line (JSON lines)"
)


class PayloadError(ValueError):
    """A payload that is not valid event JSON.

    `line` and `column` are 1-based positions of a syntax error, and `index` is the 0-based
    position of an array item that is not an object. Each is None when it does not apply.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        index: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.index = index


def parse_event_payload(text: str, *, max_events: int | None = None) -> list[dict[str, Any]]:
    """Parse `text` into a list of event objects, in input order.

    Accepted forms: one JSON object (a single event), an object `{"events": [...]}`, a JSON
    array of objects, or JSON lines with one object per line, where blank lines are skipped.
    A leading byte-order mark is ignored. The events themselves are not validated here.
    Raises PayloadError with the line and column of malformed JSON, or with the position of an
    item that is not an object, and when there are more than `max_events` events.
    """
    body = text.removeprefix("\ufeff")
    if not body.strip():
        raise PayloadError(f"the payload is empty; {_ACCEPTED_FORMS}")

    try:
        document = _loads(body)
    except json.JSONDecodeError as error:
        if not _looks_like_json_lines(body):
            _raise_syntax_error(error, line_offset=0)
        events = _parse_json_lines(body)
    except ValueError as error:
        raise PayloadError(str(error)) from error
    else:
        events = _events_from_document(document)

    if max_events is not None and len(events) > max_events:
        raise PayloadError(
            f"the payload has {len(events)} events; the maximum per request is {max_events}, "
            "so split it into several requests"
        )
    return events


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def _reject_constant(name: str) -> NoReturn:
    # Python's json module accepts NaN and Infinity, but JSON (RFC 8259) does not.
    raise ValueError(f"{name} is not valid JSON; send a number or null")


def _looks_like_json_lines(text: str) -> bool:
    """Treat the text as JSON lines when its first non-blank line is a whole JSON object.

    A pretty-printed object with a syntax error fails this test, so its error is reported at
    the real position instead of at its first line.
    """
    for line in text.splitlines():
        if line.strip():
            try:
                return isinstance(_loads(line), dict)
            except (json.JSONDecodeError, ValueError):
                return False
    return False


def _parse_json_lines(text: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = _loads(line)
        except json.JSONDecodeError as error:
            _raise_syntax_error(error, line_offset=number - 1)
        except ValueError as error:
            raise PayloadError(f"line {number}: {error}", line=number) from error
        if not isinstance(value, dict):
            raise PayloadError(
                f"line {number} is {json_type_name(value)}; in JSON lines each line must be "
                "one JSON object",
                line=number,
            )
        events.append(value)
    return events


def _events_from_document(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, list):
        return _objects(document, "array item {index}")
    if not isinstance(document, dict):
        raise PayloadError(f"the payload is {json_type_name(document)}; {_ACCEPTED_FORMS}")
    if "events" not in document:
        return [document]

    items = document["events"]
    if not isinstance(items, list):
        raise PayloadError(
            f"'events' is {json_type_name(items)}; it must be an array of event objects"
        )
    return _objects(items, "events[{index}]")


def _objects(items: list[Any], position: str) -> list[dict[str, Any]]:
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            where = position.format(index=index)
            raise PayloadError(
                f"{where} is {json_type_name(item)}; each event must be a JSON object", index=index
            )
    return items


def _raise_syntax_error(error: json.JSONDecodeError, *, line_offset: int) -> NoReturn:
    line = error.lineno + line_offset
    raise PayloadError(
        f"invalid JSON at line {line}, column {error.colno}: {error.msg}; {_ACCEPTED_FORMS}",
        line=line,
        column=error.colno,
    ) from error


def json_type_name(value: object) -> str:
    """Name the JSON type of a decoded value for an error message, such as "an array"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
