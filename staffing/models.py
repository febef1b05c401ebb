"""Staff: recruitment and placement campaigns, applications and scores, the roster, pay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community import validators
from community.models import Community, County, Town
from community.scoping import ScopedQuerySet

from .calendar_models import CalendarYear, WorkdayOverride  # noqa: F401  (the calendar table)
from .choices import (
    CampaignKind,
    CampaignStatus,
    CertificateKind,
    Education,
    ObjectionStatus,
    Origin,
    Payer,
    PayrollStatus,
    RefillPolicy,
    RulesStatus,
    ScoreKind,
    StaffPost,
    Stage,
    TieBreak,
)

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
DEFAULT_TIE_BREAK = [TieBreak.INTERVIEW, TieBreak.WRITTEN, TieBreak.EXAM_NUMBER]


def default_tie_break():
    return [str(t) for t in DEFAULT_TIE_BREAK]


class Campaign(models.Model):
    """招考方案 / 竞争上岗方案: run by a town's organisation office."""

    town_path = "town"
    shared_down = True  # the town\'s communities read what the town runs

    town = models.ForeignKey(Town, models.PROTECT, related_name="staffing_campaigns", verbose_name=_("town"))
    kind = models.CharField(_("kind"), max_length=12, choices=CampaignKind.choices, default=CampaignKind.RECRUITMENT)
    title = models.CharField(_("title"), max_length=120)
    announcement = models.TextField(_("announcement (公告)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT, editable=False
    )
    announced_on = models.DateField(_("announced on"), null=True, blank=True, editable=False)
    scores_published = models.BooleanField(_("written scores published"), default=False, editable=False)
    interview_published = models.BooleanField(_("interview scores published"), default=False, editable=False)
    publicity_start = models.DateField(_("publicity starts"), null=True, blank=True, editable=False)
    publicity_end = models.DateField(_("publicity ends"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["town", "title"], name="staffing_campaign_title_unique")]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status != CampaignStatus.DRAFT


class CampaignRules(models.Model):
    """One version of a campaign's rules; frozen when the announcement is published."""

    town_path = "campaign__town"
    shared_down = True  # the town\'s communities read what the town runs

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="rule_versions", verbose_name=_("campaign"))
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    reason = models.CharField(_("reason for this version"), max_length=200, blank=True)
    frozen = models.BooleanField(_("frozen"), default=False, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RulesStatus.choices,
        default=RulesStatus.DRAFT,
        db_default=RulesStatus.ADOPTED,  # bulk loaders (COPY) write announced, frozen rules
        editable=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("correction decided by"),
    )
    approved_at = models.DateTimeField(_("correction decided at"), null=True, blank=True, editable=False)
    opening_ratio = models.DecimalField(
        _("opening ratio (开考比例)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("Eligible applicants needed per place for a post to be examined."),
    )
    written_pass_line = models.DecimalField(
        _("written exam pass line"), max_digits=5, decimal_places=2, default=Decimal("60"), validators=SCORE_VALIDATORS
    )
    interview_ratio = models.PositiveSmallIntegerField(
        _("interview entry ratio (1:n)"), default=3, validators=[MinValueValidator(1)]
    )
    interview_pass_mark = models.DecimalField(
        _("interview pass mark"), max_digits=5, decimal_places=2, default=Decimal("60"), validators=SCORE_VALIDATORS
    )
    interview_pass_mark_uncontested = models.DecimalField(
        _("interview pass mark where a post has no competition"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=SCORE_VALIDATORS,
    )
    written_weight = models.DecimalField(
        _("written exam weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.40"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    interview_weight = models.DecimalField(
        _("interview weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    bonus_cap = models.DecimalField(
        _("bonus points cap"), max_digits=4, decimal_places=2, default=Decimal("5"), validators=SCORE_VALIDATORS
    )
    bonus_cumulative = models.BooleanField(
        _("bonus points add up"), default=False, help_text=_("Off: only the highest single bonus counts.")
    )
    tie_break = models.JSONField(
        _("tie-break chain"),
        default=default_tie_break,
        help_text=_("Applied in order after the composite score; the exam number always ends the chain."),
    )
    refill_policy = models.CharField(
        _("refill policy (递补)"), max_length=12, choices=RefillPolicy.choices, default=RefillPolicy.NEXT_RANKED
    )
    publicity_working_days = models.PositiveSmallIntegerField(
        _("publicity period (working days)"), default=5, validators=[MinValueValidator(1)]
    )
    probation_months = models.PositiveSmallIntegerField(_("probation (months)"), default=3)
    panel_size = models.PositiveSmallIntegerField(
        _("examiners per panel"), default=7, validators=[MinValueValidator(3), MaxValueValidator(15)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign rules")
        verbose_name_plural = _("campaign rules")
        ordering = ["campaign", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="staffing_rules_version_unique"),
            models.CheckConstraint(
                condition=Q(written_weight__gte=0) & Q(interview_weight__gte=0),
                name="staffing_rules_weights_positive",
            ),
            models.CheckConstraint(
                condition=Q(frozen=True, status__in=[RulesStatus.ADOPTED, RulesStatus.REJECTED])
                | Q(frozen=False, status__in=[RulesStatus.DRAFT, RulesStatus.PROPOSED]),
                name="staffing_rules_frozen_status",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} v{self.version}"


class CampaignNote(models.Model):
    """A note on a campaign's public record (e.g. a recusal recorded after scoring, during publicity)."""

    town_path = "campaign__town"
    shared_down = True  # the town\'s communities read what the town runs

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="notes", verbose_name=_("campaign"))
    on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("public note")
        verbose_name_plural = _("public notes")
        ordering = ["campaign", "at", "id"]

    def __str__(self):
        return f"{self.campaign} {self.on}"


class Post(models.Model):
    """A post on offer in a campaign, in one community, with its conditions."""

    community_path = "community"

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="posts", verbose_name=_("campaign"))
    community = models.ForeignKey(Community, models.PROTECT, related_name="staffing_posts", verbose_name=_("community"))
    title = models.CharField(_("post"), max_length=60)
    staff_post = models.CharField(
        _("roster post"), max_length=12, choices=StaffPost.choices, default=StaffPost.FULLTIME
    )
    headcount = models.PositiveSmallIntegerField(_("places"), default=1, validators=[MinValueValidator(1)])
    min_education = models.CharField(
        _("minimum education"), max_length=20, choices=Education.choices, default=Education.SENIOR_HIGH
    )
    max_age = models.PositiveSmallIntegerField(_("age limit"), null=True, blank=True)
    local_registration_required = models.BooleanField(_("local household registration required"), default=False)
    other_conditions = models.TextField(_("other conditions"), blank=True)
    cancelled = models.BooleanField(_("cancelled for too few applicants"), default=False, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["campaign", "community", "title"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "community", "title"], name="staffing_post_unique"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="staffing_post_headcount_positive"),
        ]

    def __str__(self):
        return f"{self.community} {self.title}"


class Applicant(models.Model):
    """A person applying in one campaign: one per ID number per campaign."""

    town_path = "campaign__town"
    shared_down = True  # the town\'s communities read what the town runs

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="applicants", verbose_name=_("campaign"))
    name = models.CharField(_("name"), max_length=40)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validators.validate_id_number])
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validators.validate_phone])
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    local_registration = models.BooleanField(_("local household registration"), default=True)
    party_member = models.BooleanField(_("party member"), default=False)
    computer_certificate = models.BooleanField(_("computer qualification certificate"), default=False)
    incumbent = models.ForeignKey(
        "StaffMember",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="placement_applicants",
        verbose_name=_("incumbent roster entry"),
        help_text=_("For competitive placement: the roster entry of the incumbent."),
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "id_number"], name="staffing_one_applicant_per_id"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number = validators.normalise_id_number(self.id_number)
        self.birth_date = validators.id_birth_date(self.id_number)
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return validators.mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return validators.mask_phone(self.phone)

    def age_on(self, on: dt.date) -> int:
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


