"""``{% latest_notices as entries %}``: the newest public items of every community (for the landing page)."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def latest_notices(limit: int = 5):
    return selectors.latest_public_notices(limit=limit)
