"""The landing page's community links carry the community's code; the public pages honour it."""

from django.core.cache import caches
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
    caches["fragments"].clear()  # both measured pages render their fields (the cached page costs less)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for _ in range(25):
        f.BuildingFactory(zone=f.ZoneFactory(community=community_a))
    with count_queries() as many:  # the cached fields are not reused: the community's buildings changed
        html = client.get(url).content.decode()
    assert html.count("号楼</option>") == 26
    assert_flat(few, many)


def test_request_form_fields_are_rendered_once_until_what_they_show_changes(
    client, community_a, category, count_queries
):
    """The unbound form's fields are cached per worker (``services/form.html``), keyed by what they show: the
    community's buildings and zones, the kind of request and its questions, the language, the elderly mode."""
    from tests import factories as f

    zone = f.ZoneFactory(community=community_a, name="东区")
    building = f.BuildingFactory(zone=zone, name="1号楼")
    url = f"{reverse('services:submit')}?community={community_a.pk}&category={category.pk}"
    with count_queries() as rendered:
        assert "1号楼" in client.get(url).content.decode()
    with count_queries() as cached:
        page = client.get(url)
    assert "1号楼" in page.content.decode() and 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert len(cached) < len(rendered), cached.dump()  # no building list read: it is in the cached fields

    building.name = "9号楼"
    building.save()
    html = client.get(url).content.decode()
    assert "9号楼" in html and "1号楼" not in html
    zone.name = "西区"
    zone.save()
    assert "西区" in client.get(url).content.decode()
    category.questions = [{"code": "floor", "label": "住在几楼", "type": "number", "required": False}]
    category.save()
    assert "住在几楼" in client.get(url).content.decode()

    client.cookies["elderly"] = "1"  # the elderly mode's simplified form is cached apart
    elderly = client.get(url).content.decode()
    assert "simplified-note" in elderly and "住在几楼" not in elderly
    del client.cookies["elderly"]
    assert "住在几楼" in client.get(url).content.decode()


def test_a_form_with_errors_is_never_served_from_the_cache(client, community_a, category):
    url = f"{reverse('services:submit')}?community={community_a.pk}&category={category.pk}"
    client.get(url)
    response = client.post(
        reverse("services:submit"),
        {"community": community_a.pk, "category": category.pk, "description": "灯坏了好几天", "contact_name": "李"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "灯坏了好几天" in html and "errorlist" in html
    assert "灯坏了好几天" not in client.get(url).content.decode()
