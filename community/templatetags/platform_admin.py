"""``{% platform_result_list cl %}``: Django's ``{% result_list cl %}`` with the rows built by
``community.admin_results`` (the same HTML, for less), rendered by the same ``change_list_results.html``;
``{% platform_date_hierarchy cl %}``: Django's ``{% date_hierarchy cl %}`` with its links found by
``community.admin_dates`` (the same links, one probe on an index each), rendered by ``date_hierarchy.html``."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from community.admin_dates import date_hierarchy
from community.admin_results import result_list

register = template.Library()


@register.tag(name="platform_result_list")
def platform_result_list(parser, token):
    return InclusionAdminNode(
        parser, token, func=result_list, template_name="change_list_results.html", takes_context=False
    )


@register.tag(name="platform_date_hierarchy")
def platform_date_hierarchy(parser, token):
    return InclusionAdminNode(
        parser, token, func=date_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )
