"""Small helpers for the count tables the builders merge."""

from __future__ import annotations

from collections import Counter
from typing import Any


def merge_counts(into: Counter[str], counts: dict[str, Any]) -> None:
    for key, value in counts.items():
        into[key] += int(value)


def sorted_counts(counts: Counter[str]) -> dict[str, int]:
    """Return the counts keyed in sorted order, so equal inputs give byte-identical JSON."""
    return {key: counts[key] for key in sorted(counts)}
