from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommunityRole(models.TextChoices):
    """What the community does with a work-list item (社区工作事项清单)."""

    PERFORM = "perform", _("Performs by law (依法履职)")
    ASSIST = "assist", _("Assists the government (协助)")
    EXCLUDED = "excluded", _("Not for the community (不应承担)")


class IssuerKind(models.TextChoices):
    TOWN = "town", _("Town office")
    COUNTY = "county", _("County office")
    DEPARTMENT = "department", _("County department")


class FeedbackKind(models.TextChoices):
    TEXT = "text", _("Written report")
    NUMBER = "number", _("A number")
    FILE = "file", _("A file")


class AssignmentStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("task status", "Received")
    ACCEPTED = "accepted", pgettext_lazy("task status", "Accepted")
    IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")
    REPORTED = "reported", pgettext_lazy("task status", "Reported")
    CONFIRMED = "confirmed", pgettext_lazy("task status", "Confirmed")
    RETURNED = "returned", pgettext_lazy("task status", "Returned")


# statuses in which the community still owes work (the deadline applies)
OPEN_STATUSES = (AssignmentStatus.RECEIVED, AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS)
# statuses counted as "reported" (the feedback has been handed in)
REPORTED_STATUSES = (AssignmentStatus.REPORTED, AssignmentStatus.CONFIRMED)


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Deadline near")
    OVERDUE = "overdue", _("Overdue")


class GuidanceKind(models.TextChoices):
    VISIT = "visit", _("Guidance visit")
    TRAINING = "training", _("Training")


class SupportStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
