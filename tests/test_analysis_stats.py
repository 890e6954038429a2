"""Wilson intervals against statsmodels, edge cases, and lift."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import proportion_confint

from imrgraph.analysis.stats import lift, proportion, wilson_interval

CASES = [(k, n) for n in (1, 2, 3, 7, 10, 25, 100, 1000, 123_457) for k in {0, 1, n // 3, n - 1, n}]


@pytest.mark.parametrize(("k", "n"), CASES, ids=[f"{k}of{n}" for k, n in CASES])
def test_wilson_matches_statsmodels(k: int, n: int) -> None:
    ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(ref_low, abs=1e-9)
    assert high == pytest.approx(ref_high, abs=1e-9)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_other_confidence_levels_match_statsmodels(confidence: float) -> None:
    ref = proportion_confint(17, 40, alpha=1 - confidence, method="wilson")
    assert wilson_interval(17, 40, confidence) == pytest.approx(ref, abs=1e-9)


def test_no_items_gives_no_interval() -> None:
    low, high = wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)
    p = proportion(0, 0, base_rate=0.9)
    assert math.isnan(p.rate) and math.isnan(p.lift)


def test_none_upheld_and_all_upheld_touch_the_bounds_but_keep_width() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.25 < high < 0.35  # not the Wald interval's degenerate [0, 0]
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and 0.65 < low < 0.75


def test_small_sample_ranks_below_large_sample_by_lower_bound() -> None:
    # 2 of 2 upheld has a higher rate than 390 of 400, but much less evidence.
    assert wilson_interval(2, 2)[0] < wilson_interval(390, 400)[0]


def test_impossible_counts_are_rejected() -> None:
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)


def test_lift() -> None:
    assert lift(0.99, 0.9) == pytest.approx(1.1)
    assert math.isnan(lift(0.5, 0.0))
    p = proportion(45, 50, base_rate=0.75)
    assert p.rate == 0.9 and p.lift == pytest.approx(1.2)
    assert p.ci_low < 0.9 < p.ci_high
