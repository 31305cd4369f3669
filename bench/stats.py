"""Summaries of timing samples: medians, percentiles and rates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0..1) percentile, interpolating linearly between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(samples: Sequence[float]) -> float:
    return percentile(samples, 0.5)


@dataclass(frozen=True)
class Summary:
    """Latencies in seconds."""

    count: int
    median: float
    p95: float
    minimum: float
    maximum: float

    def as_dict(self, scale: float = 1000.0, digits: int = 2) -> dict[str, float | int]:
        """Rounded, scaled (milliseconds by default) for the JSON results."""
        return {
            "count": self.count,
            "p50": round(self.median * scale, digits),
            "p95": round(self.p95 * scale, digits),
            "min": round(self.minimum * scale, digits),
            "max": round(self.maximum * scale, digits),
        }


def summarise(samples: Sequence[float]) -> Summary:
    return Summary(
        count=len(samples),
        median=median(samples),
        p95=percentile(samples, 0.95),
        minimum=min(samples),
        maximum=max(samples),
    )


def rate(count: int, seconds: float) -> float:
    """Events per second; 0 when nothing was timed."""
    return count / seconds if seconds > 0 else 0.0


def ratio(value: float | None, ceiling: float | None) -> float | None:
    """``value / ceiling``, or None when either is missing or the ceiling is zero."""
    if value is None or not ceiling:
        return None
    return value / ceiling
