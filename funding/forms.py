"""Public forms of the funding app."""

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
