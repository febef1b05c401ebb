"""The reference scenario's own economy, departments' grants, placements and units' duties: loaded twice without
duplicates, the arrears counted on the dashboard, each grant on its community's ledger; and the done-when of
issue 21 for a resident on a phone: the notices, a meeting's resolutions and the election result are public."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from community.dashboard import SECTIONS, Period
from community.demo import reference as core
from community.scoping import Scope
from funding import reference as funding_reference
from funding.choices import BillStatus, EntryStatus
from funding.models import (
    DepartmentGrant,
    JournalEntry,
    PartnerCompany,
    PropertyFeeBill,
    PropertyFeeReceipt,
    ReferralFee,
)
from governance import reference as governance_reference
from governance.models import DepartmentPlacement, Election, Meeting
from services import reference as services_reference
from services.models import ObligationFulfilment, UnitObligation

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def test_the_reference_economy_is_loaded_once_and_counted(client):
    ctx = core.load_core()
    funding_reference.load(ctx)
    bills = PropertyFeeBill.objects.count()
    grants = DepartmentGrant.objects.count()
    receipts, vouchers = PropertyFeeReceipt.objects.count(), JournalEntry.objects.count()
    funding_reference.load(ctx)
    assert PropertyFeeBill.objects.count() == bills > 0
    assert (PropertyFeeReceipt.objects.count(), JournalEntry.objects.count()) == (receipts, vouchers)
    assert DepartmentGrant.objects.count() == grants == 2 * len(ctx.communities)
    assert PartnerCompany.objects.count() == ReferralFee.objects.count() == len(ctx.communities)
    for grant in DepartmentGrant.objects.select_related("entry"):
        assert grant.entry.community_id == grant.community_id and grant.entry.status == EntryStatus.POSTED
    unpaid = PropertyFeeBill.objects.exclude(status=BillStatus.PAID)
    assert unpaid.exists() and PropertyFeeBill.objects.filter(status=BillStatus.PAID).exists()
    scope = Scope("county", county_id=ctx.county.pk)
    figures = {i.key: i.value for i in SECTIONS["own_economy"].fn(scope, Period.parse("year", "2026"))}
    assert figures["property_bills_in_arrears"] == unpaid.count()
    assert figures["property_arrears_amount"] == sum((b.amount - b.paid for b in unpaid), Decimal("0.00"))


def test_reference_placements_and_duties_and_the_public_pages_on_a_phone(client):
    ctx = core.load_core()
    governance_reference.load(ctx)
    services_reference.load(ctx)
    governance_reference.load(ctx)
    assert DepartmentPlacement.objects.count() == 3 * len(ctx.communities)
    assert UnitObligation.objects.exists() and ObligationFulfilment.objects.exists()
    community = ctx.communities[0]
    headers = {"HTTP_USER_AGENT": PHONE}
    board = client.get(reverse("governance:board", args=[community.code]), **headers)
    assert board.status_code == 200 and 'name="viewport"' in board.content.decode()
    meeting = Meeting.objects.filter(community=community, resolutions__isnull=False).first()
    page = client.get(reverse("governance:meeting", args=[community.code, meeting.pk]), **headers)
    text = page.content.decode()
    assert page.status_code == 200 and meeting.resolutions.first().title in text
    election = Election.objects.get(community=community)
    result = client.get(reverse("governance:election", args=[community.code, election.pk]), **headers)
    assert result.status_code == 200
    assert all(p.phone not in board.content.decode() for p in DepartmentPlacement.objects.all())
