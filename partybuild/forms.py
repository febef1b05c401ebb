"""Forms of the coverage page (validated here, written by actions)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AssignForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    member = forms.IntegerField(label=_("Party member"), min_value=1)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
