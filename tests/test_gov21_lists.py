"""Every list added for issue 21's remaining parts keeps a flat query count: the admin changelists and the API
lists of the community's own economy and the departments' grants (funding), the department staff placed in
communities (governance) and the resident units' obligations (services); and the arrears list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.choices import Role, ScopeLevel
from tests import factories as f
from tests.conftest import assert_flat
from tests.funding import factories as ff  # noqa: F401  (registers the economy's factories)
from tests.governance import factories as gf  # noqa: F401
from tests.services import factories as sf  # noqa: F401

pytestmark = pytest.mark.django_db

ADMIN = [
    "funding.PropertyFeeSchedule",
    "funding.HouseholdArea",
    "funding.PropertyFeeBill",
    "funding.PropertyFeeReceipt",
    "funding.PartnerCompany",
    "funding.ReferralFee",
    "funding.DepartmentGrant",
    "governance.DepartmentPlacement",
    "services.UnitObligation",
    "services.ObligationFulfilment",
]
API = {
    "fee-schedule-list": "funding.PropertyFeeSchedule",
    "billed-area-list": "funding.HouseholdArea",
    "fee-bill-list": "funding.PropertyFeeBill",
    "fee-receipt-list": "funding.PropertyFeeReceipt",
    "partner-company-list": "funding.PartnerCompany",
    "referral-fee-list": "funding.ReferralFee",
    "department-grant-list": "funding.DepartmentGrant",
    "governance-placement-list": "governance.DepartmentPlacement",
    "unit-obligation-list": "services.UnitObligation",
    "obligation-fulfilment-list": "services.ObligationFulfilment",
}
MORE = 6


def _rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def _measure(client, url, make, community, count_queries, *, rows=None):
    make(community)
    assert client.get(url).status_code == 200  # warm the caches (content types, permissions)
    with count_queries() as few:
        client.get(url)
    for _ in range(MORE):
        make(community)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    if rows is not None:
        assert len(rows(response)) == MORE + 1
    assert_flat(few, many)
    return response


@pytest.mark.parametrize("label", ADMIN)
def test_admin_changelists_query_count_is_flat(label, client, staff_a, community_a, count_queries):
    app, name = label.lower().split(".")
    client.force_login(staff_a)
    response = _measure(
        client, reverse(f"admin:{app}_{name}_changelist"), f.SCOPED_FACTORIES[label], community_a, count_queries
    )
    assert response.context["cl"].result_count == MORE + 1


@pytest.mark.parametrize("url_name", sorted(API))
def test_api_lists_query_count_is_flat(url_name, client, staff_a, community_a, count_queries):
    client.force_login(staff_a)
    _measure(client, reverse(url_name), f.SCOPED_FACTORIES[API[url_name]], community_a, count_queries, rows=_rows)


def test_the_arrears_list_query_count_is_flat(client, staff_a, community_a, count_queries):
    """The bills past due (the arrears list), in the admin and the API, whatever their number."""
    client.force_login(staff_a)
    make = f.SCOPED_FACTORIES["funding.PropertyFeeBill"]  # due in 2026-03: past due
    admin_url = reverse("admin:funding_propertyfeebill_changelist") + "?arrears=yes"
    response = _measure(client, admin_url, make, community_a, count_queries)
    assert response.context["cl"].result_count == MORE + 1
    _measure(client, reverse("fee-bill-list") + "?arrears=yes", lambda c: None, community_a, count_queries)
    assert len(_rows(client.get(reverse("fee-bill-list") + "?arrears=yes"))) == MORE + 1


def test_a_liaisons_placements_and_grants_lists_are_flat(client, community_a, community_b, count_queries):
    """The department's own lists, read by its liaison across the county's communities."""
    from community.choices import DepartmentCode

    justice = f.DepartmentFactory(county=community_a.town.county, code=DepartmentCode.JUSTICE)
    liaison = f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=justice)
    client.force_login(liaison)
    for url_name, label in (
        ("governance-placement-list", "governance.DepartmentPlacement"),
        ("department-grant-list", "funding.DepartmentGrant"),
    ):
        placed = f.PLACED_FACTORIES[label]
        communities = iter([community_a, community_b] * MORE)

        def make(_community, placed=placed, communities=communities):
            return placed(next(communities), justice)

        _measure(client, reverse(url_name), make, None, count_queries)
        assert len(_rows(client.get(reverse(url_name)))) == MORE + 1
