"""The Atom feed of a community's public board (notices, 财务公开, recruitment publicity)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from community.models import Community

from . import selectors

FEED_ITEMS = 30


class BoardFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, code):
        return get_object_or_404(Community, code=code)

    def title(self, obj):
        return _("%(name)s: public notices") % {"name": obj.name}

    def subtitle(self, obj):
        return _("Community affairs, finances, party affairs and services made public by the committee.")

    def link(self, obj):
        return reverse("governance:board", kwargs={"code": obj.code})

    def items(self, obj):
        return selectors.board(community=obj, limit=FEED_ITEMS)

    def item_title(self, item):
        return f"[{item.category_label}] {item.title}"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return f"{item.url}#{item.key}"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.category_label]
