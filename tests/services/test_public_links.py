"""The landing page's community links carry the community's code; the public pages honour it."""

import os
import re

import pytest
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
    caches["default"].clear()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for _ in range(25):
        f.BuildingFactory(zone=f.ZoneFactory(community=community_a))
    caches["fragments"].clear()
    caches["default"].clear()
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


def test_the_form_page_is_kept_whole_and_each_visitor_gets_their_own_token(
    client, community_a, category, count_queries
):
    """The unbound form's whole page is kept per worker (``utilities.pages.render_shared``): a later visitor
    costs the two reads of its key, and gets a CSRF token of their own that the post accepts."""
    from django.test import Client

    from tests.services.test_requests import submit_data
    from utilities.pages import CSRF_SLOT

    url = f"{reverse('services:submit')}?community={community_a.pk}&category={category.pk}"
    first = client.get(url).content.decode()
    other = Client(enforce_csrf_checks=True)
    with count_queries() as kept:
        page = other.get(url)
    html = page.content.decode()
    # the ids and changes of the community and the kind of request (their rows are kept too) and the version
    # of the community's buildings, in one query
    assert len(kept) == 1, kept.dump()
    assert CSRF_SLOT not in html and CSRF_SLOT not in first
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert token != re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first).group(1)
    data = {**submit_data(community_a, category), "csrfmiddlewaretoken": token}
    posted = other.post(reverse("services:submit"), data)
    assert posted.status_code == 302, posted.content.decode()[:1000]
    refused = Client(enforce_csrf_checks=True)
    refused.get(url)
    assert refused.post(reverse("services:submit"), submit_data(community_a, category)).status_code == 403


def test_a_page_one_worker_rendered_is_not_rendered_again_by_another(client, community_a, category, monkeypatch):
    """The kept page is also in the cache the workers share (Redis): a worker that has not kept it (its own
    memory emptied here) answers from there without rendering; with that cache down it renders the page."""

    from redis.exceptions import ConnectionError as RedisConnectionError

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: each worker keeps its own pages")

    url = f"{reverse('services:submit')}?community={community_a.pk}&category={category.pk}"
    first = client.get(url)
    assert first.templates, "the first visit renders the page"
    caches["fragments"].clear()  # another worker: nothing in its memory
    again = client.get(url)
    assert again.status_code == 200 and not again.templates
    assert again.content.decode().count(community_a.name) == first.content.decode().count(community_a.name)
    assert 'name="csrfmiddlewaretoken"' in again.content.decode()

    # another address of the same page (a made-up query string, the id written another way) is kept in the
    # worker's bounded memory only: a stream of them must not fill Redis
    written = []
    original_set = caches["default"].set
    monkeypatch.setattr(caches["default"], "set", lambda *a, **k: written.append(a[0]) or original_set(*a, **k))
    for extra in ("&x=1", "&x=2"):
        assert client.get(url + extra).status_code == 200
    assert client.get(f"{reverse('services:submit')}?community=0{community_a.pk}&category={category.pk}").templates
    assert written == []

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    caches["fragments"].clear()
    monkeypatch.setattr(caches["default"], "get", down)
    monkeypatch.setattr(caches["default"], "set", down)
    rendered = client.get(url)
    assert rendered.status_code == 200 and rendered.templates


def test_the_kept_page_follows_the_community_and_is_never_a_signed_in_users(client, community_a, category, staff_a):
    url = f"{reverse('services:submit')}?community={community_a.pk}&category={category.pk}"
    assert community_a.name in client.get(url).content.decode()
    community_a.name = "新改名社区"
    community_a.save()
    assert "新改名社区" in client.get(url).content.decode()

    client.force_login(staff_a)  # a signed-in user's header is their own: rendered for them, never kept
    html = client.get(url).content.decode()
    assert "admin:logout" not in html and reverse("admin:logout") in html
    client.logout()
    assert reverse("admin:logout") not in client.get(url).content.decode()


def test_the_submitted_page_reads_a_signed_cookie_and_the_post_writes_no_session(client, community_a, category):
    from django.contrib.sessions.models import Session

    from services.models import ServiceRequest
    from services.views import SUBMITTED_COOKIE
    from tests.services.test_requests import submit_data

    response = client.post(reverse("services:submit"), submit_data(community_a, category))
    assert response.status_code == 302
    assert not Session.objects.exists() and "sessionid" not in response.cookies
    cookie = response.cookies[SUBMITTED_COOKIE]
    assert cookie["httponly"] and cookie["path"] == reverse("services:submitted")
    req = ServiceRequest.objects.get()
    assert cookie.value.startswith(f"{req.tracking_code}:")  # the code, its time and its signature
    assert req.display_code in client.get(response["Location"]).content.decode()

    client.cookies[SUBMITTED_COOKIE] = req.tracking_code  # a bare code, unsigned: not accepted
    client.cookies[SUBMITTED_COOKIE]["path"] = reverse("services:submitted")
    assert client.get(reverse("services:submitted")).status_code == 302
    client.cookies.clear()
    assert client.get(reverse("services:submitted"))["Location"] == reverse("services:track")


