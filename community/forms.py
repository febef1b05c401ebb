"""Form helpers shared by every app's admin views and pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def add_action_error(form, exc: Exception) -> None:
    """Put what an action refused (ValidationError or PermissionDenied) on the form: on the fields it names
    when the form has them, on the form as a whole otherwise."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", None) or str(exc))
