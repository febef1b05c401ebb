"""Form helpers shared by every app's admin views and pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction


def add_action_error(form, exc: Exception) -> None:
    """Put what an action refused (ValidationError or PermissionDenied) on the form: on the fields it names
    when the form has them, on the form as a whole otherwise."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", None) or str(exc))


class ActionModelForm(forms.ModelForm):
    """A ModelForm whose saving is an action: ``run`` (each subclass's) is called in ``clean`` inside a
    savepoint, so a refused rule becomes a form error and nothing is half-written; ``result`` is the saved
    object, and the admin's own save then has nothing left to do."""

    user = None
    result = None

    def run(self, cleaned):
        raise NotImplementedError(f"{type(self).__name__} must say which action saves it")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                self.result = self.run(cleaned)
        except (ValidationError, PermissionDenied) as exc:
            add_action_error(self, exc)
        return cleaned

    def _post_clean(self):
        if self.result is not None:
            self.instance = self.result
            return
        if self.errors:
            return
        super()._post_clean()
