"""The admin home's workbench and its task groups (see ``utilities.workbench``)."""

from django import template

from utilities import workbench

register = template.Library()


@register.simple_tag
def workbench_items(user):
    return workbench.items_for(user)


@register.filter
def by_task(app_list):
    return workbench.task_groups(app_list)
