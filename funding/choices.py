"""Choices of the funding app, shared by models, forms, filters and the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    NET_UNRESTRICTED = "net_unrestricted", _("Unrestricted net assets")
    NET_RESTRICTED = "net_restricted", _("Restricted net assets")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


# accounts whose debits minus credits move a fund's balance (assets minus liabilities)
BALANCE_TYPES = (AccountType.ASSET, AccountType.LIABILITY)


class SourceKind(models.TextChoices):
    COUNTY_BUDGET = "county_budget", _("County budget")
    TOWN_BUDGET = "town_budget", _("Town budget")
    ENTERPRISE_DONATION = "enterprise_donation", _("Enterprise donation")
    SOCIAL_DONATION = "social_donation", _("Social organisation donation")
    RESIDENT_FUNDRAISING = "resident_fundraising", _("Residents' fund-raising")
    OWN_SERVICES = "own_services", _("Own income: paid services")
    OWN_PROPERTY = "own_property", _("Own income: property-management fees")
    OWN_REFERRAL = "own_referral", _("Own income: referral fees")
    DEPARTMENT = "department", _("County department funds")
    OTHER = "other", _("Other")


GOVERNMENT_KINDS = (SourceKind.COUNTY_BUDGET, SourceKind.TOWN_BUDGET, SourceKind.DEPARTMENT)
DONATION_KINDS = (SourceKind.ENTERPRISE_DONATION, SourceKind.SOCIAL_DONATION)


class Restriction(models.TextChoices):
    NONE = "none", _("Unrestricted")
    PURPOSE = "purpose", _("Restricted to a purpose")
    TIME = "time", _("Restricted to a time window")


class Use(models.TextChoices):
    OFFICE = "office", _("Office premises and facilities")
    STAFF_PAY = "staff_pay", _("Staff pay")
    PUBLIC_WELFARE = "public_welfare", _("Public-welfare works")
    SERVICES = "services", _("Community services")
    ACTIVITIES = "activities", _("Culture and sports activities")
    ADMINISTRATION = "administration", _("Day-to-day administration")
    REFUND = "refund", _("Refunds and returns of money")
    OTHER = "other", _("Other")


class Side(models.TextChoices):
    DEBIT = "debit", _("Debit")
    CREDIT = "credit", _("Credit")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    POSTED = "posted", _("Posted")


class EntryKind(models.TextChoices):
    NORMAL = "normal", _("Normal")
    REVERSAL = "reversal", _("Reversal")
    RELEASE = "release", _("Release from restriction")
    LAPSE = "lapse", _("Lapse at year end")
    REFUND = "refund", _("Refund to contributors")


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    FUNDRAISING = "fundraising", _("Raising funds")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed (final accounts)")
    CANCELLED = "cancelled", _("Cancelled")


# --- the community's own economy ----------------------------------------------------------


class FeeBasis(models.TextChoices):
    HOUSEHOLD = "household", _("Per household per month")
    AREA = "area", _("Per m² per month")


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
