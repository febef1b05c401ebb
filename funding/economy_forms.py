"""Admin forms of the community's own economy and the departments' grants: each saves through an action of
``funding.economy``, so a refused rule is a form error and nothing is half-written."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from utilities.forms import ActionModelForm

from . import economy
from .models import DepartmentGrant, ReferralFee


class DepartmentGrantForm(ActionModelForm):
    class Meta:
        model = DepartmentGrant
        fields = ["community", "department", "use", "purpose", "amount", "granted_on"]

    def run(self, cleaned):
        return economy.department_grant_record(
            by=self.user,
            community=cleaned.get("community"),
            department=cleaned.get("department"),
            use=cleaned.get("use"),
            purpose=cleaned.get("purpose", ""),
            amount=cleaned.get("amount"),
            granted_on=cleaned.get("granted_on"),
        )


class ReferralFeeForm(ActionModelForm):
    class Meta:
        model = ReferralFee
        fields = ["company", "received_on", "amount", "description"]

    def run(self, cleaned):
        company = cleaned.get("company")
        return economy.referral_fee_record(
            by=self.user,
            company_id=company.pk if company else None,
            amount=cleaned.get("amount"),
            received_on=cleaned.get("received_on"),
            description=cleaned.get("description", ""),
        )


class BillPeriodForm(forms.Form):
    """Bill every occupied household of a community for a period."""

    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    period = forms.CharField(label=_("Period"), max_length=7, help_text=_("2026-11, 2026-Q4 or 2026."))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class PaymentForm(forms.Form):
    """A payment of one bill, in whole or in part."""

    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    payer = forms.CharField(label=_("Paid by"), max_length=40, required=False)
