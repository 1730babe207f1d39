"""Small statistics and process-memory helpers shared by the benchmarks."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence


class BenchError(Exception):
    """A benchmark could not run (a child process failed, the bot did not answer)."""


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at least ``share`` of values are <= to."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def rss_mib(pid: int | str = "self") -> float:
    """Resident memory of a process now, from /proc (Linux); 0.0 where there is no /proc."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, from /proc (Linux); 0.0 elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # The command name (2nd field) may hold spaces: count fields after its ')'.
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    user, system = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (user + system) / os.sysconf("SC_CLK_TCK")


def pin_to_one_core() -> int | None:
    """Run this process on a single core, so a timing never mixes two; the core, or None where
    the OS cannot pin (macOS)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core
