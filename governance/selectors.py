"""Reads of the governance app: the public board (notices merged with 财务公开 and recruitment publicity),
public meetings and election results, staff lists and dashboard figures — each in a constant number of queries.

Public reads never touch the confidential case records and never return a resident's name, ID or phone
(election results carry masked names, as every public list of the platform).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

from django.db.models import Avg, Count, Prefetch, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.masking import scrub_public_text
from community.models import Community
from community.validators import mask_name
from funding.models import Disclosure
from services.models import Evaluation
from staffing.models import Campaign

from .choices import CommitteePost, ElectionStatus, MeetingStatus, NoticeCategory
from .models import Candidate, DepartmentPlacement, Election, Meeting, Notice, Resolution

PUBLIC_RESULTS = (ElectionStatus.PUBLISHED, ElectionStatus.SEATED)
COUNTED = (ElectionStatus.COUNTED, ElectionStatus.PUBLISHED, ElectionStatus.SEATED)


@dataclass(frozen=True)
class BoardEntry:
    """One line of the public board, whatever it came from."""

    source: str  # notice | disclosure | publicity
    category: str
    title: str
    published_at: dt.datetime
    url: str
    community_name: str = ""
    community_code: str = ""
    pinned: bool = False
    summary: str = ""
    key: str = ""

    @property
    def category_label(self) -> str:
        return str(NoticeCategory(self.category).label)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _notice_entries(notices) -> list[BoardEntry]:
    return [
        BoardEntry(
            source="notice",
            category=n.category,
            title=scrub_public_text(n.title, phones=False),
            published_at=n.publish_at,
            url=reverse("governance:notice", kwargs={"code": n.community.code, "pk": n.pk}),
            community_name=n.community.name,
            community_code=n.community.code,
            pinned=n.pinned,
            summary=scrub_public_text(n.body, phones=False)[:140],
            key=f"notice-{n.pk}",
        )
        for n in notices
    ]


def _disclosure_entries(rows) -> list[BoardEntry]:
    return [
        BoardEntry(
            source="disclosure",
            category=NoticeCategory.FINANCE,
            title=_("Financial disclosure %(year)d Q%(quarter)d") % {"year": r["year"], "quarter": r["quarter"]},
            published_at=r["published_at"],
            url=reverse(
                "funding:disclosure",
                kwargs={"code": r["community__code"], "year": r["year"], "quarter": r["quarter"]},
            ),
            community_name=r["community__name"],
            community_code=r["community__code"],
            key=f"disclosure-{r['pk']}",
        )
        for r in rows
    ]


def _publicity_entries(rows) -> list[BoardEntry]:
    return [
        BoardEntry(
            source="publicity",
            category=NoticeCategory.AFFAIRS,
            title=_("Recruitment publicity: %(title)s") % {"title": r["title"]},
            published_at=_aware(r["publicity_start"]),
            url=reverse("staffing:publicity", kwargs={"pk": r["pk"]}),
            community_name=r.get("community_name", ""),
            community_code=r.get("community_code", ""),
            summary=_("Publicity until %(day)s.") % {"day": r["publicity_end"]} if r["publicity_end"] else "",
            key=f"publicity-{r['pk']}-{r.get('community_code', '')}",
        )
        for r in rows
    ]


def _merge(*lists: list[BoardEntry], limit: int | None) -> list[BoardEntry]:
    entries = [e for part in lists for e in part]
    entries.sort(key=lambda e: (not e.pinned, -e.published_at.timestamp(), e.key))
    return list(islice(entries, limit)) if limit is not None else entries


def public_notices(community: Community | None = None):
    queryset = (
        Notice.objects.published()
        .select_related("community")
        .only("id", "category", "title", "body", "publish_at", "pinned", "community__name", "community__code")
    )
    return queryset.filter(community=community) if community is not None else queryset


def board(*, community: Community, category: str | None = None, limit: int | None = None) -> list[BoardEntry]:
    """The community's public board: its published notices, 财务公开 snapshots and recruitment publicity lists.

    Three queries whatever the length; pinned notices first, then the newest.
    """
    notices = public_notices(community).order_by("-pinned", "-publish_at", "-id")
    disclosures = Disclosure.objects.filter(community=community, published_at__lte=timezone.now())
    campaigns = Campaign.objects.filter(posts__community=community, publicity_start__isnull=False).distinct()
    if category:
        notices = notices.filter(category=category)
        if category != NoticeCategory.FINANCE:
            disclosures = disclosures.none()
        if category != NoticeCategory.AFFAIRS:
            campaigns = campaigns.none()
    if limit is not None:
        notices, disclosures, campaigns = (
            notices[:limit],
            disclosures.order_by("-published_at")[:limit],
            (campaigns.order_by("-publicity_start")[:limit]),
        )
    rows = campaigns.values("pk", "title", "publicity_start", "publicity_end")
    publicity = [{**r, "community_name": community.name, "community_code": community.code} for r in rows]
    return _merge(
        _notice_entries(notices),
        _disclosure_entries(
            disclosures.values("pk", "year", "quarter", "published_at", "community__name", "community__code")
        ),
        _publicity_entries(publicity),
        limit=limit,
    )


def latest_public_notices(*, limit: int = 5) -> list[BoardEntry]:
    """The newest public items of every community, for the landing page (three queries)."""
    notices = public_notices().order_by("-publish_at", "-id")[:limit]
    disclosures = Disclosure.objects.filter(published_at__lte=timezone.now()).order_by("-published_at")[:limit]
    rows = (
        Campaign.objects.filter(publicity_start__isnull=False)
        .order_by("-publicity_start", "-pk")
        .values("pk", "title", "publicity_start", "publicity_end")[:limit]
    )
    entries = _merge(
        _notice_entries(notices),
        _disclosure_entries(
            disclosures.values("pk", "year", "quarter", "published_at", "community__name", "community__code")
        ),
        _publicity_entries(list(rows)),
        limit=None,
    )
    entries.sort(key=lambda e: (-e.published_at.timestamp(), e.key))
    return entries[:limit]


# --- public meetings and elections ------------------------------------------------------------


def public_meetings(*, community: Community):
    """Held meetings, with their agenda and the resolutions published to the board (no attendee names)."""
    published = Resolution.objects.filter(notice__in=Notice.objects.published()).order_by("number")
    return (
        Meeting.objects.filter(community=community, status=MeetingStatus.HELD)
        .prefetch_related("agenda", Prefetch("resolutions", queryset=published, to_attr="public_resolutions"))
        .order_by("-starts_at", "-id")
    )


def public_elections(*, community: Community):
    return Election.objects.filter(community=community, status__in=PUBLIC_RESULTS).order_by("-election_day", "-id")


def public_result(election: Election) -> list[dict]:
    """The candidates of a published election: masked name, post, votes, elected (one query)."""
    rows = (
        Candidate.objects.filter(election=election)
        .order_by("rank", "pk")
        .values("resident__name", "post", "votes", "rank", "elected", "party_member")
    )

    labels = dict(CommitteePost.choices)
    return [
        {
            "name": mask_name(r["resident__name"]),
            "post": str(labels.get(r["post"], r["post"])),
            "votes": r["votes"],
            "rank": r["rank"],
            "elected": r["elected"],
        }
        for r in rows
    ]


def public_communities():
    return Community.objects.select_related("town").order_by("code").only("id", "name", "code", "town__name")


# --- staff lists ------------------------------------------------------------------------------


def notice_list(*, user):
    return (
        Notice.objects.for_user(user)
        .select_related("community")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-pinned", "-publish_at", "-id")
    )


def meeting_list(*, user):
    return Meeting.objects.for_user(user).select_related("community")


def election_list(*, user):
    return Election.objects.for_user(user).select_related("community")


# --- dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GovernanceSummary:
    notices: int
    meetings: int
    meetings_quorate: int
    elections: int
    voters: int
    ballots: int

    @property
    def turnout(self) -> Decimal | None:
        if not self.voters:
            return None
        return (Decimal(self.ballots) * 100 / self.voters).quantize(Decimal("0.1"), ROUND_HALF_UP)


def summary(*, scope, period) -> GovernanceSummary:
    start = _aware(period.start).replace(hour=0)
    end = _aware(period.end + dt.timedelta(days=1)).replace(hour=0)
    notices = Notice.objects.for_scope(scope).filter(publish_at__gte=start, publish_at__lt=end).count()
    meetings = (
        Meeting.objects.for_scope(scope)
        .filter(status=MeetingStatus.HELD, starts_at__gte=start, starts_at__lt=end)
        .aggregate(held=Count("id"), quorate=Count("id", filter=Q(quorate=True)))
    )
    elections = (
        Election.objects.for_scope(scope)
        .filter(status__in=COUNTED, election_day__gte=period.start, election_day__lte=period.end)
        .aggregate(n=Count("id"), voters=Sum("voters"), ballots=Sum("ballots_cast"))
    )
    return GovernanceSummary(
        notices=notices,
        meetings=meetings["held"],
        meetings_quorate=meetings["quorate"],
        elections=elections["n"],
        voters=elections["voters"] or 0,
        ballots=elections["ballots"] or 0,
    )


# --- the departments' review ----------------------------------------------------------------------


def placements_by_department(*, scope, period) -> dict[int, int]:
    """Staff each department had placed in the scope's communities at some time during the period."""

    rows = (
        DepartmentPlacement.objects.for_scope(scope)
        .filter(start__lte=period.end)
        .filter(Q(end__isnull=True) | Q(end__gte=period.start))
        .values_list("department_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def evaluation_score_by_department(*, scope, period) -> dict[int, Decimal]:
    """Each department's average score in the scope's communities' evaluations of the period's years."""

    years = list(range(period.start.year, period.end.year + 1))
    rows = (
        Evaluation.objects.for_scope(scope)
        .filter(year__in=years)
        .values_list("department_id")
        .annotate(score=Avg("score"))
        .order_by()
    )
    return {pk: Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) for pk, score in rows}
