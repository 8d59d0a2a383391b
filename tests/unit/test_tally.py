"""Label tallies give the same sorted totals whether they stay in memory or spill to disk."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from functools import partial
from typing import IO

import pytest
from compliance_reports.domain.tally import (
    Entry,
    LabelTally,
    combine_sorted,
    encode_entry,
)


def _write(handle: IO[bytes], entries: list[Entry]) -> None:
    for entry in entries:
        handle.write(encode_entry(entry))


def _expected(pairs: list[tuple[str, list[str]]]) -> list[Entry]:
    counts: Counter[str] = Counter()
    labels: defaultdict[str, set[str]] = defaultdict(set)
    for key, key_labels in pairs:
        counts[key] += 1
        labels[key].update(key_labels)
    return [(key, counts[key], sorted(labels[key])) for key in sorted(counts)]


def _pairs(count: int, keys: int, seed: int) -> list[tuple[str, list[str]]]:
    rng = random.Random(seed)
    names = [f"subj-{index:04d}" for index in range(keys)]
    names += ["Zoë Ångström", "渡辺 健", "subj", "subj-", "=cmd|'/C calc'!A0", "a\nb", '"quoted"']
    labels = ["email_address", "health", "name", "phone", "Ünïcode"]
    return [(rng.choice(names), rng.sample(labels, rng.randint(0, 2))) for _ in range(count)]


@pytest.mark.parametrize(("memory_keys", "fan_in"), [(100_000, 64), (7, 3), (1, 2), (50, 4)])
def test_totals_independent_of_bound(memory_keys: int, fan_in: int) -> None:
    pairs = _pairs(3_000, 400, seed=memory_keys)

    with LabelTally(memory_keys=memory_keys, fan_in=fan_in) as tally:
        for key, labels in pairs:
            tally.add(key, labels)
            assert tally.keys_in_memory <= memory_keys
            assert tally.open_runs < fan_in * 8
        entries = list(tally.sorted_entries())

    assert entries == _expected(pairs)


def test_spills_beyond_the_bound() -> None:
    with LabelTally(memory_keys=10, fan_in=4) as tally:
        for index in range(100):
            tally.add(f"k{index:03d}", ["x"])

        assert tally.keys_in_memory <= 10
        assert tally.runs_written >= 9
        # Levels of four runs: the 9 spilled runs became 2 merged runs and 1 spilled run.
        assert tally.open_runs == 3
        assert [key for key, _count, _labels in tally.sorted_entries()] == [
            f"k{index:03d}" for index in range(100)
        ]


def test_stays_in_memory_within_the_bound() -> None:
    with LabelTally(memory_keys=5) as tally:
        for _ in range(3):
            for key in "abcde":
                tally.add(key, [key.upper()])

        assert tally.runs_written == 0
        assert list(tally.sorted_entries()) == [(key, 3, [key.upper()]) for key in "abcde"]


def test_empty_tally() -> None:
    with LabelTally(memory_keys=1) as tally:
        assert list(tally.sorted_entries()) == []


def test_failed_run_is_not_added() -> None:
    def fail(handle: IO[bytes]) -> None:
        handle.write(encode_entry(("a", 1, [])))
        raise OSError("connection reset")

    with LabelTally(memory_keys=10) as tally:
        with pytest.raises(OSError, match="connection reset"):
            tally.add_run(fail)

        assert tally.open_runs == 0
        assert list(tally.sorted_entries()) == []


def test_added_runs_merge_with_memory() -> None:
    runs: list[list[Entry]] = [
        [("alice", 2, ["email"]), ("carol", 1, [])],
        [("alice", 1, ["health"]), ("bob", 4, ["name"])],
        [],
    ]
    with LabelTally(memory_keys=100, fan_in=2) as tally:
        for run in runs:
            tally.add_run(partial(_write, entries=run))
        tally.add("bob", ["phone"], count=2)
        tally.add("dave", [])

        assert list(tally.sorted_entries()) == [
            ("alice", 3, ["email", "health"]),
            ("bob", 6, ["name", "phone"]),
            ("carol", 1, []),
            ("dave", 1, []),
        ]


def test_many_runs_few_open_files() -> None:
    expected: Counter[str] = Counter()
    with LabelTally(memory_keys=100, fan_in=4) as tally:
        for run_index in range(50):
            run = [(f"s{key:02d}", run_index, ["c"]) for key in range(run_index % 5, 30, 5)]
            expected.update({key: count for key, count, _labels in run})
            tally.add_run(partial(_write, entries=run))
            assert tally.open_runs < 4 * 3

        entries = list(tally.sorted_entries())

    assert entries == [(key, expected[key], ["c"]) for key in sorted(expected)]


def test_combine_sorted_joins_equal_keys() -> None:
    merged = list(
        combine_sorted(
            [
                [("a", 1, ["x"]), ("b", 1, ["y"])],
                [("a", 2, ["y"]), ("c", 1, [])],
            ]
        )
    )

    assert merged == [("a", 3, ["x", "y"]), ("b", 1, ["y"]), ("c", 1, [])]


@pytest.mark.parametrize(("memory_keys", "fan_in"), [(0, 4), (10, 1)])
def test_invalid_bounds_rejected(memory_keys: int, fan_in: int) -> None:
    with pytest.raises(ValueError, match="must be at least"):
        LabelTally(memory_keys=memory_keys, fan_in=fan_in)
