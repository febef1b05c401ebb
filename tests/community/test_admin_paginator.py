import pytest

from community.models import Resident
from tests import factories as f
from utilities import pagination_admin


@pytest.mark.django_db
def test_exact_below_threshold_and_one_query(community_a, count_queries):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    f.ResidentFactory.create_batch(7, household=household)
    paginator = pagination_admin.EstimatedCountPaginator(Resident.objects.filter(name__startswith="居民"), 5)
    with count_queries() as queries:
        assert paginator.count == 7
    assert len(queries) == 1


@pytest.mark.django_db
def test_estimate_above_threshold(community_a, monkeypatch):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    f.ResidentFactory.create_batch(3, household=household)
    monkeypatch.setattr(pagination_admin, "EXACT_BELOW", 0)
    paginator = pagination_admin.EstimatedCountPaginator(Resident.objects.all(), 5)
    assert isinstance(paginator.count, int) and paginator.count >= 1  # the planner's estimate


@pytest.mark.django_db
def test_quotes_in_filters_are_safe(community_a):
    f.SCOPED_FACTORIES["community.Resident"](community_a)
    queryset = Resident.objects.filter(name="O'Brien'); DROP TABLE community_resident; --")
    assert pagination_admin.EstimatedCountPaginator(queryset, 5).count == 0
    assert Resident.objects.count() == 1


@pytest.mark.django_db
def test_a_list_says_about_where_its_count_may_be_the_estimate(client, admin_user, community_a, monkeypatch):
    """An official comparing the list with the dashboard is told the list's count is an estimate, not misled."""
    from django.urls import reverse

    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    f.ResidentFactory.create_batch(3, household=household)
    client.force_login(admin_user)
    url = reverse("admin:community_resident_changelist")
    response = client.get(url)
    assert not response.context["cl"].paginator.estimated
    html = response.content.decode()
    assert "约" not in html.split('class="paginator"')[1] and "3 条结果" in html
    monkeypatch.setattr(pagination_admin, "EXACT_BELOW", 1)  # any count may be the planner's now
    response = client.get(url)
    cl = response.context["cl"]
    assert cl.paginator.estimated
    html = response.content.decode()
    assert f"约 {cl.result_count}" in html.split('class="paginator"')[1]
    assert f"约 {cl.result_count} 条结果" in html
