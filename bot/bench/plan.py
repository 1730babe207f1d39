"""How much each benchmark does: the full run, ``--quick`` and the tests' ``--smoke``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    sizes: tuple[int, ...]  # generated knowledge bases, in entries (the shipped one always runs)
    queries: int  # messages timed per knowledge base
    warmup_queries: int  # matched first and not timed: caches fill as in a running bot
    updates: int  # updates per throughput measurement, for each dispatcher
    in_flight: int  # updates fed at once in the concurrent throughput measurement
    rounds: int  # throughput measurements per dispatcher; the best one counts
    burst_entries: int  # the knowledge base the event-loop burst is answered from
    burst: int  # updates fed at once while the event loop is watched
    bursts: int
    startup_runs: int  # start-ups of each bot; the median counts


FULL = Plan(
    name="full",
    sizes=(1_000, 10_000, 100_000),
    queries=2_000,
    warmup_queries=200,
    updates=600,
    in_flight=100,
    rounds=3,
    burst_entries=10_000,
    burst=100,
    bursts=3,
    startup_runs=3,
)
QUICK = Plan(
    name="quick",
    sizes=(1_000, 10_000),
    queries=500,
    warmup_queries=100,
    updates=300,
    in_flight=100,
    rounds=2,
    burst_entries=10_000,
    burst=100,
    bursts=2,
    startup_runs=1,
)
SMOKE = Plan(
    name="smoke",
    sizes=(300,),
    queries=50,
    warmup_queries=10,
    updates=100,
    in_flight=50,
    rounds=1,
    burst_entries=300,
    burst=50,
    bursts=1,
    startup_runs=1,
)
