"""Forms of the funding app: the public question form and the admin's release form."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class QuestionForm(forms.Form):
    """A resident's question about one line of a published disclosure."""

    line = forms.TypedChoiceField(label=_("Which line"), coerce=int)
    question = forms.CharField(
        label=_("Your question"),
        max_length=1000,
        min_length=4,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"min_length": _("Write at least a few words.")},
    )
    contact = forms.CharField(label=_("Phone or other contact (optional, not shown)"), max_length=40, required=False)
    website = forms.CharField(required=False, widget=forms.HiddenInput, label="")  # honeypot

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (line["n"], f"{line['n']} · {line['summary']} · {line['amount']}") for line in lines
        ]

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""


class ReleaseForm(forms.Form):
    """Release money from a restriction into an unrestricted fund of the same community (a draft voucher)."""

    to_fund = forms.ModelChoiceField(label=_("Into the unrestricted fund"), queryset=None)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    memo = forms.CharField(
        label=_("Summary"),
        max_length=200,
        help_text=_("Why the restriction is released, e.g. the donor's written consent."),
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_fund"].queryset = targets
