"""Funding API under ``/api/v1/funding/…``: every list scoped, every write through ``funding.actions``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from community.api_base import (
    BoundedDateField,
    CursorPagination,
    ReadOnlyScopedViewSet,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSet,
)
from community.scoping import scope_of

from . import actions, selectors
from .choices import EntryKind, Side, Use
from .filters import (
    AssessmentFilter,
    BudgetFilter,
    EntryFilter,
    FundBalanceFilter,
    FundFilter,
    LineFilter,
    ProjectFilter,
    QuestionFilter,
)
from .models import (
    Account,
    Budget,
    BudgetLine,
    CostSplit,
    Disclosure,
    DisclosureQuestion,
    FacilityAssessment,
    FacilityInvestment,
    FacilityItem,
    FiscalPeriod,
    Fund,
    FundBalance,
    FundingSource,
    JournalEntry,
    JournalLine,
    Project,
)

# --- reference tables (not community-owned) --------------------------------------------------


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "code", "name", "type", "use", "active"]


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "code", "name", "kind"]


class SplitShareSerializer(serializers.Serializer):
    source = serializers.IntegerField(source="source_id")
    basis_points = serializers.IntegerField()


class CostSplitSerializer(serializers.ModelSerializer):
    shares = SplitShareSerializer(many=True, read_only=True)

    class Meta:
        model = CostSplit
        fields = ["id", "name", "description", "shares"]


class FacilityItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = FacilityItem
        fields = ["id", "code", "name", "group", "order", "active"]


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """The chart of accounts (会计科目)."""

    queryset = Account.objects.order_by("code")
    serializer_class = AccountSerializer
    filterset_fields = ["type", "use", "active"]


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = FundingSource.objects.order_by("code")
    serializer_class = SourceSerializer
    filterset_fields = ["kind"]


class CostSplitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = CostSplit.objects.prefetch_related("shares").order_by("name")
    serializer_class = CostSplitSerializer


class FacilityItemViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = FacilityItem.objects.order_by("order", "code")
    serializer_class = FacilityItemSerializer
    filterset_fields = ["active"]


# --- funds and balances -------------------------------------------------------------------


class FundSerializer(ScopedModelSerializer):
    uses = serializers.ListField(child=serializers.ChoiceField(choices=Use.choices), required=False)
    balance = serializers.DecimalField(source="balance.balance", max_digits=14, decimal_places=2, read_only=True)
    donor_name = serializers.SerializerMethodField()

    class Meta:
        model = Fund
        fields = [
            "id",
            "community",
            "source",
            "name",
            "restriction",
            "uses",
            "purpose",
            "valid_from",
            "valid_until",
            "project",
            "lapses_at_year_end",
            "donor_name",
            "donor_public",
            "balance",
        ]

    def get_donor_name(self, obj) -> str:
        return obj.donor_name


class FundBalanceSerializer(serializers.ModelSerializer):
    fund_name = serializers.CharField(source="fund.name", read_only=True)
    community = serializers.IntegerField(source="fund.community_id", read_only=True)
    source_kind = serializers.CharField(source="fund.source.kind", read_only=True)

    class Meta:
        model = FundBalance
        fields = [
            "id",
            "fund",
            "fund_name",
            "community",
            "source_kind",
            "received",
            "spent",
            "released",
            "lapsed",
            "balance",
        ]


class FundBalanceViewSet(ReadOnlyScopedViewSet):
    queryset = FundBalance.objects.all()
    http_method_names = ["get", "head", "options"]
    serializer_class = FundBalanceSerializer
    filterset_class = FundBalanceFilter

    def select(self, queryset):
        return queryset.select_related("fund__source")


# --- vouchers -----------------------------------------------------------------------------


class LineSerializer(serializers.ModelSerializer):
    fund = ScopedPrimaryKeyRelatedField(queryset=Fund.objects.all())
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.filter(active=True))
    side = serializers.ChoiceField(choices=Side.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))

    class Meta:
        model = JournalLine
        fields = ["id", "account", "fund", "side", "amount", "memo"]


class EntrySerializer(ScopedModelSerializer):
    lines = LineSerializer(many=True, max_length=actions.MAX_LINES)
    voucher_no = serializers.CharField(read_only=True)
    debit_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "community",
            "date",
            "year",
            "number",
            "voucher_no",
            "memo",
            "kind",
            "status",
            "reference",
            "reversal_of",
            "prepared_by",
            "approved_by",
            "approval_rule",
            "posted_by",
            "posted_at",
            "debit_total",
            "lines",
        ]
        read_only_fields = [
            "year",
            "number",
            "kind",
            "status",
            "reference",
            "reversal_of",
            "prepared_by",
            "approved_by",
            "approval_rule",
            "posted_by",
            "posted_at",
        ]


class ReverseSerializer(serializers.Serializer):
    date = BoundedDateField(required=False)
    memo = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ReleaseSerializer(serializers.Serializer):
    to_fund = ScopedPrimaryKeyRelatedField(queryset=Fund.objects.all(), help_text="an unrestricted fund")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    date = BoundedDateField()
    memo = serializers.CharField(max_length=200)


class FundViewSet(ScopedViewSet):
    """Funds: a community's money from one source, with its restriction and its balance."""

    queryset = Fund.objects.all()
    serializer_class = FundSerializer
    filterset_class = FundFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("balance")

    def perform_write(self, serializer):
        instance = serializer.instance or Fund()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = actions.fund_save(by=self.request.user, fund=instance)

    @extend_schema(request=ReleaseSerializer, responses=EntrySerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release money from this restricted fund into an unrestricted fund of its community: a draft
        release voucher (approve and post it like any other)."""
        fund = self.get_object()  # another community's fund is a 404 before its input is read
        if not request.user.has_perm("funding.add_journalentry"):
            raise PermissionDenied(_("Your role may not do this."))
        params = ReleaseSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        entry = actions.fund_release(
            by=request.user,
            fund_id=fund.pk,
            to_fund_id=data["to_fund"].pk,
            amount=data["amount"],
            date=data["date"],
            memo=data["memo"],
        )
        entry = selectors.entry_list(user=request.user).prefetch_related("lines").get(pk=entry.pk)
        return Response(EntrySerializer(entry, context=self.get_serializer_context()).data, status=201)


class EntryViewSet(ScopedViewSet):
    """Vouchers (凭证) with their lines. Drafts are changed; posted ones are only reversed."""

    queryset = JournalEntry.objects.all()
    serializer_class = EntrySerializer
    filterset_class = EntryFilter
    pagination_class = CursorPagination

    def get_queryset(self):
        return selectors.entry_list(user=self.request.user).prefetch_related("lines")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.entry_create(
            by=self.request.user,
            community=data["community"],
            date=data["date"],
            memo=data["memo"],
            lines=data["lines"],
            kind=EntryKind.NORMAL,
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        entry = serializer.instance
        if "community" in data and data["community"].pk != entry.community_id:
            from django.core.exceptions import ValidationError

            raise ValidationError({"community": _("A voucher stays in its community.")})
        serializer.instance = actions.entry_update(
            by=self.request.user,
            entry_id=entry.pk,
            date=data.get("date"),
            memo=data.get("memo"),
            lines=data.get("lines"),
        )

    def perform_destroy(self, instance):
        actions.entry_discard(by=self.request.user, entry_id=instance.pk)

    def _done(self, entry):
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)

    def _require(self, perm):
        if not self.request.user.has_perm(perm):
            raise PermissionDenied(_("Your role may not do this."))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        self._require("funding.approve_journalentry")
        return self._done(actions.entry_approve(by=request.user, entry_id=self.get_object().pk))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def post(self, request, pk=None):
        self._require("funding.post_journalentry")
        return self._done(actions.entry_post(by=request.user, entry_id=self.get_object().pk))

    @extend_schema(request=ReverseSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        self._require("funding.add_journalentry")
        params = ReverseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        entry = actions.entry_reverse(by=request.user, entry_id=self.get_object().pk, **params.validated_data)
        return self._done(entry)


class LineListSerializer(serializers.ModelSerializer):
    date = BoundedDateField(source="entry.date", read_only=True)
    voucher_no = serializers.CharField(source="entry.voucher_no", read_only=True)
    status = serializers.CharField(source="entry.status", read_only=True)
    account_code = serializers.CharField(source="account.code", read_only=True)
    fund_name = serializers.CharField(source="fund.name", read_only=True)

    class Meta:
        model = JournalLine
        fields = [
            "id",
            "entry",
            "date",
            "voucher_no",
            "status",
            "account",
            "account_code",
            "fund",
            "fund_name",
            "side",
            "amount",
            "memo",
        ]


class LineViewSet(ReadOnlyScopedViewSet):
    """Ledger lines: a fund's or an account's ledger with ``?fund=`` / ``?account=``."""

    queryset = JournalLine.objects.all()
    http_method_names = ["get", "head", "options"]
    serializer_class = LineListSerializer
    filterset_class = LineFilter
    pagination_class = CursorPagination

    def select(self, queryset):
        return queryset.select_related("entry", "account", "fund")


class PeriodSerializer(ScopedModelSerializer):
    class Meta:
        model = FiscalPeriod
        fields = ["id", "community", "year", "month", "closed", "closed_by", "closed_at"]
        read_only_fields = ["closed", "closed_by", "closed_at"]
        validators = []  # closing an existing open month is fine: the action decides


class PeriodViewSet(ScopedViewSet):
    """Fiscal months; POST closes one (nothing posts into it afterwards)."""

    queryset = FiscalPeriod.objects.all()
    serializer_class = PeriodSerializer
    filterset_fields = ["community", "year", "month", "closed"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        self._require_close()
        data = serializer.validated_data
        serializer.instance = actions.period_close(
            by=self.request.user, community=data["community"], year=data["year"], month=data["month"]
        )

    def _require_close(self):
        if not self.request.user.has_perm("funding.close_fiscalperiod"):
            raise PermissionDenied(_("Your role may not close periods."))


# --- budgets and projects ---------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer):
    source = serializers.PrimaryKeyRelatedField(queryset=FundingSource.objects.all())
    use = serializers.ChoiceField(choices=Use.choices)

    class Meta:
        model = BudgetLine
        fields = ["source", "use", "amount"]


class BudgetSerializer(ScopedModelSerializer):
    lines = BudgetLineSerializer(many=True, max_length=actions.MAX_LINES)

    class Meta:
        model = Budget
        fields = ["id", "community", "year", "version", "status", "reason", "prepared_by", "approved_by", "lines"]
        read_only_fields = ["version", "status", "prepared_by", "approved_by"]


class AdjustSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    lines = BudgetLineSerializer(many=True, max_length=actions.MAX_LINES)


def _budget_lines(lines):
    return [(line["source"], line["use"], line["amount"]) for line in lines]


class BudgetViewSet(ScopedViewSet):
    """Budgets by year, versioned: ``adjust`` makes a new version, ``approve`` replaces the old."""

    queryset = Budget.objects.all()
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter
    http_method_names = ["get", "post", "head", "options"]

    def select(self, queryset):
        return queryset.prefetch_related("lines")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.budget_create(
            by=self.request.user,
            community=data["community"],
            year=data["year"],
            lines=_budget_lines(data["lines"]),
            reason=data.get("reason", ""),
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        budget = actions.budget_approve(by=request.user, budget_id=self.get_object().pk)
        return Response(self.get_serializer(budget).data)

    @extend_schema(request=AdjustSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        budget = self.get_object()  # another community's budget is a 404 before its input is read
        params = AdjustSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        budget = actions.budget_adjust(
            by=request.user,
            budget_id=budget.pk,
            lines=_budget_lines(params.validated_data["lines"]),
            reason=params.validated_data["reason"],
        )
        return Response(self.get_serializer(budget).data, status=201)


class ProjectSerializer(ScopedModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "community",
            "name",
            "purpose",
            "status",
            "target_amount",
            "split",
            "completed_on",
            "cancelled_reason",
        ]
        read_only_fields = ["completed_on", "cancelled_reason"]

    def validate_status(self, value):
        from .choices import ProjectStatus

        if value in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
            raise serializers.ValidationError(_("Use the complete or cancel action to close a project."))
        return value


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ProjectViewSet(ScopedViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("community")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return Response(
            self.get_serializer(actions.project_complete(by=request.user, project_id=self.get_object().pk)).data
        )

    @extend_schema(request=CancelSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        project = self.get_object()  # another community's project is a 404 before its input is read
        params = CancelSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        actions.project_cancel(by=request.user, project_id=project.pk, reason=params.validated_data["reason"])
        project.refresh_from_db()
        return Response(self.get_serializer(project).data)


# --- facility standard ------------------------------------------------------------------------


class AssessmentSerializer(ScopedModelSerializer):
    items_met = serializers.PrimaryKeyRelatedField(many=True, queryset=FacilityItem.objects.all(), required=False)

    class Meta:
        model = FacilityAssessment
        fields = [
            "id",
            "community",
            "assessed_on",
            "office_area",
            "items_met",
            "has_tv",
            "has_vcd",
            "computerised",
            "note",
        ]


class AssessmentViewSet(ScopedViewSet):
    queryset = FacilityAssessment.objects.all()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def select(self, queryset):
        return queryset.prefetch_related("items_met")

    def perform_write(self, serializer):
        from community.actions import record_save

        data = dict(serializer.validated_data)
        items = data.pop("items_met", None)
        instance = serializer.instance or FacilityAssessment()
        for name, value in data.items():
            setattr(instance, name, value)
        instance = record_save(by=self.request.user, instance=instance)
        if items is not None:
            instance.items_met.set(items)
        serializer.instance = instance


class InvestmentSerializer(ScopedModelSerializer):
    class Meta:
        model = FacilityInvestment
        fields = ["id", "entry", "item", "amount"]


class InvestmentViewSet(ScopedViewSet):
    """Ties a voucher to the facility item it paid for."""

    queryset = FacilityInvestment.objects.all()
    serializer_class = InvestmentSerializer
    filterset_fields = ["entry", "item"]


# --- disclosure -----------------------------------------------------------------------------


class DisclosureSerializer(ScopedModelSerializer):
    class Meta:
        model = Disclosure
        fields = ["id", "community", "year", "quarter", "sha256", "published_by", "published_at", "content"]
        read_only_fields = ["sha256", "published_by", "published_at", "content"]
        validators = []  # a second publication of a quarter is refused by the action, with a message


class DisclosureViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Quarterly public disclosures (财务公开); POST publishes an immutable snapshot."""

    queryset = Disclosure.objects.all()
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = DisclosureSerializer
    filterset_fields = ["community", "year", "quarter"]

    def get_queryset(self):
        return Disclosure.objects.for_user(self.request.user).select_related("community")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.disclosure_publish(
            by=self.request.user, community=data["community"], year=data["year"], quarter=data["quarter"]
        )


class QuestionSerializer(ScopedModelSerializer):
    class Meta:
        model = DisclosureQuestion
        fields = ["id", "disclosure", "line", "question", "contact", "asked_at", "answer", "answered_at"]
        read_only_fields = ["asked_at", "answered_at"]
        extra_kwargs = {"contact": {"write_only": True}, "line": {"required": False}, "question": {"required": False}}


class QuestionViewSet(ScopedViewSet):
    """Residents' questions about disclosure lines; staff record ones received otherwise (POST) and answer (PATCH)."""

    queryset = DisclosureQuestion.objects.all()
    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("disclosure")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.question_ask(
            disclosure=data["disclosure"],
            line=data.get("line") or 0,
            question=data.get("question", ""),
            contact=data.get("contact", ""),
        )

    def perform_update(self, serializer):
        from django.core.exceptions import ValidationError

        data = serializer.validated_data
        question = serializer.instance
        if "disclosure" in data and data["disclosure"].pk != question.disclosure_id:
            raise ValidationError({"disclosure": _("A question stays with its disclosure.")})
        if not self.request.user.has_perm("funding.change_disclosurequestion"):
            raise PermissionDenied(_("Your role may not answer questions."))
        serializer.instance = actions.question_answer(
            by=self.request.user, question_id=question.pk, answer=data.get("answer", "")
        )


# --- reports ------------------------------------------------------------------------------


class CanReadMoney(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("funding.view_journalentry")
        )


REPORT_PARAMETERS = [
    OpenApiParameter("scope", OpenApiTypes.STR, enum=["county", "town", "community"]),
    OpenApiParameter("id", OpenApiTypes.INT),
    OpenApiParameter("start", OpenApiTypes.DATE),
    OpenApiParameter("end", OpenApiTypes.DATE),
    OpenApiParameter("year", OpenApiTypes.INT),
]


def report_scope(request):
    """The scope a report covers: ``?scope=town&id=…`` within the caller's own, else the caller's own."""
    from community.selectors import dashboard_target

    if request.GET.get("scope") or request.GET.get("id"):
        try:
            return dashboard_target(user=request.user, level=request.GET.get("scope"), pk=request.GET.get("id")).scope()
        except ValueError as exc:
            raise Http404(str(exc))
    return scope_of(request.user)


def report_dates(request) -> tuple[dt.date, dt.date]:
    from django.core.exceptions import ValidationError

    today = dt.date.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
        end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        raise ValidationError(_("Give dates as YYYY-MM-DD."))
    if end < start:
        raise ValidationError(_("The end date is before the start date."))
    return start, end


def report_year(request) -> int:
    from django.core.exceptions import ValidationError

    try:
        year = int(request.GET.get("year") or dt.date.today().year)
    except ValueError:
        raise ValidationError(_("Give the year as a number, e.g. 2026."))
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Give the year as a number, e.g. 2026."))
    return year


def _plain(rows):
    from dataclasses import asdict

    return [asdict(r) for r in rows]


class ReportViewSet(viewsets.ViewSet):
    """Financial reports rolling up community → town → county (``?scope=&id=``)."""

    permission_classes = [CanReadMoney]

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="fund-balances")
    def fund_balances(self, request):
        start, end = report_dates(request) if request.GET.get("start") else (None, None)
        if request.GET.get("end") and start is None:
            start, end = None, report_dates(request)[1]
        return Response(_plain(selectors.fund_balances(scope=report_scope(request), start=start, end=end)))

    @extend_schema(parameters=REPORT_PARAMETERS, responses=OpenApiTypes.OBJECT)
    @action(detail=False, url_path="source-and-use")
    def source_and_use(self, request):
        start, end = report_dates(request)
        statement = selectors.source_and_use(scope=report_scope(request), start=start, end=end)
        return Response(
            {
                "start": start,
                "end": end,
                "income": [{**r.__dict__, "total": r.total} for r in statement.income],
                "expense": [{**r.__dict__, "total": r.total} for r in statement.expense],
                "surplus": {"restricted": statement.surplus.restricted, "unrestricted": statement.surplus.unrestricted},
            }
        )

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="budget-vs-actual")
    def budget_vs_actual(self, request):
        rows = selectors.budget_vs_actual(scope=report_scope(request), year=report_year(request))
        return Response([{**r.__dict__, "variance": r.variance} for r in rows])

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="projects")
    def projects(self, request):
        rows = selectors.project_accounts(scope=report_scope(request))
        return Response([{**r.__dict__, "raised_total": r.raised_total, "balance": r.balance} for r in rows])

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="trial-balance")
    def trial_balance(self, request):
        _start, end = report_dates(request)
        rows = selectors.trial_balance(scope=report_scope(request), end=end)
        return Response([{**r.__dict__, "balance": r.balance} for r in rows])


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
    from . import economy_api

    economy_api.register(router)
