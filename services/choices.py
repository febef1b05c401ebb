"""Choices of the services app, shared by models, forms, filters and the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled by the resident")


# statuses in which work is still owed to the resident
OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.REOPENED,
)
# statuses in which the committee's work is done (Open311 "closed")
FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED)


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Telephone")
    COUNTER = "counter", _("At the counter")
    OPEN311 = "open311", _("Open311 client")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASICALLY = "basically", _("Basically satisfied (基本满意)")
    DISSATISFIED = "dissatisfied", _("Dissatisfied (不满意)")


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Status change")
    NOTE = "note", _("Note")
    RESIDENT_INFO = "resident_info", _("Information from the resident")
    FOLLOW_UP = "follow_up", _("Follow-up call")
    RATING = "rating", _("Rating")
    ESCALATION = "escalation", _("Escalation to the town")
    OVERDUE = "overdue", _("Marked overdue")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class QuestionType(models.TextChoices):
    STRING = "string", _("Short text")
    TEXT = "text", _("Long text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    SINGLE = "singlevaluelist", _("One choice")
    MULTI = "multivaluelist", _("Several choices")


class ActivityKind(models.TextChoices):
    """六进社区: the six kinds of department activity entering the community."""

    SCIENCE_EDUCATION = "science_education", _("Science and education (科教)")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports (文体)")
    LAW = "law", _("Law (法律)")
    HEALTH = "health", _("Health (卫生)")
    COMMERCE = "commerce", _("Commerce and industry (工商)")
    TRAFFIC = "traffic", _("Traffic safety (交通安全)")


# the department (community.choices.DepartmentCode value) that leads each kind
KIND_DEPARTMENT = {
    ActivityKind.SCIENCE_EDUCATION: "education",
    ActivityKind.CULTURE_SPORTS: "culture_sports",
    ActivityKind.LAW: "justice",
    ActivityKind.HEALTH: "health",
    ActivityKind.COMMERCE: "market",
    ActivityKind.TRAFFIC: "traffic",
}


class CommitmentPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class FacilityKind(models.TextChoices):
    HALL = "hall", _("Hall or meeting room")
    GYM = "gym", _("Gym or sports ground")
    LIBRARY = "library", _("Library or reading room")
    CLINIC = "clinic", _("Health or rehabilitation room")
    CANTEEN = "canteen", _("Canteen")
    PARKING = "parking", _("Parking")
    OTHER = "other", _("Other")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    USED = "used", _("Used")
    CANCELLED = "cancelled", _("Cancelled")


class CommunityEventKind(models.TextChoices):
    CULTURE_SPORTS = "culture_sports", _("Culture and sports event (文体活动)")
    RESIDENT_MEETING = "resident_meeting", _("Residents' meeting (居民会议)")
    EDUCATION = "education", _("Resident education (居民教育)")
    VOLUNTEERING = "volunteering", _("Volunteering and environment")


class CommunityEventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# --- resident units' obligations (驻区单位的权利与义务) -------------------------------------------


class ObligationCategory(models.TextChoices):
    FACILITIES = "facilities", _("Opening facilities to residents")
    ENVIRONMENT = "environment", _("Environment and sanitation")
    SECURITY = "security", _("Public order and safety")
    VOLUNTEERING = "volunteering", _("Volunteering and services")
    FUNDS = "funds", _("Contributions to community funds")
    OTHER = "other", _("Other")


class FulfilmentStatus(models.TextChoices):
    FULFILLED = "fulfilled", _("Fulfilled")
    PARTLY = "partly", _("Partly fulfilled")
    NOT_FULFILLED = "not_fulfilled", _("Not fulfilled")
