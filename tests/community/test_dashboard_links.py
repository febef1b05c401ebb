"""Every linked figure of the dashboard registry equals the count of the list its link opens.

Generated from the registry: each section's indicators at county, town and community scope, on the
reference scenario and on a small generated county, for the last complete month and for the year.
A figure whose link lands on a list of another size is an official misled; the failure lists them all.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from community import dashboard
from community.dashboard import Period, Target
from community.models import Community, County, Town, User
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY_PERIODS = ("month", "year")


def _periods():
    return [Period.last_complete_month(), Period.parse("year", None)]


def _targets(county):
    town = Town.objects.filter(county=county).order_by("pk").first()
    community = Community.objects.filter(town=town).select_related("town").order_by("pk").first()
    return [Target("county", county), Target("town", town), Target("community", community)]


def _list_count(client, link: str) -> int | None:
    response = client.get(link)
    if response.status_code != 200:
        return None
    context = response.context
    if context is not None and "cl" in context:
        return context["cl"].result_count
    if context is not None and "rows_count" in context:
        return context["rows_count"]
    return None


def mismatches(client, county) -> tuple[list[str], int]:
    wrong, checked = [], 0
    for period in _periods():
        for target in _targets(county):
            for section, indicators in dashboard.collect(target.scope(), period):
                for ind in indicators:
                    if not ind.link:
                        continue
                    count = _list_count(client, ind.link)
                    where = f"{target.level} {period.label} {section.key}.{ind.key}"
                    if not ind.counted:  # a sum or ratio: its link must still open the rows it is computed from
                        if count is None:
                            wrong.append(f"{where}: {ind.link} shows no list (or refused it)")
                        continue
                    checked += 1
                    if count is None:
                        wrong.append(f"{where}: {ind.link} shows no countable list (or refused it)")
                    elif Decimal(count) != Decimal(ind.value):
                        wrong.append(f"{where}: figure {ind.value}, list {count} ({ind.link})")
    return wrong, checked


def test_reference_figures_equal_their_rows(settings, client):
    from tests.funding.factories import ensure_defaults

    ensure_defaults()
    settings.DEBUG = True
    call_command("seed_reference", verbosity=0)
    client.force_login(User.objects.get(username="demo_county"))
    wrong, checked = mismatches(client, County.objects.get())
    assert checked >= 40
    assert not wrong, "\n".join(wrong)


def test_generated_county_figures_equal_their_rows(client):
    from tests.funding.factories import ensure_defaults

    ensure_defaults()
    call_command(
        "generate_county",
        *["--towns", "2", "--communities", "3", "--households", "90", "--county-code", "140121", "--no-progress"],
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    county = County.objects.get(code="140121")
    client.force_login(f.official_of(county))
    wrong, checked = mismatches(client, county)
    assert checked >= 30
    assert not wrong, "\n".join(wrong)


# --- the list filters the links use ------------------------------------------------------------------


def _count(client, url: str, **params) -> int:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.context["cl"].result_count


def test_the_roster_age_filter_counts_on_the_roster_day_and_refuses_free_days(client, county, community_a):
    import datetime as dt

    from community.models import PersonalDataAccess
    from staffing import selectors as staffing_selectors
    from staffing.choices import Education
    from staffing.models import StaffMember
    from tests.factories import next_id_number

    on = dt.date(2025, 6, 30)
    for birth in (dt.date(1984, 7, 1), dt.date(1984, 6, 30), dt.date(1995, 1, 1)):  # 40, 41 and 30 on that day
        StaffMember.objects.create(
            community=community_a,
            name="工作者",
            id_number=next_id_number(birth=birth),
            education=Education.SENIOR_HIGH,
            start=dt.date(2020, 1, 1),
        )
    client.force_login(f.official_of(county))
    url = "/admin/staffing/staffmember/"
    assert _count(client, url, on=f"{on}", age="0-40") == 2
    assert _count(client, url, on=f"{on}", age="41-50") == 1
    scope = Target("county", county).scope()
    assert staffing_selectors.composition(scope=scope, on=on).young == 2
    # a free day would let an official without the right to see birth dates bisect one: refused, no rows
    refused = client.get(url, {"on": "2025-06-15", "age": "0-40"})
    assert refused.status_code == 302 and "e=1" in refused["Location"]
    assert client.get(url, {"age": "abc"}).status_code == 302
    assert not PersonalDataAccess.objects.filter(kind=PersonalDataAccess.Kind.REFUSED).exists()


def test_the_household_list_keeps_those_nobody_covers_on_a_day(client, county, community_a, community_b):
    import datetime as dt

    from tests.partybuild.factories import cover, household_in, member_of

    covered, uncovered, elsewhere = household_in(community_a), household_in(community_a), household_in(community_b)
    cover(member_of(community_a), covered, start=dt.date(2025, 1, 1))
    client.force_login(f.official_of(county))
    url = "/admin/community/household/"
    response = client.get(url, {"uncovered_on": "2025-06-30", "unit": f"community-{community_a.pk}"})
    assert [h.pk for h in response.context["cl"].result_list] == [uncovered.pk]
    assert _count(client, url, uncovered_on="2024-12-31", unit=f"community-{community_a.pk}") == 2  # before it began
    assert _count(client, url, uncovered_on="2025-06-30", unit=f"town-{community_a.town_id}") == 2
    assert elsewhere.pk in [h.pk for h in client.get(url, {"uncovered_on": "2025-06-30"}).context["cl"].result_list]


def test_a_task_sent_to_many_communities_is_listed_once_per_unit(client, county, community_a, community_b):
    from tests.worklist.factories import assignment
    from worklist.models import TaskAssignment

    made = assignment(community_a)
    TaskAssignment.objects.create(task=made.task, community=community_b)
    client.force_login(f.official_of(county))
    url = "/admin/worklist/handedtask/"
    assert _count(client, url, unit=f"town-{community_a.town_id}") == 1
    assert _count(client, url, unit=f"community-{community_b.pk}") == 1
    assert _count(client, url, unit="community-999999") == 0


def test_the_filtered_household_list_keeps_a_flat_query_count(client, county, community_a, count_queries):
    from tests.conftest import assert_flat
    from tests.partybuild.factories import household_in

    household_in(community_a)
    client.force_login(f.official_of(county))
    params = {"uncovered_on": "2025-06-30", "unit": f"county-{county.pk}"}
    client.get("/admin/community/household/", params)
    with count_queries() as few:
        client.get("/admin/community/household/", params)
    for _n in range(8):
        household_in(community_a)
    with count_queries() as many:
        response = client.get("/admin/community/household/", params)
    assert response.context["cl"].result_count == 9
    assert_flat(few, many)


def test_the_staffing_figures_follow_the_campaign_the_official_picks(client, county, town, community_a):
    import datetime as dt

    from staffing.choices import CampaignKind
    from staffing.dashboard import staffing
    from tests.staffing.factories import application_in, campaign_in, post_in

    def campaign(announced, applicants):
        made = campaign_in(town, kind=CampaignKind.RECRUITMENT, announced_on=announced)
        post = post_in(community_a, made)
        for _n in range(applicants):
            application_in(community_a, post)
        return made

    earlier, later = campaign(dt.date(2025, 3, 1), 2), campaign(dt.date(2025, 9, 1), 3)
    other = f.CommunityFactory(town=f.TownFactory(county=county))
    elsewhere = campaign_in(other.town, kind=CampaignKind.RECRUITMENT, announced_on=dt.date(2025, 3, 2))
    application_in(other, post_in(other, elsewhere))
    scope = Target("community", community_a).scope()
    period = Period.parse("year", "2025")

    def applicants(**picked):
        figures = {ind.key: ind for ind in staffing(scope, period, **picked)}
        return figures["recruitment_applicants"].value, figures["recruitment_applicants"].note

    assert applicants() == (3, str(later))  # each kind's latest by default, never the sum of both
    assert applicants(campaigns={CampaignKind.RECRUITMENT: earlier.pk}) == (2, str(earlier))
    assert applicants(campaigns={CampaignKind.RECRUITMENT: elsewhere.pk}) == (3, str(later))  # not this unit's
    client.force_login(f.official_of(county))
    link = {ind.key: ind for ind in staffing(scope, period, campaigns={CampaignKind.RECRUITMENT: earlier.pk})}
    assert client.get(link["recruitment_applicants"].link).context["cl"].result_count == 2
