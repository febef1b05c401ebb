"""``{% platform_result_list cl %}``: Django's ``{% result_list cl %}`` with the rows built by
``community.admin_results`` (the same HTML, for less), rendered by the same ``change_list_results.html``."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from community.admin_results import result_list

register = template.Library()


@register.tag(name="platform_result_list")
def platform_result_list(parser, token):
    return InclusionAdminNode(
        parser, token, func=result_list, template_name="change_list_results.html", takes_context=False
    )