def test_the_building_list_is_djangos_select_with_each_buildings_own_name(community_a, category):
    """``OptionsSelect`` and ``BuildingChoiceIterator`` write, in Python and from one narrow query, the same
    ``<select>`` Django's templates write from a building, zone and community per option."""
    from django import forms

    from community.models import Building
    from services.forms import PublicRequestForm
    from tests import factories as f

    zone = f.ZoneFactory(community=community_a, name="东区")
    f.BuildingFactory(zone=zone, name="2号楼")
    chosen = f.BuildingFactory(zone=zone, name='1号楼 <b>"西"</b>')
    f.BuildingFactory(zone=f.ZoneFactory(community=community_a, name="北区"), name="9号楼")

    class Plain(forms.Form):
        building = forms.ModelChoiceField(Building.objects.none(), required=False)

    def squeeze(html: str) -> str:
        return re.sub(r">\s+<", "><", html.strip())

    for data in (None, {"building": chosen.pk}):
        ours = PublicRequestForm(data, community=community_a, category=category)
        plain = Plain(data)
        plain.fields["building"].queryset = ours.fields["building"].queryset
        assert squeeze(str(ours["building"])) == squeeze(str(plain["building"]))
    html = str(ours["building"])
    assert f"{chosen}".replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in html
    assert f'<option value="{chosen.pk}" selected>' in html


def test_the_forms_kept_parts_are_the_form_rendered_whole_and_shared_between_kinds_of_request(
    client, community_a, category, count_queries
):
    """The unbound form is kept in parts (where, what and who, the questions, the consent), each under what it
    shows: together they are the form ``_form_fields.html`` renders whole, in the standard and the elderly
    mode; another kind of request in the same community reuses the kept building list."""
    from django.template.loader import render_to_string

    from services.forms import PublicRequestForm
    from tests import factories as f
    from tests.services import factories as sf

    f.BuildingFactory(zone=f.ZoneFactory(community=community_a, name="东区"), name="1号楼")
    url = f"{reverse('services:submit')}?community={community_a.pk}&category={category.pk}"

    def squeeze(html: str) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    for elderly in ("", "1"):
        client.cookies["elderly"] = elderly
        page = client.get(url).content.decode()
        kept = page.split('<input type="hidden" name="community"', 1)[1].split('<button type="submit">', 1)[0]
        form = PublicRequestForm(community=community_a, category=category)
        whole = render_to_string("services/_form_fields.html", {"form": form, "elderly": bool(elderly)})
        assert squeeze('<input type="hidden" name="community"' + kept) == squeeze(whole)

    client.cookies["elderly"] = ""
    other = sf.category(name="另一种求助")
    with count_queries() as queries:
        html = client.get(f"{reverse('services:submit')}?community={community_a.pk}&category={other.pk}")
    assert "1号楼" in html.content.decode()
    read = [q["sql"] for q in queries.ctx.captured_queries]
    assert not [sql for sql in read if 'FROM "community_building"' in sql], queries.dump()  # no building list


def _rows(community_value, category_value):
    """The community and the kind of request the form's page finds (``selectors.public_form_page``)."""
    from services import selectors

    target = selectors.public_form_page(community_value, category_value)
    return target.community, target.category


def test_the_form_finds_its_rows_by_code_or_id_and_reads_their_changes_at_once(
    client, community_a, community_b, category, count_queries
):
    """``selectors.public_form_page``: the community by its code (winning over an equal id) or its id, an
    active kind of request by its id; the rows kept in the worker are reloaded once saved, and a kind of
    request made inactive, even by an update that leaves ``updated_at`` as it was, is refused at once."""
    assert _rows(community_a.code, category.pk) == (community_a, category)
    assert _rows(str(community_a.pk), str(category.pk)) == (community_a, category)
    community_b.code = str(community_a.pk)  # a code that equals another community's id
    community_b.save()
    assert _rows(str(community_a.pk), category.pk)[0] == community_b
    assert _rows("", category.pk) == (None, category)
    for community, kind in (("abc", "x"), ("9" * 40, "9" * 40), (None, None), ("0", -1), ("1 OR 1=1", "1;")):
        assert _rows(community, kind) == (None, None)

    with count_queries() as kept:
        found, kind = _rows(community_a.code, category.pk)
    assert len(kept) == 1 and found.name == community_a.name and kind.questions == category.questions
    community_a.name = "东风新社区"
    community_a.save()
    found, _kind = _rows(community_a.code, category.pk)
    assert found.name == "东风新社区"
    url = f"{reverse('services:submit')}?community={community_a.code}&category={category.pk}"
    assert "东风新社区" in client.get(url).content.decode()

    type(category).objects.filter(pk=category.pk).update(active=False)
    assert _rows(community_a.code, category.pk) == (community_a, None)
    assert client.get(url).status_code == 302


def test_the_page_reads_its_buildings_version_in_the_query_that_finds_its_community(
    client, community_a, community_b, category, building_a, count_queries
):
    """``selectors.public_form_page``: the community and kind of request (``_rows``) and the community's
    ``buildings_version`` in one query; a building added, renamed or moved changes it, as the form's own
    version does, and the kept page shows the change."""
    from community import selectors as community_selectors
    from services import selectors
    from tests import factories as f

    _rows(community_a.code, category.pk)  # the rows kept in the worker
    with count_queries() as one:
        target = selectors.public_form_page(community_a.code, category.pk)
    version = target.buildings
    assert len(one) == 1 and (target.community, target.category) == (community_a, category)
    assert version == community_selectors.buildings_version(community_a)
    assert selectors.public_form_page(community_b.code, category.pk).buildings == (
        community_selectors.buildings_version(community_b)
    )
    assert selectors.public_form_page("abc", category.pk) == selectors.FormTarget(None, category)

    url = f"{reverse('services:submit')}?community={community_a.pk}&category={category.pk}"
    assert "3号楼" in client.get(url).content.decode()
    added = f.BuildingFactory(zone=building_a.zone, name="新建9号楼")
    assert selectors.public_form_page(community_a.code, category.pk).buildings != version
    assert "新建9号楼" in client.get(url).content.decode()
    added.name = "改名9号楼"
    added.save()
    assert "改名9号楼" in client.get(url).content.decode()
