"""The funding API: the ledger (funds, vouchers, periods, budgets, projects), the facility standard and
the public disclosure, the reports, and the community's own economy; each app's ``api.register`` adds its
routes to the one router (config/urls.py)."""

from . import economy
from .facilities import AssessmentViewSet, DisclosureViewSet, InvestmentViewSet, QuestionViewSet
from .ledger import (
    AccountViewSet,
    BudgetViewSet,
    CostSplitViewSet,
    EntryViewSet,
    FacilityItemViewSet,
    FundBalanceViewSet,
    FundViewSet,
    LineViewSet,
    PeriodViewSet,
    ProjectViewSet,
    SourceViewSet,
)
from .reports import ReportViewSet


def register(router):
    router.register("funding/accounts", AccountViewSet, basename="funding-account")
    router.register("funding/sources", SourceViewSet, basename="funding-source")
    router.register("funding/cost-splits", CostSplitViewSet, basename="funding-costsplit")
    router.register("funding/facility-items", FacilityItemViewSet, basename="funding-facilityitem")
    router.register("funding/funds", FundViewSet, basename="fund")
    router.register("funding/balances", FundBalanceViewSet, basename="fund-balance")
    router.register("funding/entries", EntryViewSet, basename="journal-entry")
    router.register("funding/lines", LineViewSet, basename="journal-line")
    router.register("funding/periods", PeriodViewSet, basename="fiscal-period")
    router.register("funding/budgets", BudgetViewSet, basename="budget")
    router.register("funding/projects", ProjectViewSet, basename="funding-project")
    router.register("funding/assessments", AssessmentViewSet, basename="facility-assessment")
    router.register("funding/investments", InvestmentViewSet, basename="facility-investment")
    router.register("funding/disclosures", DisclosureViewSet, basename="disclosure")
    router.register("funding/questions", QuestionViewSet, basename="disclosure-question")
    router.register("funding/reports", ReportViewSet, basename="funding-report")
    economy.register(router)
