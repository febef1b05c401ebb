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

from .choices import EDUCATION_LEVEL, CampaignKind, CampaignStatus, CertificateKind, Education, Origin, Stage
from .models import (
    Application,
    Campaign,
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
    return StaffMember.objects.for_user_scope(scope).filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))


@dataclass
class Composition:
    total: int = 0
    party_members: int = 0
    education: dict = field(default_factory=dict)
    technical_or_above: int = 0
    certificates: dict = field(default_factory=dict)
    ages: dict = field(default_factory=dict)
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
    head = staff.aggregate(total=Count("id"), party=Count("id", filter=Q(party_member=True)))
    result = Composition(total=head["total"], party_members=head["party"])
    result.education = dict.fromkeys(Education.values, 0)
    for row in staff.values("education").annotate(n=Count("id")):
        result.education[row["education"]] = row["n"]
    result.technical_or_above = sum(result.education[e] for e in TECHNICAL_OR_ABOVE)
    result.origins = dict.fromkeys(Origin.values, 0)
    result.ages = {label: 0 for _lo, _hi, label in AGE_BANDS}
    for row in staff.values("origin", "birth_date"):
        result.origins[row["origin"]] += 1
        b = row["birth_date"]
        age = on.year - b.year - ((on.month, on.day) < (b.month, b.day))
        for lo, hi, label in AGE_BANDS:
            if lo <= age <= hi:
                result.ages[label] += 1
                break
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
    communities = list(Community.objects.for_user_scope(scope).order_by("code").values("id", "name"))
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
    apps = Application.objects.for_user_scope(scope).filter(post__campaign__kind=kind)
    row = apps.aggregate(applicants=Count("applicant", distinct=True), hired=Count("id", filter=Q(stage=Stage.HIRED)))
    from .models import Post

    posts = Post.objects.for_user_scope(scope).filter(campaign__kind=kind, cancelled=False)
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
    runs = PayrollRun.objects.for_user_scope(scope).filter(month__lte=on)
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
