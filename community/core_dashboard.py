"""The core's dashboard section: communities, households, residents, vulnerable households."""

from django.utils.translation import gettext_lazy as _

from . import selectors
from .charts import bar_chart
from .dashboard import Indicator, section


@section("people", _("People and households"), order=10)
def people(scope, period):
    rows = selectors.community_rows(scope=scope)
    names = [r.name for r in rows]
    return [
        Indicator("communities", _("Communities"), len(rows), _("communities"), link="/admin/community/community/"),
        Indicator("zones", _("Zones"), sum(r.zones for r in rows), _("zones"), link="/admin/community/zone/"),
        Indicator(
            "buildings",
            _("Buildings"),
            sum(r.buildings for r in rows),
            _("buildings"),
            link="/admin/community/building/",
        ),
        Indicator(
            "households",
            _("Households"),
            sum(r.households for r in rows),
            _("households"),
            chart=bar_chart(names, {_("Households"): [r.households for r in rows]}),
            link="/admin/community/household/",
        ),
        Indicator(
            "residents",
            _("Residents"),
            sum(r.residents for r in rows),
            _("people"),
            chart=bar_chart(names, {_("Residents"): [r.residents for r in rows]}),
            link="/admin/community/resident/",
        ),
        Indicator(
            "vulnerable_households",
            _("Vulnerable households"),
            sum(r.vulnerable_households for r in rows),
            _("households"),
            chart=bar_chart(names, {_("Vulnerable households"): [r.vulnerable_households for r in rows]}),
            link="/admin/community/resident/?vulnerable=yes",
        ),
        Indicator(
            "vulnerable_residents",
            _("Vulnerable residents"),
            sum(r.vulnerable_residents for r in rows),
            _("people"),
            link="/admin/community/resident/?vulnerable=yes",
        ),
    ]
