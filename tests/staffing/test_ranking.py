"""Property tests of the pure scoring rules: determinism, ties at the cut-off, bonus caps, weights, rounding."""

import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing import ranking

SETTINGS = settings(max_examples=50, deadline=None)
score = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
weight = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)


@st.composite
def candidates(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    composites = draw(
        st.lists(
            st.sampled_from([Decimal("80.00"), Decimal("75.50"), Decimal("70.25")]) | score, min_size=n, max_size=n
        )
    )
    return [
        ranking.Ranked(
            key=i,
            composite=c,
            interview=draw(st.sampled_from([Decimal("80"), Decimal("70")]) | score),
            written=draw(score),
            bonus=draw(st.sampled_from([Decimal("0"), Decimal("2")])),
            exam_number=f"{i:05d}",
        )
        for i, c in enumerate(composites)
    ]


@SETTINGS
@given(candidates(), st.randoms(use_true_random=False), st.permutations(["interview", "written", "bonus"]))
def test_rank_is_deterministic_and_total(cands, rnd, chain):
    shuffled = list(cands)
    rnd.shuffle(shuffled)
    first = [c.key for c in ranking.rank(cands, tie_break=chain)]
    second = [c.key for c in ranking.rank(shuffled, tie_break=chain)]
    assert first == second
    assert sorted(first) == sorted(c.key for c in cands)
    ordered = ranking.rank(cands, tie_break=chain)
    assert all(a.composite >= b.composite for a, b in zip(ordered, ordered[1:], strict=False))
    for a, b in zip(ordered, ordered[1:], strict=False):  # equal composites: the first tie-break decides, if it can
        if a.composite == b.composite and chain[0] == "interview" and a.interview != b.interview:
            assert a.interview > b.interview


@SETTINGS
@given(
    st.lists(score, min_size=1, max_size=40),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=1, max_value=4),
)
def test_shortlist_takes_ratio_and_every_tie(scores, places, ratio):
    pairs = list(enumerate(scores))
    chosen = ranking.shortlist(pairs, places=places, ratio=ratio)
    seats = places * ratio
    assert len(chosen) >= min(seats, len(pairs))
    if chosen:
        cut = min(scores[i] for i in chosen)
        # everyone at or above the cut-off goes through; nobody below it
        assert chosen == {i for i, s in pairs if s >= cut}
        above = sum(1 for s in scores if s > cut)
        assert above < seats or len(pairs) <= seats


@SETTINGS
@given(
    st.lists(st.decimals(min_value=Decimal("0.5"), max_value=10, places=1), max_size=5),
    st.decimals(min_value=0, max_value=10, places=1),
    st.booleans(),
)
def test_bonus_is_capped_and_not_cumulative_unless_allowed(points, cap, cumulative):
    total = ranking.bonus_total(points, cap=cap, cumulative=cumulative)
    assert total <= cap
    if points:
        expected = sum(points) if cumulative else max(points)
        assert total == min(expected, cap).quantize(Decimal("0.01"))
    else:
        assert total == 0


@SETTINGS
@given(score, score, weight)
def test_composite_weights_and_rounding(written, interview, w):
    result = ranking.composite(written_total=written, interview=interview, written_weight=w, interview_weight=1 - w)
    exact = written * w + interview * (1 - w)
    assert result == result.quantize(Decimal("0.01"))
    assert abs(result - exact) <= Decimal("0.005")
    assert min(written, interview) <= result <= max(written, interview)


@SETTINGS
@given(st.lists(score, min_size=3, max_size=9))
def test_panel_average_drops_one_highest_and_one_lowest(scores):
    avg = ranking.panel_average(scores)
    kept = sorted(scores)[1:-1]
    assert abs(avg - sum(kept) / len(kept)) <= Decimal("0.005")
    assert sorted(scores)[1] <= avg <= sorted(scores)[-2]
    random.Random(1).shuffle(scores)
    assert ranking.panel_average(scores) == avg


def test_known_values():
    assert ranking.panel_average([Decimal(s) for s in ["90", "80", "85", "70", "88", "86", "60"]]) == Decimal("81.80")
    assert ranking.composite(
        written_total=Decimal("78.5"),
        interview=Decimal("81.35"),
        written_weight=Decimal("0.4"),
        interview_weight=Decimal("0.6"),
    ) == Decimal("80.21")
    assert ranking.bonus_total([Decimal("3"), Decimal("4")], cap=Decimal("5"), cumulative=True) == Decimal("5.00")
    assert ranking.bonus_total([Decimal("3"), Decimal("4")], cap=Decimal("5"), cumulative=False) == Decimal("4.00")
    with pytest.raises(ValidationError):
        ranking.panel_average([Decimal("80"), Decimal("90")])
    with pytest.raises(ValidationError, match="between 0 and 100"):
        ranking.check_score("100.5")
    with pytest.raises(ValidationError):
        ranking.check_score("abc")
    with pytest.raises(ValidationError):
        ranking.check_score("NaN")
