"""Validators of the services app's own values (used by its models' ``clean`` and by its actions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import QuestionType


def validate_questions(questions) -> None:
    """A category's extra questions must be a list of well-formed question objects."""
    if not isinstance(questions, list):
        raise ValidationError({"questions": _("The extra questions must be a list.")})
    seen = set()
    for index, question in enumerate(questions, 1):
        if not isinstance(question, dict) or not question.get("code") or not question.get("label"):
            raise ValidationError({"questions": _("Question %(n)d needs a code and a label.") % {"n": index}})
        code = str(question["code"])
        if not code.isidentifier() or code in seen:
            raise ValidationError(
                {"questions": _("Question code %(code)s is not a unique plain identifier.") % {"code": code}}
            )
        seen.add(code)
        kind = question.get("type", QuestionType.STRING)
        if kind not in QuestionType.values:
            raise ValidationError({"questions": _("Question %(code)s has an unknown type.") % {"code": code}})
        if kind in (QuestionType.SINGLE, QuestionType.MULTI) and not question.get("values"):
            raise ValidationError({"questions": _("Question %(code)s needs a list of values.") % {"code": code}})