class Application(models.Model):
    """One applicant's application to one post, moving through the stages."""

    community_path = "post__community"

    applicant = models.ForeignKey(Applicant, models.PROTECT, related_name="applications", verbose_name=_("applicant"))
    post = models.ForeignKey(Post, models.PROTECT, related_name="applications", verbose_name=_("post"))
    exam_number = models.CharField(_("exam number"), max_length=20)
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.REGISTERED, editable=False, db_index=True
    )
    exit_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True, editable=False)
    written_score = models.DecimalField(
        _("written exam score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        validators=SCORE_VALIDATORS,
    )
    bonus = models.DecimalField(
        _("bonus points counted"), max_digits=5, decimal_places=2, default=Decimal("0"), editable=False
    )
    interview_score = models.DecimalField(
        _("interview score"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    composite_score = models.DecimalField(
        _("composite score"), max_digits=6, decimal_places=2, null=True, blank=True, editable=False
    )
    rank = models.PositiveIntegerField(_("rank in post"), null=True, blank=True, editable=False)
    stage_date = models.DateField(_("stage reached on"), null=True, blank=True, editable=False)
    publicity_end = models.DateField(_("publicity ends"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["post", "exam_number"]
        indexes = [models.Index(fields=["post", "stage"], name="staffing_app_post_stage")]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "post"], name="staffing_one_application_per_post"),
            models.UniqueConstraint(fields=["post", "exam_number"], name="staffing_exam_number_unique"),
            models.CheckConstraint(
                condition=Q(written_score__isnull=True) | Q(written_score__gte=0, written_score__lte=100),
                name="staffing_written_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.exam_number} {self.applicant}"

    @property
    def written_total(self) -> Decimal | None:
        if self.written_score is None:
            return None
        return self.written_score + self.bonus


class StageChange(models.Model):
    """Every transition of an application: from, to, who, when, why."""

    community_path = "application__post__community"

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="stage_changes", verbose_name=_("application")
    )
    old = models.CharField(_("from"), max_length=12, choices=Stage.choices)
    new = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    on = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["application", "at", "id"]

    def __str__(self):
        return f"{self.application}: {self.old} → {self.new}"


class BonusPoint(models.Model):
    """加分: a bonus an applicant is entitled to (capped; non-cumulative unless the rules say so)."""

    community_path = "application__post__community"

    application = models.ForeignKey(Application, models.CASCADE, related_name="bonuses", verbose_name=_("application"))
    reason = models.CharField(_("ground"), max_length=100)
    points = models.DecimalField(
        _("points"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("20"))],
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bonus points")
        verbose_name_plural = _("bonus points")
        ordering = ["application", "id"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="staffing_bonus_positive")]

    def __str__(self):
        return f"{self.reason} +{self.points}"


class Examiner(models.Model):
    """An interview (or speech) panel member of a campaign."""

    town_path = "campaign__town"
    shared_down = True  # the town\'s communities read what the town runs

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="examiners", verbose_name=_("campaign"))
    name = models.CharField(_("name"), max_length=40)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("examiner")
        verbose_name_plural = _("examiners")
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="staffing_examiner_unique")]

    def __str__(self):
        return self.name


