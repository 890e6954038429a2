"""Proportions with honest uncertainty: the Wilson score interval and lift.

Why Wilson: an uphold rate computed from a handful of items is mostly noise. The normal
("Wald") interval collapses to zero width at 0% or 100% and is badly calibrated for small
counts; the Wilson score interval stays inside [0, 1], has sensible width at the extremes and
near-nominal coverage for small n (Brown, Cai & DasGupta 2001). Ranking by its lower bound means
a guideline cited twice and upheld twice cannot top a list ahead of one cited 400 times and
upheld 390 times.

Lift is the uphold rate of one group divided by the uphold rate of the whole selection the group
was drawn from: 1.0 means "upheld as often as everything else in this selection", 1.1 means 10%
more often.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

__all__ = [
    "Proportion",
    "base_rate",
    "lift",
    "outcome_fields",
    "overturned_of",
    "proportion",
    "wilson_interval",
]

#: z for a two-sided 95% interval, computed rather than rounded to 1.96 so that the interval
#: agrees with reference implementations (statsmodels) to machine precision.
Z_95: float = NormalDist().inv_cdf(0.975)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``successes`` out of ``n`` at the given two-sided confidence.

    Returns ``(nan, nan)`` when ``n == 0``: there is no evidence either way, and a made-up
    [0, 1] would sort as if it were data. Raises ``ValueError`` for impossible counts (a
    programming error, not user input).
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"impossible counts: {successes} successes out of {n}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if n == 0:
        return (math.nan, math.nan)
    z = Z_95 if confidence == 0.95 else NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    low, high = centre - half, centre + half
    # Exact 0 / 1 at the boundaries (rounding can leave 1e-17 outside [0, 1]).
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    return (max(0.0, low), min(1.0, high))


def lift(rate: float, base_rate: float) -> float:
    """``rate / base_rate``; ``nan`` when either is undefined or the base rate is 0."""
    if math.isnan(rate) or math.isnan(base_rate) or base_rate == 0.0:
        return math.nan
    return rate / base_rate


@dataclass(frozen=True)
class Proportion:
    """Successes out of n, with the rate, its Wilson interval and the lift over a base rate."""

    successes: int
    n: int
    rate: float
    ci_low: float
    ci_high: float
    lift: float


def proportion(successes: int, n: int, base_rate: float = math.nan) -> Proportion:
    """Everything the ranking shows for one group, computed in one place."""
    rate = successes / n if n else math.nan
    low, high = wilson_interval(successes, n)
    return Proportion(successes, n, rate, low, high, lift(rate, base_rate))


def base_rate(base: tuple[int, ...] | None) -> float:
    """The uphold rate of a selection given as ``(items, upheld, overturned)``.

    Over decided items only (upheld + overturned): an item whose outcome could not be read
    (imr:UnknownOutcome) is neither. A 2-tuple ``(items, upheld)`` means every item was decided.
    """
    if not base:
        return math.nan
    items, upheld = base[0], base[1]
    overturned = base[2] if len(base) > 2 else items - upheld
    decided = upheld + overturned
    return upheld / decided if decided else math.nan


def outcome_fields(
    items: int, upheld: int, overturned: int, rate_of_all: float = math.nan
) -> dict[str, float | int]:
    """The columns every outcome table shares, with the rate over decided items.

    ``unknown`` = items whose outcome could not be read; ``uphold_rate`` and its Wilson interval
    are upheld / (upheld + overturned), so an unreadable outcome never counts as either.
    """
    p = proportion(upheld, upheld + overturned, rate_of_all)
    return {
        "items": items,
        "upheld": upheld,
        "overturned": overturned,
        "unknown": items - upheld - overturned,
        "uphold_rate": p.rate,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "lift": p.lift,
    }


def overturned_of(row: dict) -> int:
    """The overturned items of a count row: ``row["overturned"]``; a row with only ``items`` and
    ``upheld`` (as callers wrote them before unreadable outcomes existed) has every item
    decided."""
    if "overturned" in row:
        return int(row["overturned"])
    return int(row["items"]) - int(row["upheld"])
