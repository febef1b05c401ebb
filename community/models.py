"""The community core: county → town → community → zone → building → household → resident."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pypinyin import lazy_pinyin
from simple_history.models import HistoricalRecords

from . import validators
from .choices import (
    DepartmentCode,
    Gender,
    Relation,
    ResidenceType,
    ScopeLevel,
    TownKind,
    UnitKind,
)
from .scoping import ScopedQuerySet
from .unit_columns import column as unit_column

# Surnames whose reading differs from the character's everyday one (单 shan, 曾 zeng, ...).
SURNAME_PINYIN = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "盖": "ge",
    "缪": "miao",
    "秘": "bi",
    "召": "shao",
    "种": "chong",
    "燕": "yan",
    "繁": "po",
    "员": "yun",
    "祭": "zhai",
    "尉": "yu",
}


def name_pinyin(name: str) -> tuple[str, str]:
    """The full pinyin and the initials of a name, lower case without tones: 张三 → ("zhangsan", "zs").

    Letters and digits in the name are kept as they are (lower-cased); anything else is dropped.
    """

    name = (name or "").strip()
    syllables = lazy_pinyin(name, errors=lambda chars: [c for c in chars.lower() if c.isascii() and c.isalnum()])
    if name and name[0] in SURNAME_PINYIN and syllables:
        syllables[0] = SURNAME_PINYIN[name[0]]
    syllables = [s.lower() for s in syllables if s]
    return "".join(syllables)[:240], "".join(s[0] for s in syllables)[:40]


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class County(TimeStamped):
    county_path = ""
    shared_down = True  # everyone of the county reads its row

    name = models.CharField(_("name"), max_length=60, unique=True)
    code = models.CharField(_("administrative code"), max_length=12, unique=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Town(TimeStamped):
    town_path = ""
    county_path = "county"
    shared_down = True  # a community reads its town; a department the county's towns

    county = models.ForeignKey(County, models.PROTECT, related_name="towns", verbose_name=_("county"))
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=TownKind.choices, default=TownKind.TOWN)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="town_name_unique_in_county")]

    def __str__(self):
        return self.name


class Community(TimeStamped):
    community_path = ""
    county_path = "town__county"
    shared_down = (ScopeLevel.DEPARTMENT,)  # a liaison works in every community of the county

    town = models.ForeignKey(Town, models.PROTECT, related_name="communities", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=16, unique=True, help_text=_("Also the Open311 jurisdiction id."))
    address = models.CharField(_("office address"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=20, blank=True, validators=[validators.validate_phone])
    established = models.DateField(_("established"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = pgettext_lazy("model", "communities")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="community_name_unique_in_town")]

    def __str__(self):
        return self.name


class Zone(TimeStamped):
    """片区 / 网格: a grid of a community."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="zones", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=60)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = pgettext_lazy("model", "zones")
        ordering = ["community", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="zone_name_unique_in_community")]

    def __str__(self):
        return f"{self.community} {self.name}"


class Building(TimeStamped):
    community_path = "zone__community"

    zone = models.ForeignKey(Zone, models.PROTECT, related_name="buildings", verbose_name=_("zone"))
    name = models.CharField(_("name"), max_length=60)
    address = models.CharField(_("address"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = pgettext_lazy("model", "buildings")
        ordering = ["zone", "name"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="building_name_unique_in_zone")]

    def __str__(self):
        return f"{self.zone} {self.name}"


class Household(TimeStamped):
    community_path = "building__zone__community"
    unit_columns = ("community", "town")

    building = models.ForeignKey(Building, models.PROTECT, related_name="households", verbose_name=_("building"))
    community = unit_column(Community, _("community"))
    town = unit_column(Town, _("town"))
    number = models.CharField(_("door number"), max_length=20, help_text=_("Unit and room, e.g. 2-301."))
    phone = models.CharField(_("contact phone"), max_length=20, blank=True, validators=[validators.validate_phone])
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["community", "town"])

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = pgettext_lazy("model", "households")
        ordering = ["building", "number"]
        indexes = [
            models.Index(fields=["community", "id"], name="household_community_key"),
            models.Index(fields=["town", "id"], name="household_town_key"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="household_number_unique_in_building")
        ]
        permissions = [("export_household", _("Can export households"))]

    def __str__(self):
        return f"{self.building} {self.number}"


