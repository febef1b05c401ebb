from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    RECRUITMENT = "recruitment", _("Open recruitment (公开招考)")
    PLACEMENT = "placement", _("Competitive placement (竞争上岗)")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    CLOSED = "closed", _("Closed")


class Stage(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    REVIEWED = "reviewed", _("Passed eligibility review")
    EXAMINED = "examined", _("Written exam taken")
    SHORTLISTED = "shortlisted", _("Shortlisted for interview")
    INTERVIEWED = "interviewed", _("Interviewed")
    RANKED = "ranked", _("Composite score ranked")
    INSPECTION = "inspection", _("Organisational inspection")
    PUBLICITY = "publicity", _("In publicity")
    PROBATION = "probation", _("Contract and probation")
    ASSESSED = "assessed", _("Passed probation assessment")
    HIRED = "hired", _("Hired")
    FAILED = "failed", _("Failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFUSED = "refused", _("Refused")


EXIT_STAGES = {Stage.FAILED, Stage.WITHDRAWN, Stage.REFUSED}


class Education(models.TextChoices):
    """Ordered from lowest to highest (see EDUCATION_LEVEL)."""

    JUNIOR_HIGH = "junior_high", _("Junior high school")
    SENIOR_HIGH = "senior_high", _("Senior high school")
    TECHNICAL_SECONDARY = "technical_secondary", _("Technical secondary school (中专)")
    COLLEGE = "college", _("College (大专)")
    BACHELOR = "bachelor", _("Bachelor or above")


EDUCATION_LEVEL = {value: index for index, value in enumerate(Education.values)}


class StaffPost(models.TextChoices):
    SECRETARY = "secretary", _("Party secretary")
    DIRECTOR = "director", _("Director")
    MEMBER = "member", _("Committee member")
    FULLTIME = "fulltime", _("Full-time community worker")


class Origin(models.TextChoices):
    RECRUITED = "recruited", _("Open recruitment")
    PLACED = "placed", _("Competitive placement")
    ELECTED = "elected", _("Elected")
    OTHER = "other", _("Other")


class CertificateKind(models.TextChoices):
    COMPUTER = "computer", _("Computer qualification")
    SOCIAL_WORK = "social_work", _("Social work")
    ACCOUNTING = "accounting", _("Accounting")
    OTHER = "other", _("Other")


class RefillPolicy(models.TextChoices):
    NEXT_RANKED = "next_ranked", _("Refill from the next ranked candidate of the same post")
    NONE = "none", _("No refill")


class TieBreak(models.TextChoices):
    INTERVIEW = "interview", _("Higher interview score")
    WRITTEN = "written", _("Higher written exam score")
    BONUS = "bonus", _("Fewer bonus points (higher raw score)")
    EXAM_NUMBER = "exam_number", _("Lower exam number")


class ScoreKind(models.TextChoices):
    WRITTEN = "written", _("Written exam")
    INTERVIEW = "interview", _("Interview")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Payer(models.TextChoices):
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    OTHER = "other", _("Other payer")


class PayrollStatus(models.TextChoices):
    COMPUTED = "computed", _("Computed")
    POSTED = "posted", _("Posted to the ledger")


class CalendarSource(models.TextChoices):
    LIBRARY = "library", _("Official calendar (chinesecalendar)")
    COUNTY = "county", _("Entered by the county")


class RulesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (before the announcement)")
    ADOPTED = "adopted", _("Adopted")
    PROPOSED = "proposed", _("Correction awaiting approval")
    REJECTED = "rejected", _("Correction rejected")


FROZEN_RULES = {RulesStatus.ADOPTED, RulesStatus.REJECTED}
IN_FORCE = [RulesStatus.DRAFT, RulesStatus.ADOPTED]  # the versions that can be the campaign's current rules
