"""Template helpers of the residents' pages: the elderly mode, plain error messages, Chinese dates.

- ``{% elderly_mode as elderly %}``: whether the resident switched the elderly mode (长辈模式) on.
- ``{% elderly_switch_url as url %}``: the link that flips it and comes back to this page
  (empty when the switch is not routed).
- ``{{ field|plain_errors }}``: a field's error messages, with Django's terse "This field is
  required." replaced by a sentence saying what to do (fill in, choose, tick).
- ``{{ value|as_date }}``: a date or an ISO ``YYYY-MM-DD`` string (as stored in published
  snapshots) as a ``date``, so that ``|date`` shows it in the reader's format (``2026年3月5日``).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from community.public_views import elderly_mode_on

register = template.Library()


@register.simple_tag(takes_context=True)
def elderly_mode(context) -> bool:
    request = context.get("request")
    return request is not None and elderly_mode_on(request)


@register.simple_tag(takes_context=True)
def elderly_switch_url(context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    try:
        base = reverse("elderly-mode")
    except NoReverseMatch:
        return ""
    params = {"next": request.get_full_path()}
    if not elderly_mode_on(request):
        params = {"on": "1", **params}
    return f"{base}?{urlencode(params)}"


def _required_message(field) -> str:
    kind = getattr(field, "widget_type", "")
    if kind == "checkbox":
        return _("Tick this box to go on.")
    if kind in {"select", "radioselect", "checkboxselectmultiple", "selectmultiple"}:
        return _("Choose one of the options.")
    if kind in {"file", "clearablefile", "multiplefile"}:
        return _("Add a file.")
    return _("This cannot be left empty: please fill it in.")


@register.filter
def plain_errors(field) -> list[str]:
    """The bound field's messages, a plain instruction instead of Django's generic "required"."""
    messages = []
    for error in field.errors.as_data():
        params = error.params or {}
        if error.code == "required":
            messages.append(_required_message(field))
        elif error.code == "min_length" and "limit_value" in params:
            messages.append(
                _("Write at least %(limit)d characters (now %(now)d).")
                % {"limit": params["limit_value"], "now": params.get("show_value", 0)}
            )
        elif error.code == "max_length" and "limit_value" in params:
            messages.append(
                _("Write at most %(limit)d characters (now %(now)d): please shorten it.")
                % {"limit": params["limit_value"], "now": params.get("show_value", 0)}
            )
        else:
            messages.extend(error.messages)
    return messages


@register.filter
def as_date(value):
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value