class ResidentQuerySet(ScopedQuerySet):
    def vulnerable(self):
        return self.filter(
            Q(elderly_alone=True)
            | Q(low_income=True)
            | Q(disabled=True)
            | Q(special_care=True)
            | Q(left_behind_child=True)
        )

    def current(self):
        return self.filter(moved_out__isnull=True)


class Resident(TimeStamped):
    community_path = "household__building__zone__community"
    unit_columns = ("community", "town")

    household = models.ForeignKey(Household, models.PROTECT, related_name="residents", verbose_name=_("household"))
    community = unit_column(Community, _("community"))
    town = unit_column(Town, _("town"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validators.validate_id_number])
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validators.validate_phone])
    relation = models.CharField(
        _("relation to the head"), max_length=12, choices=Relation.choices, default=Relation.HEAD
    )
    residence_type = models.CharField(
        _("residence type"), max_length=12, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    moved_in = models.DateField(_("moved in"), null=True, blank=True)
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    elderly_alone = models.BooleanField(_("elderly living alone"), default=False)
    low_income = models.BooleanField(_("minimum living allowance (低保)"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    special_care = models.BooleanField(_("entitled group (优抚)"), default=False)
    left_behind_child = models.BooleanField(_("left-behind child"), default=False)
    anonymised = models.BooleanField(_("anonymised"), default=False, editable=False)
    # derived from the name (kept by save()) so that 张三 is found by "zs" or "zhangsan"
    name_pinyin = models.CharField(_("name in pinyin"), max_length=240, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=40, blank=True, editable=False, db_index=True)

    objects = ResidentQuerySet.as_manager()
    # the pinyin is left out of the history: an anonymised resident keeps no trace of the old name
    history = HistoricalRecords(excluded_fields=["updated_at", "name_pinyin", "name_initials", "community", "town"])

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["household", "moved_out"], name="resident_household_current"),
            models.Index(fields=["community", "id"], name="resident_community_key"),
            models.Index(fields=["town", "id"], name="resident_town_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_out__isnull=True) | Q(moved_in__isnull=True) | Q(moved_out__gte=models.F("moved_in")),
                name="resident_moved_out_after_moved_in",
            )
        ]
        permissions = [
            ("reveal_personal_data", _("Can see full ID numbers and phones")),
            ("export_resident", _("Can export residents")),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.id_number and not self.anonymised:
            self.id_number = validators.normalise_id_number(self.id_number)
            self.gender = validators.id_gender(self.id_number)
            self.birth_date = validators.id_birth_date(self.id_number)
        self.set_derived_name_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    def set_derived_name_fields(self) -> None:
        """Fill the pinyin search fields from the name (bulk paths call this before bulk_create)."""
        if self.anonymised:
            self.name_pinyin, self.name_initials = "", ""
        else:
            self.name_pinyin, self.name_initials = name_pinyin(self.name)

    def clean(self):
        if self.id_number:
            self.id_number = validators.normalise_id_number(self.id_number)
        if self.phone:
            self.phone = validators.normalise_phone(self.phone)
        if self.moved_in and self.moved_out and self.moved_out < self.moved_in:
            raise ValidationError({"moved_out": _("The move-out date cannot be before the move-in date.")})

    @property
    def masked_id_number(self) -> str:
        return validators.mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return validators.mask_phone(self.phone)

    @property
    def is_vulnerable(self) -> bool:
        return any([self.elderly_alone, self.low_income, self.disabled, self.special_care, self.left_behind_child])


class Residence(models.Model):
    """Where a resident lived, and as what: moves are kept as history rather than overwritten."""

    community_path = "household__building__zone__community"

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="residences", verbose_name=_("resident"))
    household = models.ForeignKey(Household, models.PROTECT, related_name="residences", verbose_name=_("household"))
    residence_type = models.CharField(_("residence type"), max_length=12, choices=ResidenceType.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("residence period")
        verbose_name_plural = _("residence periods")
        ordering = ["resident", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="residence_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["resident"], condition=Q(end__isnull=True), name="residence_one_open_period"
            ),
        ]

    def __str__(self):
        return f"{self.resident} @ {self.household}"


class Department(TimeStamped):
    """职能部门: a county department that works in the communities."""

    county_path = "county"
    department_path = ""
    shared_down = True  # every office of the county routes work to its departments

    county = models.ForeignKey(County, models.PROTECT, related_name="departments", verbose_name=_("county"))
    code = models.CharField(_("code"), max_length=32, choices=DepartmentCode.choices)
    name = models.CharField(_("name"), max_length=60)
    duties = models.TextField(_("duties in the communities"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["county", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="department_code_unique_in_county")]

    def __str__(self):
        return self.name


class ResidentUnit(TimeStamped):
    """驻区单位: an organisation located in a community and a member of it."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="resident_units", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    member_since = models.DateField(_("member since"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[validators.validate_phone]
    )
    duties = models.TextField(_("rights and duties as a member"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resident unit")
        verbose_name_plural = _("resident units")
        ordering = ["community", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="unit_name_unique_in_community")]

    def __str__(self):
        return self.name


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    """Django's user manager, with the one scope rule (``restrict``) on its querysets."""


class User(AbstractUser):
    """A person who signs in; the scope decides which communities' rows they reach."""

    # accounts are managed within the scope they belong to
    community_path = "community"
    town_path = "town"
    county_path = "county"
    department_path = "department"

    scope_level = models.CharField(_("scope"), max_length=12, choices=ScopeLevel.choices, blank=True)
    county = models.ForeignKey(County, models.PROTECT, null=True, blank=True, verbose_name=_("county"))
    town = models.ForeignKey(Town, models.PROTECT, null=True, blank=True, verbose_name=_("town"))
    community = models.ForeignKey(Community, models.PROTECT, null=True, blank=True, verbose_name=_("community"))
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, verbose_name=_("department"))
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validators.validate_phone])

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope_level="")
                | Q(scope_level="county", county__isnull=False)
                | Q(scope_level="town", town__isnull=False, county__isnull=False)
                | Q(scope_level="community", community__isnull=False, town__isnull=False, county__isnull=False)
                | Q(scope_level="department", department__isnull=False, county__isnull=False),
                name="user_scope_complete",
            )
        ]

    def clean(self):
        super().clean()
        # fill the parents of the chosen scope so the constraint holds
        if self.community_id and not self.town_id:
            self.town = self.community.town
        if self.town_id and not self.county_id:
            self.county = self.town.county
        if self.department_id and not self.county_id:
            self.county = self.department.county


