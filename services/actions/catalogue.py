"""The service catalogue: categories and their extra questions, and residents' answers checked against them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community import validators
from community.scoping import CHANGE, reaches, scope_of

from ..choices import (
    QuestionType,
)
from ..models import (
    ServiceCategory,
)


@transaction.atomic
def category_save(*, by, category: ServiceCategory) -> ServiceCategory:
    """The county-wide catalogue is kept by the county (or a superuser); its department must be the county's."""
    scope = scope_of(by)
    if scope is None or not reaches(scope, category, CHANGE):
        raise PermissionDenied(_("Only the county may change the service catalogue."))
    if category.department_id and not scope.is_all and category.department.county_id != scope.county_id:
        raise ValidationError({"department": _("Choose a department of this county.")})
    category.full_clean()
    category.save()
    return category


def question_values(question) -> list[tuple[str, str]]:
    values = []
    for value in question.get("values") or []:
        if isinstance(value, dict):
            values.append((str(value.get("key")), str(value.get("name", value.get("key")))))
        else:
            values.append((str(value), str(value)))
    return values


def clean_answers(category: ServiceCategory, answers: dict | None, *, require: bool = True) -> dict:
    """Check the answers to a category's extra questions; unknown keys are dropped.

    Staff taking a request by phone may leave required questions open (``require=False``).
    """
    answers = answers or {}
    cleaned, errors = {}, {}
    for question in category.questions or []:
        code, label = question["code"], question["label"]
        kind = question.get("type", QuestionType.STRING)
        raw = answers.get(code)
        empty = raw in (None, "", [])
        if empty:
            if question.get("required") and require:
                errors[f"answer_{code}"] = _("Please answer: %(label)s") % {"label": label}
            continue
        keys = {k for k, _name in question_values(question)}
        if kind == QuestionType.NUMBER:
            try:
                number = Decimal(str(raw))
                validators.validate_finite_number(number)
                if abs(number) >= Decimal("1e15"):  # no count or measure a resident gives is this large
                    raise ValueError(raw)
                cleaned[code] = str(number)
            except (InvalidOperation, ValueError, ValidationError):
                errors[f"answer_{code}"] = _("%(label)s must be a number.") % {"label": label}
        elif kind == QuestionType.SINGLE:
            if str(raw) not in keys:
                errors[f"answer_{code}"] = _("Choose one of the offered answers for %(label)s.") % {"label": label}
            else:
                cleaned[code] = str(raw)
        elif kind == QuestionType.MULTI:
            chosen = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw])]
            if not set(chosen) <= keys:
                errors[f"answer_{code}"] = _("Choose among the offered answers for %(label)s.") % {"label": label}
            else:
                cleaned[code] = chosen
        elif kind == QuestionType.DATETIME:
            value = raw if isinstance(raw, dt.datetime) else None
            if value is None:
                try:
                    value = dt.datetime.fromisoformat(str(raw))
                except ValueError:
                    errors[f"answer_{code}"] = _("%(label)s must be a date and time.") % {"label": label}
                    continue
            try:
                validators.validate_date_in_range(value)
            except ValidationError as exc:
                errors[f"answer_{code}"] = exc.messages[0]
                continue
            cleaned[code] = value.isoformat()
        else:
            text = str(raw).strip()
            if len(text) > 1000:
                errors[f"answer_{code}"] = _("%(label)s is too long.") % {"label": label}
            elif validators.CONTROL_CHARACTERS.search(text):
                errors[f"answer_{code}"] = _("Remove the control characters from this text.")
            else:
                cleaned[code] = text
    if errors:
        raise ValidationError(errors)
    return cleaned
