"""The rows of an admin changelist, as Django's ``{% result_list %}`` renders them, for less.

Django's ``items_for_result`` works cell by cell: for every row it reverses the row's change URL and, when
the list is filtered, *resolves* that URL again to carry the filters over (a walk through every admin
pattern, per row), and it builds each cell with ``format_html``.  Here what is the same for every row is
worked out once per page: each column's classes and whether it links, the change URL with a slot for the
key and the filters already added; each cell keeps Django's own lookup and display
(``lookup_field``, ``display_for_field``, ``display_for_value``), so its text is the same.  The HTML is
the same as Django's (``tests/community/test_admin_results.py`` compares them for every registered admin);
an editable list, a popup or a list whose rows link elsewhere (its own ``url_for_result``) is left to Django.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote as url_quote

from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe

PK_SLOT = "PKSLOT7f3a9c"  # letters and digits: neither quoted, escaped nor resolved differently from a key
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what ``reverse`` leaves unquoted in a path argument


class _Column:
    __slots__ = ("name", "classes", "link", "tag")

    def __init__(self, name, classes, link, tag):
        self.name, self.classes, self.link, self.tag = name, classes, link, tag


def _columns(cl) -> list[_Column]:
    """Each column's name, its ``field-…`` class, whether it links to the row and in which tag (Django's
    ``link_in_col``: the first linking column is a ``th``)."""
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        if cl.list_display_links is None:
            link = False
        elif first and not cl.list_display_links:
            link = True
        else:
            link = name in cl.list_display_links
        tag = "td"
        if link:
            tag, first = ("th" if first else "td"), False
        columns.append(_Column(name, f"field-{admin_list._coerce_field_name(name, index)}", link, tag))
    return columns


def _change_url(cl):
    """The change URL of a row with ``PK_SLOT`` for its key, the list's filters carried over; None when the
    model has no change view."""
    try:
        url = reverse(
            f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
            args=(PK_SLOT,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None
    return add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)


def _cell(cl, column: _Column, result, empty: str, url: str | None) -> str:
    """One cell's HTML (its text escaped here)."""
    empty_value_display = empty
    classes = column.classes
    try:
        f, attr, value = lookup_field(column.name, result, cl.model_admin)
    except ObjectDoesNotExist:
        result_repr = empty_value_display
    else:
        empty_value_display = getattr(attr, "empty_value_display", empty_value_display)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if f is None or f.auto_created:
            if column.name == "action_checkbox":
                classes = "action-checkbox"
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            result_repr = display_for_value(value, empty_value_display, boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                classes += " nowrap"
        else:
            if isinstance(f.remote_field, models.ManyToOneRel):
                field_value = getattr(result, f.name)
                result_repr = empty_value_display if field_value is None else field_value
            else:
                result_repr = display_for_field(value, f, empty_value_display, avoid_link=column.link)
            if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                classes += " nowrap"
    text = conditional_escape(result_repr)
    if column.link and url is not None:
        pk = url_quote(str(admin_quote(getattr(result, cl.pk_attname))), safe=_URL_SAFE)
        text = f'<a href="{escape(url.replace(PK_SLOT, pk))}">{text}</a>'
    return f'<{column.tag} class="{classes}">{text}</{column.tag}>'


def results(cl):
    columns = _columns(cl)
    empty = cl.model_admin.get_empty_value_display()
    url = _change_url(cl) if any(column.link for column in columns) else None
    for result in cl.result_list:
        # a row's cells joined into one item: the template writes a row's items one after the other, so the
        # HTML is the same, for one template variable per row instead of one per cell
        cells = "".join([_cell(cl, column, result, empty, url) for column in columns])
        yield admin_list.ResultList(None, [mark_safe(cells)])


def result_list(cl) -> dict:
    """The context of ``admin/change_list_results.html``, as Django's ``result_list`` gives it."""
    if cl.formset is not None or cl.is_popup or cl.to_field or type(cl).url_for_result is not ChangeList.url_for_result:
        return admin_list.result_list(cl)  # an editable list, a popup, rows linked elsewhere: Django's own
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": list(results(cl)),
    }
