"""``{{ value|figure }}``: a number in the platform's one format (``community.dashboard.figure_text``), "—" for none.

For numbers a template shows outside an ``Indicator`` (the tables under the charts), so the page reads as
the XLSX and the PDF do.
"""

from django import template

from community.dashboard import NO_DATA, figure_text

register = template.Library()


@register.filter
def figure(value, kind: str = ""):
    if value is None or value == "":
        return NO_DATA
    return figure_text(value, kind)
