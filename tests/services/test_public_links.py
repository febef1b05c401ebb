"""The landing page's community links carry the community's code; the public pages honour it."""

from django.urls import reverse

from community.templatetags.community_pages import community_links
from tests.services import factories as sf


def test_every_landing_link_of_a_community_opens_its_page(client, community_a, community_b, category):
    links = community_links(community_a)
    service_links = [link.url for link in links if link.url.startswith("/services/")]
    assert service_links, links
    for url in service_links:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert response.context["community"] == community_a, url
    response = client.get(f"{reverse('services:submit')}?community={community_a.code}&category={category.pk}")
    assert response.status_code == 200
    assert response.context["community"] == community_a


def test_facilities_by_code_list_only_that_community(client, community_a, community_b):
    sf.facility(community_a, name="东风活动室")
    sf.facility(community_b, name="西湖图书室")
    html = client.get(f"{reverse('services:facilities')}?community={community_a.code}").content.decode()
    assert "东风活动室" in html and "西湖图书室" not in html


def test_unknown_or_malformed_community_falls_back_to_the_choice(client, community_a, category):
    for value in ("999999999999", "abc", "9" * 40):
        response = client.get(f"{reverse('services:submit')}?community={value}&category={category.pk}")
        assert response.status_code == 302


def test_request_form_query_count_does_not_grow_with_buildings(client, community_a, category, count_queries):
    from tests import factories as f
    from tests.conftest import assert_flat

    zone = f.ZoneFactory(community=community_a)
    f.BuildingFactory(zone=zone)
    url = f"{reverse('services:submit')}?community={community_a.pk}&category={category.pk}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for _ in range(25):
        f.BuildingFactory(zone=f.ZoneFactory(community=community_a))
    with count_queries() as many:
        html = client.get(url).content.decode()
    assert html.count("号楼</option>") == 26
    assert_flat(few, many)
