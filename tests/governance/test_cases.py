"""Confidential case records: masked for everyone but the handler, reveals logged, never public."""

import pytest
from django.urls import reverse

from community.models import PersonalDataAccess
from tests import factories as f
from tests.governance import factories as gf

pytestmark = pytest.mark.django_db


def test_api_masks_the_parties_for_other_staff(client, community_a):
    case = gf.mediation(community_a)
    colleague = f.staff_of(community_a)
    client.force_login(colleague)
    row = client.get(reverse("governance-mediation-detail", args=[case.pk])).json()
    assert row["applicant_name"] == "赵*明" and row["applicant_phone"] == "138****2222"
    assert "13811112222" not in client.get(reverse("governance-mediation-list")).content.decode()
    client.force_login(case.handler)
    row = client.get(reverse("governance-mediation-detail", args=[case.pk])).json()
    assert (row["applicant_name"], row["applicant_phone"]) == ("赵大明", "13811112222")


def test_reveal_needs_a_reason_and_is_logged(client, community_a):
    case = gf.legal_aid(community_a)
    colleague = f.staff_of(community_a)
    client.force_login(colleague)
    url = reverse("governance-legal-aid-reveal", args=[case.pk])
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 400
    assert not PersonalDataAccess.objects.exists()
    answer = client.post(url, {"reason": "调解员交接"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json() == [{"name": "孙建国", "phone": "13755556666"}]
    log = PersonalDataAccess.objects.get()
    assert (log.user_id, log.kind, log.object_id, log.reason) == (colleague.pk, "reveal", str(case.pk), "调解员交接")


def test_a_role_without_the_cases_sees_nothing(client, community_a, town):
    gf.order_record(community_a)
    client.force_login(f.town_cadre_of(town))
    assert client.get(reverse("governance-public-order-list")).status_code == 403
    assert client.get(reverse("admin:governance_publicorderrecord_changelist")).status_code == 403


def test_admin_list_and_form_mask_for_other_staff(client, community_a):
    case = gf.mediation(community_a)
    client.force_login(f.staff_of(community_a))
    listing = client.get(reverse("admin:governance_mediationcase_changelist")).content.decode()
    assert "赵*明" in listing and "赵大明" not in listing and "13811112222" not in listing
    form = client.get(reverse("admin:governance_mediationcase_change", args=[case.pk])).content.decode()
    assert "赵大明" not in form and "13811112222" not in form
    client.force_login(case.handler)
    form = client.get(reverse("admin:governance_mediationcase_change", args=[case.pk])).content.decode()
    assert "赵大明" in form
    assert PersonalDataAccess.objects.filter(user=case.handler, object_id=str(case.pk)).exists()


def test_case_rules_are_form_errors(client, community_a):
    staff = f.staff_of(community_a)
    client.force_login(staff)
    response = client.post(
        reverse("admin:governance_mediationcase_add"),
        {
            "community": community_a.pk,
            "number": "TJ-1",
            "handler": staff.pk,
            "received_on": "2026-11-02",
            "dispute_kind": "family",
            "applicant_name": "甲",
            "respondent_name": "乙",
            "summary": "家庭纠纷",
            "outcome": "agreed",
        },
    )
    assert response.status_code == 200
    assert "agreement" in response.context["adminform"].form.errors
    from governance.models import MediationCase

    assert not MediationCase.objects.exists()
