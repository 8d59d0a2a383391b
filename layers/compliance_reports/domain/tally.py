"""Counts and label sets per key that hold a bounded number of keys in memory.

A GDPR export lists every data subject with its record count and data categories. A large
organisation has millions of subjects, so the tally keeps at most `memory_keys` of them in a dict.
When the dict is full, the tally writes it to a temporary file as a run sorted by key and starts
a new dict. Reading merges the runs, so memory keeps one entry per open run. Runs are merged in
levels of `fan_in` files, which bounds the open files and rewrites each entry once per level.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from types import TracebackType
from typing import IO

DEFAULT_MEMORY_KEYS = 20_000
DEFAULT_FAN_IN = 64

# An entry is (key, count, sorted labels). A run file has one entry per line as a JSON array,
# sorted by key.
Entry = tuple[str, int, list[str]]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_entry(entry: Entry) -> bytes:
    return _ENCODER.encode(entry).encode() + b"\n"


def decode_entry(line: bytes) -> Entry:
    key, count, labels = json.loads(line)
    return key, int(count), labels


def read_run(handle: IO[bytes]) -> Iterator[Entry]:
    """Yield the entries of a run file from its start."""
    handle.seek(0)
    for line in handle:
        if line.strip():
            yield decode_entry(line)


def combine_sorted(runs: Iterable[Iterable[Entry]]) -> Iterator[Entry]:
    """Merge runs sorted by key into one, adding the counts and joining the labels of equal keys."""
    key: str | None = None
    count = 0
    labels: set[str] = set()
    for next_key, next_count, next_labels in heapq.merge(*runs, key=itemgetter(0)):
        if next_key != key:
            if key is not None:
                yield key, count, sorted(labels)
            key, count, labels = next_key, 0, set()
        count += next_count
        labels.update(next_labels)
    if key is not None:
        yield key, count, sorted(labels)


class LabelTally:
    """Count occurrences and collect labels per key, spilling sorted runs to disk beyond a bound.

    Use it as a context manager, or call `close`, so the temporary files go away.
    """

    def __init__(
        self,
        memory_keys: int = DEFAULT_MEMORY_KEYS,
        fan_in: int = DEFAULT_FAN_IN,
        directory: str | None = None,
    ) -> None:
        if memory_keys < 1:
            raise ValueError(f"memory_keys must be at least 1, not {memory_keys}")
        if fan_in < 2:
            raise ValueError(f"fan_in must be at least 2, not {fan_in}")
        self._memory_keys = memory_keys
        self._fan_in = fan_in
        self._directory = directory
        self._memory: dict[str, tuple[int, set[str]]] = {}
        # Each run in levels[n] is a merge of fan_in ** n spilled or added runs.
        self._levels: list[list[IO[bytes]]] = []
        self.runs_written = 0

    def __enter__(self) -> LabelTally:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def keys_in_memory(self) -> int:
        return len(self._memory)

    @property
    def open_runs(self) -> int:
        return sum(len(level) for level in self._levels)

    def add(self, key: str, labels: Iterable[str], count: int = 1) -> None:
        known = self._memory.get(key)
        if known is None:
            if len(self._memory) >= self._memory_keys:
                self._spill()
            self._memory[key] = (count, set(labels))
        else:
            known_labels = known[1]
            known_labels.update(labels)
            self._memory[key] = (known[0] + count, known_labels)

    def add_run(self, fill: Callable[[IO[bytes]], None]) -> None:
        """Add a run sorted by key, such as a shard's, that `fill` writes into a new file."""
        handle = self._new_run()
        try:
            fill(handle)
        except BaseException:
            handle.close()
            raise
        self._push(0, handle)

    def sorted_entries(self) -> Iterator[Entry]:
        """Yield every key once, in key order, with its total count and all its labels."""
        in_memory = [
            (key, count, sorted(labels)) for key, (count, labels) in sorted(self._memory.items())
        ]
        runs = [handle for level in self._levels for handle in level]
        if not runs:
            yield from in_memory
            return
        if len(runs) + 1 > self._fan_in:
            self._reduce_all()
            runs = [handle for level in self._levels for handle in level]
        yield from combine_sorted([in_memory, *(read_run(handle) for handle in runs)])

    def close(self) -> None:
        for level in self._levels:
            for handle in level:
                handle.close()
        self._levels = []
        self._memory = {}

    def _spill(self) -> None:
        handle = self._new_run()
        for key, (count, labels) in sorted(self._memory.items()):
            handle.write(encode_entry((key, count, sorted(labels))))
        self._memory = {}
        self._push(0, handle)

    def _push(self, level: int, handle: IO[bytes]) -> None:
        while len(self._levels) <= level:
            self._levels.append([])
        self._levels[level].append(handle)
        if len(self._levels[level]) >= self._fan_in:
            merged = self._merge_runs(self._levels[level])
            self._levels[level] = []
            self._push(level + 1, merged)

    def _reduce_all(self) -> None:
        """Merge runs until one run and the in-memory dict fit in one fan-in."""
        runs = [handle for level in self._levels for handle in level]
        while len(runs) + 1 > self._fan_in:
            group, runs = runs[: self._fan_in], runs[self._fan_in :]
            runs.append(self._merge_runs(group))
        self._levels = [runs]

    def _merge_runs(self, group: list[IO[bytes]]) -> IO[bytes]:
        merged = self._new_run()
        for entry in combine_sorted([read_run(handle) for handle in group]):
            merged.write(encode_entry(entry))
        for handle in group:
            handle.close()
        return merged

    def _new_run(self) -> IO[bytes]:
        self.runs_written += 1
        return tempfile.TemporaryFile(dir=self._directory)
