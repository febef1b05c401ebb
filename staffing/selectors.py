"""Reads of the staffing app: lists, public score lists, composition and pay (constant query counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from community.models import Community
from community.scoping import Scope
from community.validators import mask_name

from .choices import (
    EDUCATION_LEVEL,
    IN_FORCE,
    CampaignKind,
    CampaignStatus,
    CertificateKind,
    Education,
    Origin,
    RulesStatus,
    Stage,
)
from .models import (
    Application,
    Campaign,
    CampaignNote,
    CampaignRules,
    Certificate,
    PayrollLine,
    PayrollRun,
    PayrollShare,
    PayScale,
    Post,
    StaffMember,
)

TECHNICAL_OR_ABOVE = [
    e for e in Education.values if EDUCATION_LEVEL[e] >= EDUCATION_LEVEL[Education.TECHNICAL_SECONDARY]
]
AGE_BANDS = [(0, 30, "≤30"), (31, 40, "31–40"), (41, 50, "41–50"), (51, 200, "≥51")]
YOUNG = (0, 40)  # "40 years old or younger": the seed's point that the reform brought younger staff
YOUNG_BAND = f"{YOUNG[0]}-{YOUNG[1]}"  # the roster's ``?age=`` value for them


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_q(on: dt.date, lo: int, hi: int) -> Q:
    """Aged ``lo`` to ``hi`` whole years on ``on``: one Q for the composition figures and the roster's age filter."""
    return Q(birth_date__gt=_years_before(on, hi + 1), birth_date__lte=_years_before(on, lo))


def application_list(*, user):
    """The application list every surface uses: scoped, its applicant, post and community joined."""
    return Application.objects.for_user(user).select_related("applicant", "post__community", "post__campaign")


def staff_list(*, user):
    """The roster, ordered (a GROUP BY query does not take the model's default ordering) so pages are stable."""
    return (
        StaffMember.objects.for_user(user)
        .select_related("community")
        .annotate(certificate_count=Count("certificates"))
        .order_by("community__code", "post", "name", "pk")
    )


def current_staff(*, scope: Scope | None, on: dt.date):
    return StaffMember.objects.for_scope(scope).filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))


@dataclass
class Composition:
    total: int = 0
    party_members: int = 0
    education: dict = field(default_factory=dict)
    technical_or_above: int = 0
    certificates: dict = field(default_factory=dict)
    ages: dict = field(default_factory=dict)
    young: int = 0  # aged 40 or younger (YOUNG)
    origins: dict = field(default_factory=dict)

    @property
    def party_share(self) -> Decimal:
        if not self.total:
            return Decimal("0")
        return (Decimal(self.party_members) * 100 / self.total).quantize(Decimal("0.1"))


def composition(*, scope: Scope | None, on: dt.date | None = None) -> Composition:
    """Party-member share, education, certificates, ages and origins of the roster on a day (four queries)."""
    on = on or timezone.localdate()
    staff = current_staff(scope=scope, on=on)
    bands = {f"age_{i}": Count("id", filter=age_q(on, lo, hi)) for i, (lo, hi, _label) in enumerate(AGE_BANDS)}
    head = staff.aggregate(
        total=Count("id"),
        party=Count("id", filter=Q(party_member=True)),
        young=Count("id", filter=age_q(on, *YOUNG)),
        **bands,
    )
    result = Composition(total=head["total"], party_members=head["party"], young=head["young"])
    result.education = dict.fromkeys(Education.values, 0)
    for row in staff.values("education").annotate(n=Count("id")):
        result.education[row["education"]] = row["n"]
    result.technical_or_above = sum(result.education[e] for e in TECHNICAL_OR_ABOVE)
    result.origins = dict.fromkeys(Origin.values, 0)
    result.ages = {label: head[f"age_{i}"] for i, (_lo, _hi, label) in enumerate(AGE_BANDS)}
    for row in staff.order_by().values("origin").annotate(n=Count("id")):
        result.origins[row["origin"]] = row["n"]
    result.certificates = dict.fromkeys(CertificateKind.values, 0)
    for row in (
        Certificate.objects.filter(staff__in=staff.values("pk"))
        .values("kind")
        .annotate(n=Count("staff", distinct=True))
    ):
        result.certificates[row["kind"]] = row["n"]
    return result


