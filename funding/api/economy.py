"""API of the community's own economy and of the departments' grants, under ``/api/v1/funding/…``.

Bills are made by ``bill-period`` and paid by ``pay``; receipts, referral fees and grants are written once
by their action (each a posted voucher) and then only read.  Contact phones come masked.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from community.api_base import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, ScopedViewSet
from community.models import Community
from community.validators import mask_phone

from .. import economy, economy_selectors
from ..choices import BillStatus
from ..models import (
    DepartmentGrant,
    HouseholdArea,
    PartnerCompany,
    PropertyFeeBill,
    PropertyFeeReceipt,
    PropertyFeeSchedule,
    ReferralFee,
)


class ScheduleSerializer(ScopedModelSerializer):
    class Meta:
        model = PropertyFeeSchedule
        fields = ["id", "community", "name", "basis", "rate", "valid_from", "due_days"]


class ScheduleViewSet(ScopedViewSet):
    queryset = PropertyFeeSchedule.objects.all()
    serializer_class = ScheduleSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("community")

    def perform_write(self, serializer):
        instance = serializer.instance or PropertyFeeSchedule()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = economy.fee_schedule_save(by=self.request.user, schedule=instance)


class AreaSerializer(ScopedModelSerializer):
    class Meta:
        model = HouseholdArea
        fields = ["id", "household", "area"]


class AreaViewSet(ScopedViewSet):
    queryset = HouseholdArea.objects.all()
    serializer_class = AreaSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]


class ReceiptSerializer(ScopedModelSerializer):
    """A payment of a bill: posting one records it (``fee_pay``) and puts it on the ledger."""

    class Meta:
        model = PropertyFeeReceipt
        fields = ["id", "bill", "number", "amount", "paid_on", "payer", "entry"]
        read_only_fields = ["number", "entry"]
        extra_kwargs = {"amount": {"min_value": Decimal("0.01")}}


class BillSerializer(serializers.ModelSerializer):
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    in_arrears = serializers.SerializerMethodField()

    class Meta:
        model = PropertyFeeBill
        fields = [
            "id",
            "community",
            "household",
            "schedule",
            "period",
            "period_start",
            "period_end",
            "amount",
            "paid",
            "outstanding",
            "due_on",
            "status",
            "in_arrears",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_in_arrears(self, obj) -> bool:
        return obj.status != BillStatus.PAID and obj.due_on < timezone.localdate()


class BillPeriodSerializer(serializers.Serializer):
    community = ScopedPrimaryKeyRelatedField(queryset=Community.objects.all())
    period = serializers.CharField(max_length=7)


class BillingResultSerializer(serializers.Serializer):
    period = serializers.CharField()
    created = serializers.IntegerField()
    already_billed = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class BillViewSet(viewsets.ReadOnlyModelViewSet):
    """Bills of the caller's communities; ``?arrears=yes`` lists the bills past due and not paid in full.
    Bills are made by billing a period (``fee-billings``) and paid by posting a receipt (``fee-receipts``)."""

    queryset = PropertyFeeBill.objects.all()
    serializer_class = BillSerializer
    filterset_fields = ["community", "household", "period", "status"]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        queryset = PropertyFeeBill.objects.for_user(self.request.user).select_related("household")
        if self.request.query_params.get("arrears") == "yes":
            queryset = economy_selectors.arrears(queryset, timezone.localdate())
        return queryset


class BillingViewSet(viewsets.ViewSet):
    """Bill a period: one bill per occupied household of the community; billing it again adds none."""

    @extend_schema(request=BillPeriodSerializer, responses={200: BillingResultSerializer})
    def create(self, request):
        params = BillPeriodSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        result = economy.fee_bill_period(by=request.user, **params.validated_data)
        return Response(BillingResultSerializer(result).data)


class ReceiptViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PropertyFeeReceipt.objects.all()
    serializer_class = ReceiptSerializer
    filterset_fields = ["bill"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return PropertyFeeReceipt.objects.for_user(self.request.user).select_related("entry")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = economy.fee_pay(
            by=self.request.user,
            bill_id=data["bill"].pk,
            amount=data["amount"],
            paid_on=data["paid_on"],
            payer=data.get("payer", ""),
        )


class PartnerSerializer(ScopedModelSerializer):
    contact_phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = PartnerCompany
        fields = [
            "id",
            "community",
            "name",
            "services",
            "contact_name",
            "contact_phone",
            "contact_phone_masked",
            "agreed_on",
            "referral_terms",
            "active",
        ]
        extra_kwargs = {"contact_phone": {"write_only": True}}

    @extend_schema_field(serializers.CharField())
    def get_contact_phone_masked(self, obj) -> str:
        return mask_phone(obj.contact_phone)


class PartnerViewSet(ScopedViewSet):
    queryset = PartnerCompany.objects.all()
    serializer_class = PartnerSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_write(self, serializer):
        instance = serializer.instance or PartnerCompany()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = economy.partner_save(by=self.request.user, company=instance)


class ReferralFeeSerializer(ScopedModelSerializer):
    class Meta:
        model = ReferralFee
        fields = ["id", "company", "received_on", "amount", "description", "entry"]
        read_only_fields = ["entry"]


class ReferralFeeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ReferralFee.objects.all()
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = ReferralFeeSerializer

    def get_queryset(self):
        return ReferralFee.objects.for_user(self.request.user).select_related("company")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = economy.referral_fee_record(
            by=self.request.user,
            company_id=data["company"].pk,
            amount=data["amount"],
            received_on=data["received_on"],
            description=data["description"],
        )


class GrantSerializer(ScopedModelSerializer):
    class Meta:
        model = DepartmentGrant
        fields = ["id", "community", "department", "use", "purpose", "amount", "granted_on", "fund", "entry"]
        read_only_fields = ["fund", "entry"]


class GrantViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """工作经费到社区: each grant is posted on the receiving community's ledger when it is recorded."""

    queryset = DepartmentGrant.objects.all()
    serializer_class = GrantSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["community", "department", "use"]

    def get_queryset(self):
        return DepartmentGrant.objects.for_user(self.request.user).select_related("department", "community")

    def perform_create(self, serializer):
        serializer.instance = economy.department_grant_record(by=self.request.user, **serializer.validated_data)


def register(router):
    router.register("funding/fee-schedules", ScheduleViewSet, basename="fee-schedule")
    router.register("funding/billed-areas", AreaViewSet, basename="billed-area")
    router.register("funding/fee-bills", BillViewSet, basename="fee-bill")
    router.register("funding/fee-billings", BillingViewSet, basename="fee-billing")
    router.register("funding/fee-receipts", ReceiptViewSet, basename="fee-receipt")
    router.register("funding/partners", PartnerViewSet, basename="partner-company")
    router.register("funding/referral-fees", ReferralFeeViewSet, basename="referral-fee")
    router.register("funding/department-grants", GrantViewSet, basename="department-grant")
