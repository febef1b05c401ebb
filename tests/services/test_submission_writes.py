"""What a resident's request writes, each with as few statements as it takes.

The community's staff are notified with one statement (services.actions.notifications._notify_staff): every
active member of the community's staff with an e-mail address gets one pending row, handed to the worker once the
request is committed; nobody else does; with nobody to e-mail, one row is kept, marked sent.  The household is
linked by its key, looked up from the building and door."""

from unittest import mock

from services import actions
from services.choices import Channel, NotificationStatus
from services.models import Notification
from tests import factories as f
from tests.services.test_requests import submit_data


def _submit(community, category):
    return actions.request_submit(
        community=community,
        category=category,
        description="楼道灯坏了，晚上看不见",
        contact_name="王阿姨",
        contact_phone="13800138000",
        address="3号楼",
        answers={"location": "stair"},
        channel=Channel.WEB,
    )


def test_each_of_the_communitys_staff_with_an_address_is_notified_after_commit(
    community_a, community_b, town, category, django_capture_on_commit_callbacks
):
    first = f.staff_of(community_a, email="first@example.org")
    second = f.staff_of(community_a, email="second@example.org")
    f.staff_of(community_a, email="")  # no address
    f.staff_of(community_a, email="gone@example.org", is_active=False)
    f.staff_of(community_b, email="other@example.org")  # another community
    f.town_cadre_of(town, email="cadre@example.org")  # the town is not told of every request
    with (
        mock.patch("services.actions.notifications.enqueue_notification") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        req = _submit(community_a, category)
        assert enqueue.call_count == 0  # nothing is sent before the request is committed
    rows = list(Notification.objects.filter(request=req).order_by("recipient_id"))
    assert [(n.recipient, n.email, n.status, n.attempts) for n in rows] == [
        (first, "first@example.org", NotificationStatus.PENDING, 0),
        (second, "second@example.org", NotificationStatus.PENDING, 0),
    ]
    assert all(n.subject.startswith("New service request") and community_a.name in n.body for n in rows)
    assert all(n.created_at is not None and n.sent_at is None for n in rows)
    assert sorted(call.args[0] for call in enqueue.call_args_list) == sorted(n.pk for n in rows)


def test_with_nobody_to_email_one_row_is_kept_for_the_admins_list(community_a, category):
    f.staff_of(community_a, email="")
    with mock.patch("services.actions.notifications.enqueue_notification") as enqueue:
        req = _submit(community_a, category)
    (row,) = Notification.objects.filter(request=req)
    assert row.recipient is None and row.status == NotificationStatus.SENT and row.sent_at is not None
    assert enqueue.call_count == 0


def test_a_post_links_the_household_of_its_building_and_door(client, community_a, category, building_a):
    from django.urls import reverse

    from community.models import Household
    from services.models import ServiceRequest

    door = Household.objects.create(building=building_a, number="2-301")
    Household.objects.create(building=building_a, number="2-302")
    data = submit_data(community_a, category, building=building_a.pk, address="")
    for number, phone, household in (("2-301", "13800138001", door), ("9-999", "13800138002", None)):
        response = client.post(reverse("services:submit"), {**data, "door_number": number, "contact_phone": phone})
        assert response.status_code == 302, response.content.decode()[:1000]
        req = ServiceRequest.objects.get(contact_phone=phone)
        assert req.household == household and req.building == building_a
        assert req.history.get().household_id == (household.pk if household else None)


def test_a_post_reads_its_community_building_and_door_in_one_query(client, community_a, community_b, category):
    """``selectors.public_form_post``: the building (with its zone) as the ORM builds it, only if it is the
    community's, and the household at its door; the post then reads no other row before it writes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from community.models import Building, Household
    from services import selectors
    from services.models import ServiceRequest

    building = f.BuildingFactory(zone=f.ZoneFactory(community=community_a), name="5号楼")
    door = Household.objects.create(building=building, number="1-502")
    elsewhere = f.BuildingFactory(zone=f.ZoneFactory(community=community_b))

    found = selectors.public_form_post(community_a.code, category.pk, str(building.pk), " 1-502 ")
    loaded = Building.objects.select_related("zone").get(pk=building.pk)
    assert (found.community, found.category) == (community_a, category)
    assert [getattr(found.building, f.attname) for f in Building._meta.concrete_fields] == [
        getattr(loaded, f.attname) for f in Building._meta.concrete_fields
    ]
    assert found.building.zone.community_id == community_a.pk and found.building.zone.name == loaded.zone.name
    assert (found.door.building_id, found.door.number, found.door.household_id) == (building.pk, "1-502", door.pk)
    assert selectors.public_form_post(community_a.code, category.pk, building.pk, "9-9").door.household_id is None
    assert selectors.public_form_post(community_a.code, category.pk, building.pk, "").door is None
    other = selectors.public_form_post(community_a.code, category.pk, elsewhere.pk, "1-502")
    assert other.building is None and other.door is None  # another community's building is no choice here
    assert selectors.public_form_post(community_a.code, category.pk, "abc", "1-502").building is None

    data = submit_data(
        community_a, category, building=building.pk, door_number="1-502", address="", contact_phone="13800138009"
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("services:submit"), data)
    assert response.status_code == 302, response.content.decode()[:1000]
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads  # the community, the kind of request, the building and the door
    req = ServiceRequest.objects.get(contact_phone="13800138009")
    assert (req.building, req.household) == (building, door)
    refused = client.post(
        reverse("services:submit"), {**data, "building": elsewhere.pk, "contact_phone": "13800138010"}
    )
    assert refused.status_code == 400 and not ServiceRequest.objects.filter(contact_phone="13800138010").exists()


def test_a_nul_byte_or_an_overlong_value_names_no_row_and_is_no_500(client, community_a, category):
    """PostgreSQL refuses a NUL byte in any string: the form's community and door are refused before the query."""
    from django.urls import reverse

    from services import selectors

    building = f.BuildingFactory(zone=f.ZoneFactory(community=community_a))
    for door in ("1-101\x00", "9" * 200):
        found = selectors.public_form_post(community_a.code, category.pk, building.pk, door)
        assert found.building == building and found.door is None
    assert selectors.public_form_page(f"{community_a.code}\x00", category.pk).community is None
    assert selectors.public_community(f"{community_a.code}\x00") is None
    bad = submit_data(community_a, category, building=building.pk, door_number="1-1\x00", address="")
    assert client.post(reverse("services:submit"), bad).status_code == 400
    assert client.get(reverse("services:index"), {"community": "1\x00"}).status_code == 200
