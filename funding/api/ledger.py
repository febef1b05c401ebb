"""The ledger's API: reference tables, funds and balances, vouchers and their lines, periods, budgets, projects."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
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

from .. import actions, selectors
from ..choices import EntryKind, ProjectStatus, Side, Use
from ..filters import (
    BudgetFilter,
    EntryFilter,
    FundBalanceFilter,
    FundFilter,
    LineFilter,
    ProjectFilter,
)
from ..models import (
    Account,
    Budget,
    BudgetLine,
    CostSplit,
    FacilityItem,
    FiscalPeriod,
    Fund,
    FundBalance,
    FundingSource,
    JournalEntry,
    JournalLine,
    Project,
)


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
