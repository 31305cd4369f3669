"""How many iterations each scenario runs, and for how long at most.

Every loop has a count AND a time limit; the full plan keeps ``make bench`` on both databases
(seeding 1,000 cities x 10 rounds included) well under 15 minutes on a two-core machine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    count: int
    seconds: float


@dataclass(frozen=True)
class Plan:
    cities: int
    rounds: int
    officials: int  # one per concurrent official at the highest concurrency
    concurrency: tuple[int, ...]
    healthz: dict[int, Budget]
    submissions: dict[int, Budget]
    report: Budget
    dashboard: Budget
    export_csv_runs: int
    export_xlsx_runs: int
    dump_runs: int
    export_seconds: float  # time limit of one export download


FULL = Plan(
    cities=1000, rounds=10, officials=16, concurrency=(1, 4, 16),
    healthz={1: Budget(3000, 4), 4: Budget(6000, 4), 16: Budget(8000, 4)},
    submissions={1: Budget(60, 15), 4: Budget(200, 15), 16: Budget(600, 20)},
    report=Budget(60, 12), dashboard=Budget(40, 15),
    export_csv_runs=3, export_xlsx_runs=1, dump_runs=3, export_seconds=180,
)

QUICK = Plan(
    cities=100, rounds=2, officials=16, concurrency=(1, 4, 16),
    healthz={1: Budget(300, 1), 4: Budget(600, 1), 16: Budget(800, 1)},
    submissions={1: Budget(4, 5), 4: Budget(8, 5), 16: Budget(32, 8)},
    report=Budget(5, 3), dashboard=Budget(5, 3),
    export_csv_runs=1, export_xlsx_runs=1, dump_runs=1, export_seconds=60,
)
