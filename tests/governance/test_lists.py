"""Every list of the governance app keeps a flat query count (admin changelists, API lists, public pages)."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import assert_flat
from tests.governance import factories as gf

pytestmark = pytest.mark.django_db

MODELS = [
    "notice",
    "meeting",
    "resolution",
    "election",
    "voter",
    "rollobjection",
    "candidate",
    "ballotbox",
    "mediationcase",
    "legalaidcase",
    "publicorderrecord",
]
API = {
    "governance-notice-list": "governance.Notice",
    "governance-attachment-list": "governance.NoticeAttachment",
    "governance-meeting-list": "governance.Meeting",
    "governance-agenda-list": "governance.AgendaItem",
    "governance-attendee-list": "governance.Attendee",
    "governance-resolution-list": "governance.Resolution",
    "governance-election-list": "governance.Election",
    "governance-voter-list": "governance.Voter",
    "governance-objection-list": "governance.RollObjection",
    "governance-candidate-list": "governance.Candidate",
    "governance-box-list": "governance.BallotBox",
    "governance-mediation-list": "governance.MediationCase",
    "governance-legal-aid-list": "governance.LegalAidCase",
    "governance-public-order-list": "governance.PublicOrderRecord",
}


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelists_query_count_is_flat(model, client, staff_a, community_a, count_queries):
    label = {m._meta.model_name: m._meta.label for m in _models()}[model]
    make = f.SCOPED_FACTORIES[label]
    client.force_login(staff_a)
    make(community_a)
    url = reverse(f"admin:governance_{model}_changelist")
    assert client.get(url).status_code == 200
    with count_queries() as few:
        client.get(url)
    for _ in range(6):
        make(community_a)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert_flat(few, many)


def _models():
    from django.apps import apps

    return apps.get_app_config("governance").get_models()


@pytest.mark.parametrize("url_name", sorted(API))
def test_api_lists_query_count_is_flat(url_name, client, staff_a, community_a, count_queries):
    make = f.SCOPED_FACTORIES[API[url_name]]
    client.force_login(staff_a)
    make(community_a)
    client.get(reverse(url_name))
    with count_queries() as few:
        client.get(reverse(url_name))
    for _ in range(6):
        make(community_a)
    with count_queries() as many:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 7
    assert_flat(few, many)


@pytest.mark.parametrize("page", ["board", "meetings", "elections", "feed"])
def test_public_pages_query_count_is_flat(page, client, community_a, count_queries):
    from governance.choices import ElectionStatus

    def make():
        meeting = gf.held_meeting(community_a)
        gf.resolution(community_a, meeting=meeting, notice=gf.notice(community_a))
        gf.election(community_a, status=ElectionStatus.PUBLISHED)

    url = reverse(f"governance:{page}", kwargs={"code": community_a.code})
    make()
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for _ in range(5):
        make()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert_flat(few, many)