def composition_by_community(*, scope: Scope | None, on: dt.date | None = None) -> list[dict]:
    """One row per community in scope (two queries)."""
    on = on or timezone.localdate()
    communities = list(Community.objects.for_scope(scope).order_by("code").values("id", "name"))
    counts = {
        row["community_id"]: row
        for row in current_staff(scope=scope, on=on)
        .values("community_id")
        .annotate(
            total=Count("id"),
            party=Count("id", filter=Q(party_member=True)),
            technical=Count("id", filter=Q(education__in=TECHNICAL_OR_ABOVE)),
        )
    }
    return [
        {
            "community": c["id"],
            "name": c["name"],
            "total": counts.get(c["id"], {}).get("total", 0),
            "party_members": counts.get(c["id"], {}).get("party", 0),
            "technical_or_above": counts.get(c["id"], {}).get("technical", 0),
        }
        for c in communities
    ]


@dataclass
class CampaignFigures:
    applicants: int
    posts: int
    places: int
    hired: int


def campaign_figures(*, scope: Scope | None, kind: str) -> CampaignFigures:
    """Applicants, posts, places and hires of the campaigns of one kind in scope (two queries)."""
    apps = Application.objects.for_scope(scope).filter(post__campaign__kind=kind)
    row = apps.aggregate(applicants=Count("applicant", distinct=True), hired=Count("id", filter=Q(stage=Stage.HIRED)))
    posts = Post.objects.for_scope(scope).filter(campaign__kind=kind, cancelled=False)
    p = posts.aggregate(n=Count("id"), places=Sum("headcount"))
    return CampaignFigures(applicants=row["applicants"], posts=p["n"], places=p["places"] or 0, hired=row["hired"])


@dataclass
class PayFigures:
    current_scale: Decimal | None
    previous_scale: Decimal | None
    month: dt.date | None
    total: Decimal
    staff_paid: int
    shares: dict


