"""工作人员配置到社区: a county department's staff member placed in a community, for a time."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community import validators
from community.models import Community, Department, TimeStamped
from community.scoping import RestrictedQuerySet


class DepartmentPlacement(TimeStamped):
    """A department's staff member working in a community (the liaison of 工作重心到社区); the phone is
    masked like a resident's for anyone without the reveal permission."""

    community_path = "community"
    department_path = "department"

    department = models.ForeignKey(Department, models.PROTECT, related_name="placements", verbose_name=_("department"))
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="department_placements", verbose_name=_("community")
    )
    person_name = models.CharField(_("staff member"), max_length=40)
    duty = models.CharField(_("role and duties in the community"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validators.validate_phone])
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("department staff placement")
        verbose_name_plural = _("department staff placed in communities")
        ordering = ["community", "department", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="governance_placement_end_after"
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.person_name} → {self.community}"

    def clean(self):

        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("A placement cannot end before it starts.")
        if self.phone:
            self.phone = validators.normalise_phone(self.phone)
        if self.department_id and self.community_id and self.department.county_id != self.community.town.county_id:
            errors["department"] = _("The department must be one of the community's county.")
        if not errors and self.department_id and self.community_id and self.start and self.person_name:
            overlapping = DepartmentPlacement.objects.filter(
                department_id=self.department_id, community_id=self.community_id, person_name=self.person_name
            ).exclude(pk=self.pk)
            if self.end:
                overlapping = overlapping.filter(start__lte=self.end)
            overlapping = overlapping.filter(Q(end__isnull=True) | Q(end__gte=self.start))
            if overlapping.exists():
                errors["start"] = _(
                    "%(name)s is already placed in this community by the department for these dates."
                ) % {"name": self.person_name}
        if errors:
            raise ValidationError(errors)

    def active_on(self, day) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)
