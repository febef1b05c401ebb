"""Public disclosure (财务公开): a community's quarter published and verified, residents' questions answered."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import community_of, ensure_in_scope

from .. import selectors
from ..models import (
    Disclosure,
    DisclosureQuestion,
)


def _canonical(content) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@transaction.atomic
def disclosure_publish(*, by, community, year: int, quarter: int) -> Disclosure:
    """Freeze a quarter's posted vouchers into an immutable snapshot with its SHA-256."""

    ensure_in_scope(by, community)
    if not 1 <= int(quarter) <= 4:
        raise ValidationError({"quarter": _("The quarter is between 1 and 4.")})
    if Disclosure.objects.filter(community=community, year=year, quarter=quarter).exists():
        raise ValidationError(_("This quarter has already been published; a published disclosure is never changed."))
    content = selectors.disclosure_content(community=community, year=int(year), quarter=int(quarter))
    digest = hashlib.sha256(_canonical(content).encode()).hexdigest()
    return Disclosure.objects.create(
        community=community, year=year, quarter=quarter, content=content, sha256=digest, published_by=by
    )


def disclosure_verify(disclosure: Disclosure) -> bool:
    return hashlib.sha256(_canonical(disclosure.content).encode()).hexdigest() == disclosure.sha256


@transaction.atomic
def question_ask(*, disclosure: Disclosure, line: int, question: str, contact: str = "") -> DisclosureQuestion:
    """A resident's question about a line of a published disclosure (no account needed)."""
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("Write your question.")})
    if len(question) > 1000:
        raise ValidationError({"question": _("Keep the question under 1000 characters.")})
    count = len(disclosure.content.get("lines", []))
    if not 1 <= int(line) <= count:
        raise ValidationError({"line": _("Choose a line of this disclosure.")})
    return DisclosureQuestion.objects.create(disclosure=disclosure, line=line, question=question, contact=contact[:40])


@transaction.atomic
def question_answer(*, by, question_id: int, answer: str) -> DisclosureQuestion:
    question = DisclosureQuestion.objects.select_for_update().select_related("disclosure").get(pk=question_id)
    ensure_in_scope(by, community_of(question))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    question.answer, question.answered_by, question.answered_at = answer.strip(), by, timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    return question
