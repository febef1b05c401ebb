"""Pure scoring and ranking rules (no database): panel averages, bonus caps, composite, shortlist, rank.

The actions and selectors feed these plain values; the property tests exercise them directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def check_score(value) -> Decimal:
    """A score out of 100 with at most two decimals, or a clear error."""
    try:
        score = Decimal(str(value))
    except Exception:
        raise ValidationError(_("A score must be a number between 0 and 100."), code="score_range")
    if not score.is_finite() or score < 0 or score > HUNDRED:
        raise ValidationError(
            _("A score must be between 0 and 100 (got %(score)s).") % {"score": value}, code="score_range"
        )
    if score != score.quantize(CENT):
        raise ValidationError(_("A score has at most two decimals (got %(score)s).") % {"score": value})
    return score


def panel_average(scores: Sequence[Decimal]) -> Decimal:
    """Drop the single highest and the single lowest score, average the rest, round to the cent (half up)."""
    if len(scores) < 3:
        raise ValidationError(
            _("An interview needs at least three examiners' scores so the highest and lowest can be dropped."),
            code="panel_too_small",
        )
    ordered = sorted(Decimal(s) for s in scores)
    kept = ordered[1:-1]
    return q2(sum(kept, Decimal("0")) / len(kept))


def bonus_total(points: Iterable[Decimal], *, cap: Decimal, cumulative: bool) -> Decimal:
    """加分: the highest single bonus (non-cumulative rule) or their sum (cumulative), never above the cap."""
    values = [Decimal(p) for p in points if Decimal(p) > 0]
    if not values:
        return Decimal("0.00")
    raw = sum(values, Decimal("0")) if cumulative else max(values)
    return q2(min(raw, Decimal(cap)))


def composite(
    *, written_total: Decimal, interview: Decimal, written_weight: Decimal, interview_weight: Decimal
) -> Decimal:
    """Composite score = written × weight + interview × weight, rounded to the cent (half up)."""
    return q2(Decimal(written_total) * Decimal(written_weight) + Decimal(interview) * Decimal(interview_weight))


def check_weights(written_weight: Decimal, interview_weight: Decimal) -> None:
    if Decimal(written_weight) + Decimal(interview_weight) != Decimal("1"):
        raise ValidationError(
            _("The written exam and interview weights must add up to 100%% (they add up to %(total)s%%).")
            % {"total": (Decimal(written_weight) + Decimal(interview_weight)) * 100},
            code="weights",
        )


def shortlist(candidates: Sequence[tuple[object, Decimal]], *, places: int, ratio: int) -> set:
    """Interview entry: the best ``places × ratio`` by score, and everyone tied with the last of them."""
    if not candidates:
        return set()
    seats = places * ratio
    ordered = sorted(candidates, key=lambda c: c[1], reverse=True)
    if len(ordered) <= seats:
        return {key for key, _score in ordered}
    cut_off = ordered[seats - 1][1]
    return {key for key, score in ordered if score >= cut_off}


@dataclass(frozen=True)
class Ranked:
    key: object
    composite: Decimal
    interview: Decimal
    written: Decimal
    bonus: Decimal
    exam_number: str


def _tie_value(c: Ranked, rule: str):
    if rule == "interview":
        return -c.interview
    if rule == "written":
        return -c.written
    if rule == "bonus":
        return c.bonus
    if rule == "exam_number":
        return c.exam_number
    raise ValidationError(_("Unknown tie-break rule: %(rule)s.") % {"rule": rule})


def rank(candidates: Sequence[Ranked], *, tie_break: Sequence[str]) -> list[Ranked]:
    """Order by composite score (desc), then the tie-break chain, then the exam number: a total order."""
    chain = [r for r in tie_break if r != "exam_number"] + ["exam_number"]
    return sorted(candidates, key=lambda c: (-c.composite, *(_tie_value(c, r) for r in chain)))