class PersonalDataAccess(models.Model):
    """PIPL access log: every reveal of a full ID number or phone, and every export of personal data."""

    # an access is seen where the account that made it is managed
    community_path = "user__community"
    town_path = "user__town"
    county_path = "user__county"
    department_path = "user__department"

    class Kind(models.TextChoices):
        REVEAL = "reveal", _("Reveal")
        EXPORT = "export", _("Export")
        REFUSED = "refused", _("Refused lookup")

    user = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    model = models.CharField(_("record type"), max_length=60)
    object_id = models.CharField(_("record"), max_length=40, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=1)
    fields = models.CharField(_("fields"), max_length=200)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.kind} {self.model}:{self.object_id}"


class DataExport(models.Model):
    """A background export of a large list (residents, households) to an XLSX file, with its progress."""

    owner_path = "user"  # the file holds personal data: only the one who asked reaches it

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        RESIDENT = "community.Resident", _("Residents")
        HOUSEHOLD = "community.Household", _("Households")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="data_exports", verbose_name=_("user")
    )
    model = models.CharField(_("record type"), max_length=40, choices=Kind.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("last sent to the workers"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="dataexport_user_recent"),
            models.Index(fields=["status", "created_at"], name="dataexport_status_created"),
        ]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="dataexport_progress_max_100")]

    def __str__(self):
        return f"{self.get_model_display()} #{self.pk}"


# the reporting jobs' and the accounts' models live in their own modules; importing them here makes them the app's
from .auth_models import PasswordHistory  # noqa: E402,F401
from .reporting_models import IndicatorSnapshot, ReportRun  # noqa: E402,F401
