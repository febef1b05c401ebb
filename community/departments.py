"""The county's review of departments (部门考评): what each department asks of the communities
beside what it gives them, side by side on the dashboard.

``community`` imports no other app, so the figures come from a small registry: an app registers
``@department_figure(key, label, side=ASKS|GIVES|None, order=…)`` on a function
``(scope, period) -> {department_id: number}`` (the tasks a department handed down, the service
commitments it made, the activities it held …).  The "departments" dashboard section lays every
registered figure out per department and counts the departments that ask more than they give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _

from utilities.charts import bar_chart

from .dashboard import Indicator, section
from .models import Department

ASKS = "asks"
GIVES = "gives"


@dataclass(frozen=True)
class DepartmentFigure:
    key: str
    label: str
    side: str | None
    order: int
    fn: Callable = field(compare=False)


FIGURES: dict[str, DepartmentFigure] = {}


def department_figure(key: str, label, *, side: str | None = None, order: int = 100):
    """Register a per-department figure; ``side`` (ASKS or GIVES) counts it in the comparison, None only shows it."""
    if side not in (ASKS, GIVES, None):
        raise ValueError(f"side must be {ASKS!r}, {GIVES!r} or None")

    def register(fn):
        FIGURES[key] = DepartmentFigure(key, label, side, order, fn)
        return fn

    return register


def figures() -> list[DepartmentFigure]:
    return sorted(FIGURES.values(), key=lambda f: (f.order, f.key))


def departments_of(scope):
    """The departments of the county (or counties) the scope's communities belong to."""

    counties = scope.communities().values("town__county_id")
    return Department.objects.filter(county_id__in=Subquery(counties)).order_by("code").only("id", "name")


@dataclass(frozen=True)
class DepartmentReview:
    departments: list  # [(id, name)]
    figures: list[DepartmentFigure]
    values: dict  # {figure key: {department id: number}}

    def total(self, key: str):
        return sum(self.values[key].values(), 0)

    def side_total(self, department_id: int, side: str):
        return sum(self.values[f.key].get(department_id, 0) for f in self.figures if f.side == side)

    def asking_more_than_giving(self) -> list[str]:
        asks = [f for f in self.figures if f.side == ASKS]
        gives = [f for f in self.figures if f.side == GIVES]
        if not asks or not gives:
            return []
        return [
            name
            for pk, name in self.departments
            if self.side_total(pk, ASKS) > self.side_total(pk, GIVES) and self.side_total(pk, ASKS) > 0
        ]


def department_review(scope, period) -> DepartmentReview:
    """Every registered figure per department of the scope: one query per figure, none per department."""
    departments = [(d.pk, d.name) for d in departments_of(scope)]
    registered = figures()
    values = {f.key: dict(f.fn(scope, period)) for f in registered}
    return DepartmentReview(departments, registered, values)


@section("departments", _("Departments: what they ask of the communities and what they give"), order=65)
def departments(scope, period):
    review = department_review(scope, period)
    if not review.figures or not review.departments:
        return []
    names = [name for _pk, name in review.departments]
    chart = bar_chart(
        names,
        {f.label: [review.values[f.key].get(pk, 0) for pk, _name in review.departments] for f in review.figures},
        horizontal=True,
    )
    indicators = [
        Indicator(
            f"department_{f.key}",
            f.label,
            review.total(f.key),
            _("in all"),
            chart=chart if index == 0 else None,
        )
        for index, f in enumerate(review.figures)
    ]
    if any(f.side == ASKS for f in review.figures) and any(f.side == GIVES for f in review.figures):
        indicators.append(
            Indicator(
                "departments_asking_more",
                _("Departments handing down more than they give"),
                len(review.asking_more_than_giving()),
                _("departments"),
            )
        )
    return indicators