class ExaminerRelation(models.Model):
    """回避: an examiner's declared relation to an applicant; the examiner cannot score them."""

    town_path = "examiner__campaign__town"
    shared_down = True  # the town\'s communities read what the town runs

    examiner = models.ForeignKey(Examiner, models.CASCADE, related_name="relations", verbose_name=_("examiner"))
    applicant = models.ForeignKey(
        Applicant, models.CASCADE, related_name="examiner_relations", verbose_name=_("applicant")
    )
    relation = models.CharField(_("relation"), max_length=60)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("declared relation (recusal)")
        verbose_name_plural = _("declared relations (recusal)")
        constraints = [models.UniqueConstraint(fields=["examiner", "applicant"], name="staffing_relation_unique")]

    def __str__(self):
        return f"{self.examiner} ~ {self.applicant}: {self.relation}"


class InterviewScore(models.Model):
    """One examiner's interview (or speech/answer) score of one application, out of 100."""

    community_path = "application__post__community"

    application = models.ForeignKey(
        Application, models.PROTECT, related_name="interview_scores", verbose_name=_("application")
    )
    examiner = models.ForeignKey(Examiner, models.PROTECT, related_name="scores", verbose_name=_("examiner"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("interview score")
        verbose_name_plural = _("interview scores")
        ordering = ["application", "examiner"]
        constraints = [
            models.UniqueConstraint(fields=["application", "examiner"], name="staffing_one_score_per_examiner"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="staffing_interview_score_range"),
        ]

    def __str__(self):
        return f"{self.examiner}: {self.score}"


class ScoreCorrection(models.Model):
    """A correction of a published score: old, new, why, who, when."""

    community_path = "application__post__community"

    application = models.ForeignKey(
        Application, models.PROTECT, related_name="corrections", verbose_name=_("application")
    )
    kind = models.CharField(_("score"), max_length=10, choices=ScoreKind.choices)
    examiner = models.ForeignKey(
        Examiner, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("examiner")
    )
    old = models.DecimalField(_("old score"), max_digits=5, decimal_places=2)
    new = models.DecimalField(_("new score"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("score correction")
        verbose_name_plural = _("score corrections")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.application}: {self.old} → {self.new}"


class Objection(models.Model):
    """An objection lodged during publicity; it must be resolved before anyone is hired."""

    town_path = "campaign__town"
    shared_down = True  # the town\'s communities read what the town runs

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="objections", verbose_name=_("campaign"))
    exam_number = models.CharField(_("exam number objected to"), max_length=20, blank=True)
    text = models.TextField(_("objection"))
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN, editable=False
    )
    resolution = models.TextField(_("resolution"), blank=True, editable=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-lodged_at"]

    def __str__(self):
        return f"{self.campaign}: {self.exam_number or '-'}"


class StaffMember(models.Model):
    """社区工作者: one person on a community's roster."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="staff", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=40)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validators.validate_id_number])
    birth_date = models.DateField(_("birth date"), editable=False)
    post = models.CharField(_("post"), max_length=12, choices=StaffPost.choices, default=StaffPost.FULLTIME)
    party_member = models.BooleanField(_("party member"), default=False)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    origin = models.CharField(_("came from"), max_length=12, choices=Origin.choices, default=Origin.OTHER)
    source_application = models.OneToOneField(
        Application,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_member",
        verbose_name=_("from application"),
        editable=False,
    )
    start = models.DateField(_("in post since"))
    end = models.DateField(_("left on"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community worker")
        verbose_name_plural = _("community workers (roster)")
        ordering = ["community", "post", "name"]
        indexes = [models.Index(fields=["community", "end"], name="staffing_staff_current")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="staffing_staff_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["id_number"], condition=Q(end__isnull=True), name="staffing_staff_one_current_post"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number = validators.normalise_id_number(self.id_number)
        self.birth_date = validators.id_birth_date(self.id_number)
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return validators.mask_id_number(self.id_number)


class Certificate(models.Model):
    community_path = "staff__community"

    staff = models.ForeignKey(StaffMember, models.CASCADE, related_name="certificates", verbose_name=_("worker"))
    kind = models.CharField(_("certificate"), max_length=12, choices=CertificateKind.choices)
    obtained = models.DateField(_("obtained"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["staff", "kind"]
        constraints = [models.UniqueConstraint(fields=["staff", "kind"], name="staffing_certificate_unique")]

    def __str__(self):
        return self.get_kind_display()


class PayScale(models.Model):
    """The monthly pay of a community worker in a county, from a date on (220 → 500 yuan)."""

    county_path = "county"
    shared_down = True  # every office of the county reads the pay scale; the county sets it

    county = models.ForeignKey(County, models.PROTECT, related_name="pay_scales", verbose_name=_("county"))
    monthly_amount = models.DecimalField(
        _("monthly pay"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pay scale")
        verbose_name_plural = _("pay scales")
        ordering = ["county", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["county", "effective_from"], name="staffing_payscale_unique"),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="staffing_payscale_positive"),
        ]

    def __str__(self):
        return f"{self.monthly_amount} ({self.effective_from})"


class PayrollRun(models.Model):
    """One month's pay of one community's roster: idempotent per (community, month)."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="payroll_runs", verbose_name=_("community"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    total = models.DecimalField(_("total pay"), max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=10, choices=PayrollStatus.choices, default=PayrollStatus.COMPUTED)
    ledger_reference = models.CharField(_("ledger reference"), max_length=60, unique=True)
    journal_entry_id = models.BigIntegerField(_("journal entry"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")
        ordering = ["-month", "community"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="staffing_payroll_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="staffing_payroll_month_first_day"),
        ]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m}"


class PayrollLine(models.Model):
    community_path = "run__community"

    run = models.ForeignKey(PayrollRun, models.CASCADE, related_name="lines", verbose_name=_("payroll run"))
    staff = models.ForeignKey(StaffMember, models.PROTECT, related_name="pay_lines", verbose_name=_("worker"))
    amount = models.DecimalField(_("pay"), max_digits=14, decimal_places=2)
    county_share = models.DecimalField(_("county pays"), max_digits=14, decimal_places=2)
    town_share = models.DecimalField(_("town pays"), max_digits=14, decimal_places=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payroll line")
        verbose_name_plural = _("payroll lines")
        ordering = ["run", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["run", "staff"], name="staffing_payroll_line_unique"),
            models.CheckConstraint(
                condition=Q(amount=models.F("county_share") + models.F("town_share")),
                name="staffing_payroll_line_split_whole",
            ),
        ]

    def __str__(self):
        return f"{self.staff} {self.amount}"


class PayrollShare(models.Model):
    """What one payer owes for one payroll run (the cost split of its total, to the cent)."""

    community_path = "run__community"

    run = models.ForeignKey(PayrollRun, models.CASCADE, related_name="shares", verbose_name=_("payroll run"))
    payer = models.CharField(_("payer"), max_length=60)
    payer_kind = models.CharField(_("payer level"), max_length=8, choices=Payer.choices)
    basis_points = models.PositiveIntegerField(_("share (basis points)"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payer share")
        verbose_name_plural = _("payer shares")
        ordering = ["run", "-basis_points"]
        constraints = [models.UniqueConstraint(fields=["run", "payer_kind"], name="staffing_share_unique")]

    def __str__(self):
        return f"{self.payer}: {self.amount}"
