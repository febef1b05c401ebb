from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ScopeLevel(models.TextChoices):
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    COMMUNITY = "community", _("Community")
    DEPARTMENT = "department", _("Department")


class Role(models.TextChoices):
    """Django groups created by migration; their permissions are kept in sync after migrate."""

    COUNTY_OFFICIAL = "county_official", _("County official")
    TOWN_CADRE = "town_cadre", _("Town cadre")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")
    PARTY_WORKER = "party_worker", _("Party worker")
    BOOKKEEPER = "bookkeeper", _("Bookkeeper")


class TownKind(models.TextChoices):
    TOWN = "town", _("Town")
    SUBDISTRICT = "subdistrict", _("Subdistrict")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")
    TENANT = "tenant", _("Tenant")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("Registered (户籍)")
    PERMANENT = "permanent", _("Permanent resident (常住)")
    RENTING = "renting", _("Renting (租住)")


class Vulnerability(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    LOW_INCOME = "low_income", _("Minimum living allowance (低保)")
    DISABLED = "disabled", pgettext_lazy("vulnerability", "Disabled")
    SPECIAL_CARE = "special_care", _("Entitled group (优抚)")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("Government agency")
    PUBLIC_INSTITUTION = "institution", _("Public institution")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital or clinic")
    ENTERPRISE = "enterprise", _("Enterprise")
    SOCIAL_ORG = "social_org", _("Social organisation")
    OTHER = "other", _("Other")


class DepartmentCode(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    ORGANISATION = "organisation", _("Organisation department")
    FINANCE = "finance", _("Finance")
    URBAN_CONSTRUCTION = "urban_construction", _("Urban construction")
    PUBLIC_SECURITY = "public_security", _("Public security")
    JUSTICE = "justice", _("Justice")
    EDUCATION = "education", _("Education and science")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    HEALTH = "health", _("Health")
    MARKET = "market", _("Market regulation (commerce and industry)")
    TRAFFIC = "traffic", _("Traffic police")
