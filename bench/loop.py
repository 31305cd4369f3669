"""Bounded request loops: a fixed number of iterations AND a time limit, whichever comes first.

Every benchmark goes through here, so no scenario can run away: it stops after ``count``
iterations, or once ``seconds`` have passed (iterations already started finish), or after
``max_errors`` failures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Task = Callable[[int, int], object]  # (worker index, iteration index) -> ignored


@dataclass
class LoopResult:
    samples: list[float] = field(default_factory=list)  # seconds, successful iterations only
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0  # wall time from the first start to the last finish
    stopped_by: str = "count"  # "count", "time" or "errors"
    concurrency: int = 1

    @property
    def ok(self) -> int:
        return len(self.samples)

    @property
    def rate(self) -> float:
        """Successful iterations per second of wall time."""
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0


def bounded_loop(
    task: Task,
    *,
    count: int,
    seconds: float,
    concurrency: int = 1,
    max_errors: int = 10,
    prepare: Task | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> LoopResult:
    """Run ``task`` from ``concurrency`` threads until one of the three limits is reached.

    ``prepare`` runs before each iteration, untimed (its time still counts in ``elapsed``).
    """
    if count < 1 or seconds <= 0 or concurrency < 1:
        raise ValueError("count, seconds and concurrency must be positive")
    result = LoopResult(concurrency=concurrency)
    lock = threading.Lock()
    next_iteration = 0
    start = clock()
    deadline = start + seconds
    finished_at = start

    def claim() -> int | None:
        nonlocal next_iteration
        with lock:
            if next_iteration >= count:
                return None
            if clock() >= deadline:
                result.stopped_by = "time"
                return None
            if len(result.errors) >= max_errors:
                result.stopped_by = "errors"
                return None
            iteration = next_iteration
            next_iteration += 1
            return iteration

    def worker(index: int) -> None:
        nonlocal finished_at
        while (iteration := claim()) is not None:
            try:
                if prepare is not None:
                    prepare(index, iteration)
                began = clock()
                task(index, iteration)
            except Exception as error:
                with lock:
                    result.errors.append(f"{type(error).__name__}: {error}")
                    finished_at = max(finished_at, clock())
                continue
            ended = clock()
            with lock:
                result.samples.append(ended - began)
                finished_at = max(finished_at, ended)

    if concurrency == 1:
        worker(0)
    else:
        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    result.elapsed = finished_at - start
    return result
