from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_READ = [
    "funding.view_account",
    "funding.view_fundingsource",
    "funding.view_fund",
    "funding.view_fundbalance",
    "funding.view_journalentry",
    "funding.view_journalline",
    "funding.view_budget",
    "funding.view_budgetline",
    "funding.view_project",
    "funding.view_costsplit",
    "funding.view_costsplitshare",
    "funding.view_fiscalperiod",
    "funding.view_facilityitem",
    "funding.view_facilityassessment",
    "funding.view_facilityinvestment",
    "funding.view_disclosure",
    "funding.view_disclosurequestion",
    "funding.export_funding",
    "funding.view_propertyfeeschedule",
    "funding.view_householdarea",
    "funding.view_propertyfeebill",
    "funding.view_propertyfeereceipt",
    "funding.view_partnercompany",
    "funding.view_referralfee",
    "funding.view_departmentgrant",
]
# the community's own economy (物业管理中心, 帮忙公司) and the departments' grants it receives
_ECONOMY = [
    "funding.add_propertyfeeschedule",
    "funding.change_propertyfeeschedule",
    "funding.add_householdarea",
    "funding.change_householdarea",
    "funding.add_propertyfeebill",
    "funding.change_propertyfeebill",
    "funding.add_propertyfeereceipt",
    "funding.add_partnercompany",
    "funding.change_partnercompany",
    "funding.add_referralfee",
    "funding.add_departmentgrant",
]
_BOOKKEEPING = [
    "funding.add_fund",
    "funding.change_fund",
    "funding.add_journalentry",
    "funding.change_journalentry",
    "funding.delete_journalentry",
    "funding.add_journalline",
    "funding.change_journalline",
    "funding.delete_journalline",
    "funding.approve_journalentry",
    "funding.post_journalentry",
    "funding.close_fiscalperiod",
    "funding.add_fiscalperiod",
    "funding.add_budget",
    "funding.change_budget",
    "funding.add_budgetline",
    "funding.change_budgetline",
    "funding.delete_budgetline",
    "funding.add_project",
    "funding.change_project",
    "funding.add_facilityassessment",
    "funding.change_facilityassessment",
    "funding.add_facilityinvestment",
    "funding.change_facilityinvestment",
    "funding.delete_facilityinvestment",
    "funding.add_disclosure",
    "funding.add_disclosurequestion",
    "funding.change_disclosurequestion",
]


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")
    public_links = [("funding:disclosure-index", _("Financial disclosure"))]
    default_auto_field = "django.db.models.BigAutoField"

    role_permissions = {
        "county_official": [
            *_READ,
            "funding.add_costsplit",
            "funding.change_costsplit",
            "funding.add_costsplitshare",
            "funding.change_costsplitshare",
            "funding.delete_costsplitshare",
            "funding.add_facilityitem",
            "funding.change_facilityitem",
            "funding.approve_journalentry",
            "funding.add_departmentgrant",
        ],
        "town_cadre": [*_READ, *_BOOKKEEPING, *_ECONOMY],
        "community_staff": [*_READ, *_BOOKKEEPING, *_ECONOMY],
        # a liaison reads what the department granted (the grants carry its department)
        "department_liaison": ["funding.view_departmentgrant"],
        "party_worker": [],
        "bookkeeper": [*_READ, *_BOOKKEEPING, *_ECONOMY],
    }
