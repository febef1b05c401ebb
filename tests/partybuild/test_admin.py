"""Admin: changelists with flat query counts; rule-bearing adds go through actions and show form errors."""

import pytest
from django.urls import reverse

from partybuild.models import Assignment, Visit
from tests import factories as f
from tests.conftest import assert_flat
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db
MODELS = {
    "partyorganisation": "PartyOrganisation",
    "partymember": "PartyMember",
    "position": "Position",
    "liaison": "Liaison",
    "assignment": "Assignment",
    "visit": "Visit",
    "visitsduenotice": "VisitsDueNotice",
    "coveragereport": "CoverageReport",
}


@pytest.mark.parametrize("model", MODELS)
def test_changelist_query_count_is_flat(model, client, town, community_a, count_queries):
    client.force_login(f.town_cadre_of(town))
    make = f.SCOPED_FACTORIES[f"partybuild.{MODELS[model]}"]
    make(community_a)
    url = reverse(f"admin:partybuild_{model}_changelist")
    assert client.get(url).status_code == 200
    with count_queries() as few:
        client.get(url)
    for _ in range(8):
        make(community_a)
    with count_queries() as many:
        response = client.get(url)
    assert len(response.context["cl"].result_list) >= 9
    assert_flat(few, many)


def test_admin_add_assignment_goes_through_the_rules(client, staff_a, community_a):
    client.force_login(staff_a)
    member, household = pf.member_of(community_a), pf.household_in(community_a)
    pf.cover(pf.member_of(community_a, name="已包户"), household)
    url = reverse("admin:partybuild_assignment_add")
    data = {"member": member.pk, "role": "household", "household": household.pk, "start": "2025-01-01"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "已包户" in str(response.context["adminform"].form.non_field_errors())
    assert Assignment.objects.count() == 1
    other = pf.household_in(community_a)
    response = client.post(url, {**data, "household": other.pk})
    assert response.status_code == 302
    created = Assignment.objects.get(household=other)
    assert created.member == member and created.created_by == staff_a and created.community == community_a
    assert created.history.count() == 1


def test_admin_refuses_a_foreign_household(client, staff_a, community_a, community_b):
    client.force_login(staff_a)
    data = {
        "member": pf.member_of(community_a).pk,
        "role": "household",
        "household": pf.household_in(community_b).pk,
        "start": "2025-01-01",
    }
    response = client.post(reverse("admin:partybuild_assignment_add"), data)
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Assignment.objects.exists()


def test_admin_visit_by_non_coverer_is_flagged(client, staff_a, community_a):
    client.force_login(staff_a)
    data = {
        "member": pf.member_of(community_a).pk,
        "household": pf.household_in(community_a).pk,
        "date": "2025-04-01",
        "way": "phone",
        "raised": "",
    }
    response = client.post(reverse("admin:partybuild_visit_add"), data, follow=True)
    assert response.status_code == 200
    visit = Visit.objects.get()
    assert not visit.by_coverer and visit.recorded_by == staff_a
    assert any("flagged" in str(m) or "标记" in str(m) for m in response.context["messages"])


def test_admin_action_ends_assignments(client, staff_a, community_a):
    client.force_login(staff_a)
    assignment = pf.cover(pf.member_of(community_a), pf.household_in(community_a))
    response = client.post(
        reverse("admin:partybuild_assignment_changelist"),
        {"action": "end_assignments", "_selected_action": [assignment.pk]},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end and assignment.end_reason == "other" and assignment.ended_by == staff_a


def test_town_cadre_edits_the_town_committee(client, town, staff_a):
    committee = pf.committee_of(town)
    client.force_login(f.town_cadre_of(town))
    url = reverse("admin:partybuild_partyorganisation_change", args=[committee.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "committee", "name": "中共城关镇委员会（新）", "parent": "", "community": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    committee.refresh_from_db()
    assert committee.name.endswith("（新）")
    client.force_login(staff_a)
    assert client.get(url).status_code in (302, 403, 404)


def test_changelist_lists_assignments_ended_without_successor(client, staff_a, community_a):
    from partybuild import actions

    client.force_login(staff_a)
    orphan = pf.cover(pf.member_of(community_a), pf.household_in(community_a))
    handed = pf.cover(pf.member_of(community_a), pf.household_in(community_a))
    actions.assignment_end(by=staff_a, assignment_id=orphan.pk, reason="moved")
    actions.assignment_handover(by=staff_a, assignment_id=handed.pk, to_member_id=pf.member_of(community_a).pk)
    response = client.get(reverse("admin:partybuild_assignment_changelist"), {"successor": "none"})
    assert [a.pk for a in response.context["cl"].result_list] == [orphan.pk]
