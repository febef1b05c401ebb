"""The core's dashboard section: communities, households, residents, vulnerable households (states now)."""

from django.utils.translation import gettext_lazy as _

from utilities.charts import bar_chart

from . import selectors
from .dashboard import NOW, Indicator, section
from .dashboard_links import rows_link

ADMIN = "/admin/community/"


@section("people", _("People and households"), order=10)
def people(scope, period):
    rows = selectors.community_rows(scope=scope)
    names = [r.name for r in rows]
    current = {"moved_out__isnull": "True"}
    vulnerable = rows_link(f"{ADMIN}resident/", scope, vulnerable="yes", **current)
    return [
        Indicator(
            "communities",
            _("Communities"),
            len(rows),
            _("communities"),
            link=rows_link(f"{ADMIN}community/", scope),
            basis=NOW,
        ),
        Indicator(
            "zones",
            _("Zones"),
            sum(r.zones for r in rows),
            _("zones"),
            link=rows_link(f"{ADMIN}zone/", scope),
            basis=NOW,
        ),
        Indicator(
            "buildings",
            _("Buildings"),
            sum(r.buildings for r in rows),
            _("buildings"),
            link=rows_link(f"{ADMIN}building/", scope),
            basis=NOW,
        ),
        Indicator(
            "households",
            _("Households"),
            sum(r.households for r in rows),
            _("households"),
            chart=bar_chart(names, {_("Households"): [r.households for r in rows]}),
            link=rows_link(f"{ADMIN}household/", scope),
            basis=NOW,
        ),
        Indicator(
            "residents",
            _("Residents"),
            sum(r.residents for r in rows),
            _("people"),
            chart=bar_chart(names, {_("Residents"): [r.residents for r in rows]}),
            link=rows_link(f"{ADMIN}resident/", scope, **current),
            basis=NOW,
        ),
        Indicator(
            "vulnerable_households",
            _("Vulnerable households"),
            sum(r.vulnerable_households for r in rows),
            _("households"),
            chart=bar_chart(names, {_("Vulnerable households"): [r.vulnerable_households for r in rows]}),
            link=vulnerable,
            basis=NOW,
            counted=False,  # households of the vulnerable residents listed
        ),
        Indicator(
            "vulnerable_residents",
            _("Vulnerable residents"),
            sum(r.vulnerable_residents for r in rows),
            _("people"),
            link=vulnerable,
            basis=NOW,
        ),
    ]
