"""Residents' service requests, the 六进社区 department activities, units' shared facilities, events."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, DateTimeField, F, Q, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community import validators
from community.models import Building, Community, Department, Household, ResidentUnit, TimeStamped
from community.scoping import ScopedQuerySet

from .choices import (
    OPEN_STATUSES,
    ActivityKind,
    BookingStatus,
    Channel,
    CommitmentPeriod,
    CommunityEventKind,
    CommunityEventStatus,
    EventKind,
    FacilityKind,
    FulfilmentStatus,
    Grade,
    NotificationStatus,
    ObligationCategory,
    Rating,
    Status,
)
from .validators import validate_questions

# no 0/O, 1/I/L: easy to read out on the phone and to type on a phone keyboard
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12


def new_tracking_code() -> str:
    """An unguessable tracking code: 12 characters of 31 (≈ 59 bits) from ``secrets``."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def format_tracking_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_tracking_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


class CatalogueQuerySet(ScopedQuerySet):
    """The service catalogue is county-wide and public (no path): anyone with a scope reads all of it."""

    def active(self):
        return self.filter(active=True)


class ServiceCategory(TimeStamped):
    """A kind of request residents can make (also an Open311 service)."""

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Also the Open311 service_code."))
    name = models.CharField(_("name"), max_length=80)
    group = models.CharField(_("group"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="service_categories",
        verbose_name=_("owning department"),
    )
    accept_within_hours = models.PositiveIntegerField(
        _("accept within (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    resolve_within_days = models.PositiveIntegerField(
        _("finish within (days)"), default=7, validators=[MinValueValidator(1)]
    )
    paid = models.BooleanField(_("paid service"), default=False)
    price = models.DecimalField(_("price (yuan)"), max_digits=14, decimal_places=2, default=0)
    questions = models.JSONField(
        _("extra questions"),
        default=list,
        blank=True,
        help_text=_(
            'A list such as [{"code": "floor", "label": "Floor", "type": "number", "required": true}]; '
            'types: string, text, number, datetime, singlevaluelist, multivaluelist (with "values").'
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = CatalogueQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service catalogue")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="category_price_not_negative"),
            models.CheckConstraint(condition=Q(paid=True) | Q(price=0), name="category_free_has_no_price"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        validate_questions(self.questions)


def due_at_expression():
    """The deadline a request is working towards now: acceptance while submitted, completion while open; none
    once it is finished.  The triage list orders by it (``selectors.with_due``), on the ``request_due_order``
    index of this very expression."""
    return Case(
        When(status=Status.SUBMITTED, then=F("accept_due")),
        When(status__in=OPEN_STATUSES, then=F("resolve_due")),
        default=None,
        output_field=DateTimeField(),
    )


class ServiceRequest(TimeStamped):
    """服务诉求: what a resident asked the committee for, and how it went."""

    community_path = "community"
    department_path = "assigned_department"  # the liaison follows what is routed to the department

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="service_requests", verbose_name=_("community")
    )
    category = models.ForeignKey(ServiceCategory, models.PROTECT, related_name="requests", verbose_name=_("category"))
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True, default=new_tracking_code)
    token = models.UUIDField(_("Open311 token"), unique=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    building = models.ForeignKey(
        Building, models.PROTECT, null=True, blank=True, related_name="service_requests", verbose_name=_("building")
    )
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("household"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    answers = models.JSONField(_("answers to the extra questions"), default=dict, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=40)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[validators.validate_phone]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    accept_due = models.DateTimeField(_("accept by"))
    resolve_due = models.DateTimeField(_("finish by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_service_requests",
        verbose_name=_("assigned staff member"),
    )
    assigned_department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_service_requests",
        verbose_name=_("assigned department"),
    )
    assigned_party_member_id = models.PositiveBigIntegerField(_("assigned party member (id)"), null=True, blank=True)
    assigned_party_member_name = models.CharField(_("assigned party member"), max_length=60, blank=True)
    duplicate_of = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="duplicates", verbose_name=_("duplicate of")
    )
    reject_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    escalated_at = models.DateTimeField(_("escalated to the town at"), null=True, blank=True)
    fee = models.DecimalField(_("fee charged (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    fee_posted = models.BooleanField(_("fee posted to the ledger"), default=False)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "-submitted_at"], name="request_queue"),
            models.Index(fields=["status", "overdue"], name="request_status_overdue"),
            models.Index(fields=["category", "submitted_at"], name="request_category_time"),
            # the triage order (due first, finished last, newest first): a filtered list's first page is read in
            # order from here, never sorted from all the requests the filter leaves (a county's year: 340 -> 2 ms)
            models.Index(due_at_expression(), F("submitted_at").desc(), F("id").desc(), name="request_due_order"),
            # the rated requests by rating and time: a county's dissatisfied ones (1,800 of 100,000) are counted
            # and their dates drilled from here, not from every request (three scans, 75 -> 6 ms of SQL); the
            # requests not yet rated, most of them and every new one, stay out of it
            models.Index(fields=["rating", "submitted_at"], name="request_rating_time", condition=~Q(rating="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(fee__isnull=True) | Q(fee__gte=0), name="request_fee_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False), name="request_duplicate_has_original"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""), name="request_rejected_has_reason"
            ),
        ]
        permissions = [
            ("triage_servicerequest", _("Can triage, assign and close service requests")),
            ("escalate_servicerequest", _("Can escalate service requests to the town")),
            ("progress_servicerequest", _("Can record progress and replies on the requests in their care")),
            ("call_servicerequest", _("Can reveal a requester's phone, with a reason, to call them back")),
        ]

    def __str__(self):
        return f"{format_tracking_code(self.tracking_code)} {self.category}"

    @property
    def display_code(self) -> str:
        return format_tracking_code(self.tracking_code)

    @property
    def is_open(self) -> bool:

        return self.status in OPEN_STATUSES

    @property
    def masked_phone(self) -> str:
        return validators.mask_phone(self.contact_phone)


def photo_path(instance, filename):
    return f"services/requests/{instance.request.submitted_at:%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class RequestPhoto(models.Model):
    community_path = "request__community"
    department_path = "request__assigned_department"

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="photos", verbose_name=_("request"))
    image = models.ImageField(_("photo"), upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("request photo")
        verbose_name_plural = _("request photos")
        ordering = ["request", "id"]

    def __str__(self):
        return self.image.name


class RequestEvent(models.Model):
    """One line of a request's timeline: a transition, a note, a follow-up, a rating."""

    community_path = "request__community"
    department_path = "request__assigned_department"

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="events", verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    old_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown to the resident"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("request timeline entry")
        verbose_name_plural = _("request timeline")
        ordering = ["request", "at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.get_kind_display()}"


class FollowUp(models.Model):
    """回访: a call to the resident after resolution, recording satisfaction."""

    community_path = "request__community"
    department_path = "request__assigned_department"

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="follow_ups", verbose_name=_("request"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reached = models.BooleanField(_("resident reached"), default=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Rating.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    call = models.ForeignKey(
        "community.PersonalDataAccess",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phone revealed for the call"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reached=False) | ~Q(satisfaction=""), name="followup_reached_has_satisfaction"
            )
        ]

    def __str__(self):
        return f"{self.request_id} {self.at:%Y-%m-%d}"


class Notification(models.Model):
    """An e-mail to staff about a request; kept pending until sent, so nothing is lost when Redis is down."""

    community_path = "request__community"
    department_path = "request__assigned_department"

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="notifications", verbose_name=_("request"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("recipient")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="notification_pending")]

    def __str__(self):
        return self.subject


class Open311Client(TimeStamped):
    """An application allowed to POST requests through Open311 (its api_key)."""

    name = models.CharField(_("name"), max_length=100)
    api_key = models.CharField(_("API key"), max_length=64, unique=True, default=secrets.token_urlsafe)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self):
        return self.name


# --- 六进社区 -----------------------------------------------------------------------------


class Commitment(TimeStamped):
    """服务承诺: what a department promises a community for a year, e.g. a legal-aid session twice a month."""

    community_path = "community"
    department_path = "department"

    community = models.ForeignKey(Community, models.PROTECT, related_name="commitments", verbose_name=_("community"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="commitments", verbose_name=_("department"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("commitment"), max_length=200)
    times = models.PositiveSmallIntegerField(_("times"), default=1, validators=[MinValueValidator(1)])
    per = models.CharField(_("per"), max_length=8, choices=CommitmentPeriod.choices, default=CommitmentPeriod.MONTH)
    staff_assigned = models.PositiveSmallIntegerField(_("department staff placed in the community"), default=0)
    budget = models.DecimalField(_("working funds (yuan)"), max_digits=14, decimal_places=2, default=0)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service commitment")
        verbose_name_plural = _("service commitments")
        ordering = ["-year", "community", "department", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["community", "department", "year", "title"], name="commitment_unique"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="commitment_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.department} {self.year} {self.title}"

    @property
    def target(self) -> int:
        """Activities owed over the year."""
        return self.times * {"month": 12, "quarter": 4, "year": 1}[self.per]


class Activity(TimeStamped):
    """One 六进社区 activity a department held in a community."""

    community_path = "community"
    department_path = "department"

    community = models.ForeignKey(Community, models.PROTECT, related_name="activities", verbose_name=_("community"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="activities", verbose_name=_("department"))
    commitment = models.ForeignKey(
        Commitment,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("fulfils commitment"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    date = models.DateField(_("date"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    staff_involved = models.CharField(_("department staff involved"), max_length=300, blank=True)
    staff_count = models.PositiveSmallIntegerField(_("number of staff"), default=0)
    amount_spent = models.DecimalField(_("money spent (yuan)"), max_digits=14, decimal_places=2, default=0)
    fund = models.CharField(_("paid from fund"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("六进 activity")
        verbose_name_plural = _("六进 activities")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_spent__gte=0), name="activity_amount_not_negative"),
            models.CheckConstraint(condition=Q(amount_spent=0) | ~Q(fund=""), name="activity_spending_names_fund"),
        ]

    def __str__(self):
        return f"{self.date} {self.title}"

    def clean(self):

        errors = {}
        if (
            self.commitment_id
            and self.commitment
            and (
                self.commitment.community_id != self.community_id or self.commitment.department_id != self.department_id
            )
        ):
            errors["commitment"] = _("The commitment must be this department's commitment to this community.")
        if self.amount_spent and not self.fund:
            errors["fund"] = _("Say which fund the money came from.")
        if errors:
            raise ValidationError(errors)


def activity_photo_path(instance, filename):
    return f"services/activities/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class ActivityPhoto(models.Model):
    community_path = "activity__community"
    department_path = "activity__department"

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="photos", verbose_name=_("activity"))
    image = models.ImageField(_("photo"), upload_to=activity_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["activity", "id"]

    def __str__(self):
        return self.caption or self.image.name


class Evaluation(TimeStamped):
    """考评: a community's yearly evaluation of a department's work in it."""

    community_path = "community"
    department_path = "department"

    community = models.ForeignKey(Community, models.PROTECT, related_name="evaluations", verbose_name=_("community"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="evaluations", verbose_name=_("department"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    score = models.PositiveSmallIntegerField(_("score (0–100)"), validators=[MaxValueValidator(100)])
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    comment = models.TextField(_("comment"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department evaluation")
        verbose_name_plural = _("department evaluations")
        ordering = ["-year", "community", "department"]
        constraints = [
            models.UniqueConstraint(fields=["community", "department", "year"], name="evaluation_once_a_year"),
            models.CheckConstraint(condition=Q(score__lte=100), name="evaluation_score_at_most_100"),
        ]

    def __str__(self):
        return f"{self.community} {self.department} {self.year}"


# --- 资源共享: resident units' facilities ----------------------------------------------------


class Facility(TimeStamped):
    community_path = "unit__community"

    unit = models.ForeignKey(ResidentUnit, models.PROTECT, related_name="facilities", verbose_name=_("resident unit"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=FacilityKind.choices)
    description = models.TextField(_("description"), blank=True)
    opening_hours = models.CharField(_("opening times for residents"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    free = models.BooleanField(_("free of charge"), default=True)
    public = models.BooleanField(_("listed publicly"), default=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shared facility")
        verbose_name_plural = _("shared facilities")
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="facility_name_unique_in_unit")]

    def __str__(self):
        return f"{self.unit} {self.name}"


class FacilityBooking(TimeStamped):
    """A booking of a unit's facility for residents' use, and whether (and by how many) it was used."""

    community_path = "facility__unit__community"

    facility = models.ForeignKey(Facility, models.PROTECT, related_name="bookings", verbose_name=_("facility"))
    date = models.DateField(_("date"), db_index=True)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    organiser = models.CharField(_("organised by"), max_length=100, help_text=_("A group or team, not a person."))
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    attendees = models.PositiveIntegerField(_("people who came"), default=0)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facility booking")
        verbose_name_plural = _("facility bookings")
        ordering = ["-date", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_end_after_start")]

    def __str__(self):
        return f"{self.facility} {self.date} {self.start:%H:%M}"


# --- community events and residents' meetings ------------------------------------------------


class CommunityEvent(TimeStamped):
    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="community_events", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommunityEventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("location"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=10, choices=CommunityEventStatus.choices, default=CommunityEventStatus.SCHEDULED
    )
    public = models.BooleanField(_("listed publicly"), default=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    minutes = models.TextField(_("minutes or summary"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community event")
        verbose_name_plural = _("community events and meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(attendance__isnull=True) | Q(status="held"), name="event_attendance_only_when_held"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The event must end after it starts.")})


# --- 驻区单位的权利与义务: the duties a resident unit agreed, and each year's fulfilment ---------


class UnitObligation(TimeStamped):
    """A duty a resident unit agreed to as a member of the community (beside the facilities it opens)."""

    community_path = "unit__community"

    unit = models.ForeignKey(ResidentUnit, models.PROTECT, related_name="obligations", verbose_name=_("resident unit"))
    category = models.CharField(_("category"), max_length=16, choices=ObligationCategory.choices)
    duty = models.TextField(_("duty agreed"), max_length=1000)
    agreed_on = models.DateField(_("agreed on"))

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("resident unit's obligation")
        verbose_name_plural = _("resident units' obligations")
        ordering = ["unit", "category", "id"]

    def __str__(self):
        return f"{self.unit}: {self.duty[:40]}"


class ObligationFulfilment(TimeStamped):
    """How a unit fulfilled one of its duties in a year."""

    community_path = "obligation__unit__community"

    obligation = models.ForeignKey(
        UnitObligation, models.CASCADE, related_name="fulfilments", verbose_name=_("obligation")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(_("fulfilment"), max_length=14, choices=FulfilmentStatus.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("yearly fulfilment of an obligation")
        verbose_name_plural = _("yearly fulfilments of obligations")
        ordering = ["obligation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "year"], name="services_fulfilment_once_a_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="services_fulfilment_year_range"),
        ]

    def __str__(self):
        return f"{self.obligation} {self.year}: {self.get_status_display()}"

    def clean(self):

        if (
            self.year
            and self.obligation_id
            and self.obligation.agreed_on
            and self.year < self.obligation.agreed_on.year
        ):
            raise ValidationError(
                {"year": _("The duty was only agreed in %(year)s.") % {"year": self.obligation.agreed_on.year}}
            )
        if self.status and self.status != FulfilmentStatus.FULFILLED and not (self.note or "").strip():
            raise ValidationError({"note": _("Say what was not done.")})