def pay_figures(*, scope: Scope | None, county_id: int | None, on: dt.date) -> PayFigures:
    """The scale in force and the one before it, and the latest payroll month's total and payer shares."""
    scales = list(
        PayScale.objects.filter(county_id=county_id, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("monthly_amount", flat=True)[:2]
    )
    runs = PayrollRun.objects.for_scope(scope).filter(month__lte=on)
    latest = runs.order_by("-month").values_list("month", flat=True).first()
    total, staff_paid, shares = Decimal("0.00"), 0, {}
    if latest is not None:
        month_runs = runs.filter(month=latest)
        total = month_runs.aggregate(total=Sum("total"))["total"] or Decimal("0.00")
        staff_paid = PayrollLine.objects.filter(run__in=month_runs.values("pk")).count()
        for row in (
            PayrollShare.objects.filter(run__in=month_runs.values("pk"))
            .values("payer_kind")
            .annotate(amount=Sum("amount"))
        ):
            shares[row["payer_kind"]] = row["amount"]
    return PayFigures(
        current_scale=scales[0] if scales else None,
        previous_scale=scales[1] if len(scales) > 1 else None,
        month=latest,
        total=total,
        staff_paid=staff_paid,
        shares=shares,
    )


# --- public pages: exam numbers, masked names and scores only -------------------------------------


def public_campaigns():
    return Campaign.objects.exclude(status=CampaignStatus.DRAFT).select_related("town").order_by("-announced_on", "-id")


def public_campaign(pk: int) -> Campaign | None:
    return public_campaigns().prefetch_related("posts__community").filter(pk=pk).first()


def _text(value) -> str | None:
    """A score or a date as plain text, made once here rather than localized cell by cell in the template."""
    return None if value is None else str(value)


PUBLIC_COLUMNS = [
    "exam_number",
    "applicant__name",
    "post__title",
    "post__community__name",
    "written_score",
    "bonus",
    "interview_score",
    "composite_score",
    "rank",
    "stage",
    "publicity_end",
]


def _public_rows(apps) -> list[dict]:
    """The public rows: exam number, masked name, post, scores (text), stage — read as plain values, no models."""
    labels = {value: str(label) for value, label in Stage.choices}
    rows = []
    for app in apps.values(*PUBLIC_COLUMNS):
        written = app["written_score"]
        rows.append(
            {
                "exam_number": app["exam_number"],
                "name": mask_name(app["applicant__name"]),
                "post": f"{app['post__community__name']} {app['post__title']}",
                "written": _text(written),
                "bonus": _text(app["bonus"]),
                "written_total": None if written is None else _text(written + app["bonus"]),
                "interview": _text(app["interview_score"]),
                "composite": _text(app["composite_score"]),
                "rank": app["rank"],
                "stage": labels.get(app["stage"], app["stage"]),
                "publicity_end": app["publicity_end"],
            }
        )
    return rows


PUBLIC_SCORES_AT_ONCE = 500  # a longer list is shown post by post, so a phone never loads thousands of rows


def public_score_posts(campaign: Campaign) -> list[dict]:
    """The campaign's posts with how many published scores each has (one query), for the post picker."""
    return list(
        Post.objects.filter(campaign=campaign)
        .order_by("community__code", "id")
        .values("id", "title", "community__name")
        .annotate(scored=Count("applications", filter=Q(applications__written_score__isnull=False)))
    )


def public_scores(campaign: Campaign, *, post_id: int | None = None) -> dict:
    """The published written and interview score lists (nothing before publication), of one post or all.

    ``too_many`` says the whole campaign's list is longer than ``PUBLIC_SCORES_AT_ONCE`` and no post was
    chosen: the page then asks for a post instead of listing every applicant.
    """
    written, interview = [], []
    apps = Application.objects.filter(post__campaign=campaign)
    if post_id is not None:
        apps = apps.filter(post_id=post_id)
    elif campaign.scores_published and apps.filter(written_score__isnull=False).count() > PUBLIC_SCORES_AT_ONCE:
        return {"written": [], "interview": [], "too_many": True}
    if campaign.scores_published:
        written = _public_rows(
            apps.filter(written_score__isnull=False).order_by("post__community__code", "post_id", "exam_number")
        )
    if campaign.interview_published:
        interview = _public_rows(
            apps.filter(interview_score__isnull=False).order_by(
                "post__community__code", "post_id", "rank", "exam_number"
            )
        )
    return {"written": written, "interview": interview, "too_many": False}


def public_publicity(campaign: Campaign) -> list[dict]:
    """The publicity list: everyone publicised in this campaign (and what became of them)."""
    return _public_rows(
        Application.objects.filter(post__campaign=campaign, publicity_end__isnull=False).order_by(
            "post__community__code", "post_id", "rank"
        )
    )


def placement_results(campaign: Campaign) -> dict:
    if campaign.kind != CampaignKind.PLACEMENT:
        return {}
    counts = Application.objects.filter(post__campaign=campaign).aggregate(
        total=Count("id"), placed=Count("id", filter=Q(stage=Stage.HIRED))
    )
    return counts


def campaigns_of(*, scope: Scope | None, kind: str, on: dt.date):
    """Campaigns of one kind with posts in the scope, announced by ``on``, latest first (the dashboard's picker)."""
    posts = Post.objects.for_scope(scope).filter(campaign__kind=kind, campaign__announced_on__lte=on)
    return Campaign.objects.filter(pk__in=posts.values("campaign_id")).order_by("-announced_on", "-pk")


def latest_campaign(*, scope: Scope | None, kind: str, on: dt.date, chosen: int | None = None):
    """The campaign of one kind the scope's figures belong to: the one the official ``chosen``
    if it is among ``campaigns_of`` (one query), else the latest announced by ``on``."""
    campaigns = campaigns_of(scope=scope, kind=kind, on=on)
    if chosen is not None:
        picked = campaigns.filter(pk=chosen).first()
        if picked is not None:
            return picked
    return campaigns.first()


def campaign_figures_of(*, scope: Scope | None, campaign) -> CampaignFigures:
    """Applicants, posts, places and hires of ONE campaign in scope (never the sum of every campaign held)."""
    if campaign is None:
        return CampaignFigures(applicants=0, posts=0, places=0, hired=0)
    apps = Application.objects.for_scope(scope).filter(post__campaign=campaign)
    row = apps.aggregate(applicants=Count("applicant", distinct=True), hired=Count("id", filter=Q(stage=Stage.HIRED)))
    posts = Post.objects.for_scope(scope).filter(campaign=campaign, cancelled=False)
    p = posts.aggregate(n=Count("id"), places=Sum("headcount"))
    return CampaignFigures(applicants=row["applicants"], posts=p["n"], places=p["places"] or 0, hired=row["hired"])


def public_rule_versions(campaign: Campaign) -> list[CampaignRules]:
    """Every version of the rules since the announcement, newest first (one query); the first in force is
    marked ``in_force``."""
    versions = list(campaign.rule_versions.exclude(status=RulesStatus.DRAFT).order_by("-version"))
    current = next((v for v in versions if v.status in IN_FORCE), None)
    for version in versions:
        version.in_force = version is current
    return versions


def public_notes(campaign: Campaign) -> list[CampaignNote]:
    return list(campaign.notes.order_by("at", "id"))
