"""The API's filter backend (utilities/filtering.py) builds a view's FilterSet only when a filter is asked for."""

import pytest
from django.urls import reverse

from community.filters import ResidentFilter
from tests import factories as f
from utilities.filtering import asks_for_a_filter


@pytest.fixture
def built(monkeypatch):
    """How many ResidentFilter instances the requests build."""
    count = []
    original = ResidentFilter.__init__

    def counting(self, *args, **kwargs):
        count.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ResidentFilter, "__init__", counting)
    return count


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def test_a_query_names_a_filter_by_its_name_or_one_of_its_fields():
    names = ["name", "born_after", "q"]
    assert asks_for_a_filter({"name": "张"}, names)
    assert asks_for_a_filter({"born_after_min": "1950"}, names)  # a range filter's field
    assert not asks_for_a_filter({"cursor": "cD0x", "page_size": "10", "ordering": "-id"}, names)
    assert not asks_for_a_filter({"nam": "张", "qq": "1"}, names)
    assert not asks_for_a_filter({}, names)


def test_a_list_without_filters_builds_no_filterset_and_lists_every_row(client, staff_a, community_a, built):
    rows = {f.SCOPED_FACTORIES["community.Resident"](community_a).pk for _ in range(3)}
    client.force_login(staff_a)
    url = reverse("resident-list")
    assert _ids(client.get(url)) == rows
    assert _ids(client.get(url, {"page_size": 2, "ordering": "-id", "unknown": "1"})) <= rows
    assert built == []


def test_a_filter_asked_for_filters_and_a_bad_value_is_still_a_400(client, staff_a, community_a, built):
    first, _second = (f.SCOPED_FACTORIES["community.Resident"](community_a) for _ in range(2))
    client.force_login(staff_a)
    url = reverse("resident-list")
    assert _ids(client.get(url, {"household": first.household_id})) == {first.pk}
    assert built == [1]
    bad = client.get(url, {"household": "abc"})
    assert bad.status_code == 400 and "household" in bad.json()
