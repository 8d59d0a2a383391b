"""Small pieces shared by the benchmark's processes; importing this loads no project code."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

INDEX_FILE = "index.json"
EVENTS_FILE = "events.jsonl"
FORMAT_VERSION = 1


def load_index(root: Path) -> dict[str, Any] | None:
    """Return the index of recorded pages under `root`, or None when there is none."""
    path = root / INDEX_FILE
    if not path.exists():
        return None
    index: dict[str, Any] = json.loads(path.read_text())
    return index if index.get("formatVersion") == FORMAT_VERSION else None


class Stopwatch:
    """Wall-clock and process CPU time since the stopwatch started."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def read(self) -> dict[str, float]:
        return {
            "seconds": time.perf_counter() - self.wall,
            "cpuSeconds": time.process_time() - self.cpu,
        }


def peak_rss() -> dict[str, float | None]:
    """Return the process's peak RSS in MiB from getrusage, and from /proc as a cross-check.

    On Linux `ru_maxrss` is in KiB and survives exec, so a child started by a large parent
    reports at least the parent's RSS; VmHWM belongs to the current process image only.
    """
    high_water = None
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                high_water = int(line.split()[1]) / 1024
    return {
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "vmHwmMb": high_water,
    }
