"""The periodic jobs' writes: visits-due notices, monthly coverage reports, anonymisation."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Community

from .. import selectors
from ..choices import (
    OrgKind,
)
from ..models import (
    CoverageReport,
    PartyMember,
    PartyOrganisation,
    VisitsDueNotice,
)
from .common import today

# --- jobs' writes -----------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@transaction.atomic
def visits_due_notify(*, branch_id: int, week: dt.date, days: int | None = None) -> VisitsDueNotice:
    """The week's list of households due a visit, stored and emailed to the branch secretary once."""
    week = week_start(week)
    days = days or selectors.visit_due_days()
    branch = PartyOrganisation.objects.select_for_update(of=("self",)).select_related("community").get(pk=branch_id)
    if branch.kind != OrgKind.BRANCH:
        raise ValidationError(_("Visits-due lists go to branches."))
    notice = VisitsDueNotice.objects.select_for_update().filter(branch=branch, week=week).first()
    if notice is None:
        due = selectors.visits_due(community_id=branch.community_id, days=days, on=week)
        secretary = selectors.branch_secretary(branch_id=branch.pk)
        email = ""
        if secretary is not None:
            email = secretary.email or (secretary.user.email if secretary.user_id else "")
        lines = [
            _("Households of %(community)s not visited for %(days)d days (week of %(week)s): %(n)d")
            % {"community": branch.community, "days": days, "week": week, "n": len(due)},
            "",
        ]
        for row in due:
            last = row.last_visit.isoformat() if row.last_visit else _("never")
            coverer = row.coverer or _("nobody covers it")
            lines.append(
                _("%(household)s — last visit: %(last)s — covered by: %(coverer)s")
                % {"household": row.household, "last": last, "coverer": coverer}
            )
        notice = VisitsDueNotice.objects.create(
            branch=branch,
            week=week,
            recipient=secretary,
            email=email,
            due_days=days,
            household_count=len(due),
            body="\n".join(lines),
        )
    if notice.email and notice.emailed_at is None:
        send_mail(
            _("Visits due this week: %(branch)s") % {"branch": branch},
            notice.body,
            settings.DEFAULT_FROM_EMAIL,
            [notice.email],
        )
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at", "updated_at"])
    return notice


@transaction.atomic
def coverage_report_make(*, community_id: int, month: dt.date) -> CoverageReport:
    """The month's coverage section of a community, made once (a second run returns the same row)."""
    month = month.replace(day=1)
    existing = CoverageReport.objects.filter(community_id=community_id, month=month).first()
    if existing is not None:
        return existing
    community = Community.objects.select_for_update(of=("self",)).select_related("town").get(pk=community_id)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    on = min(next_month - dt.timedelta(days=1), today())
    summary = selectors.coverage_summary(community_ids=[community.pk], on=on, visits_from=month, visits_to=on)
    row = summary.rows[0]
    report, _created = CoverageReport.objects.get_or_create(
        community=community,
        month=month,
        defaults={
            "households": row.households,
            "covered": row.households - row.uncovered,
            "visited_30": row.visited_30,
            "visited_90": row.visited_90,
            "visits": row.visits,
            "members": row.members,
            "members_outside_band": row.members_outside_band,
            "zones_uncovered": row.zones_uncovered,
            "buildings_uncovered": row.buildings_uncovered,
            "ended_without_successor": row.ended_without_successor,
        },
    )
    return report


def member_anonymise_for_resident(*, resident) -> int:
    """A resident anonymised on request (PIPL): the party members linked to that record lose the name and
    e-mail they kept of their own, in the rows and in their history.  Returns the members changed."""
    members = PartyMember.objects.filter(resident=resident)
    changed = members.update(name=resident.name, email="", updated_at=timezone.now())
    PartyMember.history.filter(resident_id=resident.pk).update(name=resident.name, email="")
    return changed
