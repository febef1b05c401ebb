"""A resident on a phone asks for help with a photo, staff run it through the admin, the resident rates it 不满意."""

import pytest

from services.choices import Status
from services.models import RequestPhoto, ServiceRequest
from tests import factories as f
from tests.services import factories as sf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_request_from_phone_to_reopened(live_server, phone_page, desktop_page, admin_login):
    community = f.CommunityFactory(name="东风社区")
    f.BuildingFactory(zone=f.ZoneFactory(community=community), name="3号楼")
    category = sf.category(code="repair", name="房屋设施报修", resolve_within_days=5)
    staff = f.staff_of(community)

    page = phone_page
    page.goto(f"{live_server.url}/services/")
    page.click("text=东风社区")
    page.click(f"text={category.name}")
    page.select_option("#id_building", label=str(community.zones.get().buildings.get()))
    page.fill("#id_door_number", "2-301")
    page.fill("#id_description", "楼道灯坏了<b>一周</b>")
    page.set_input_files(
        "#id_photos", files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": sf.png_bytes((40, 30))}]
    )
    page.fill("#id_contact_name", "王先生")
    page.fill("#id_contact_phone", "13912345678")
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("button[type=submit]")
    code = page.inner_text("#tracking-code").strip()
    req = ServiceRequest.objects.get()
    assert code == req.display_code and RequestPhoto.objects.filter(request=req).count() == 1
    assert not page.console_errors, page.console_errors

    staff_page = desktop_page
    admin_login(staff_page, staff)
    process = f"{live_server.url}/admin/services/servicerequest/{req.pk}/process/"
    for operation, extra in [
        ("accept", {}),
        ("assign", {"#id_assign-user": str(staff.pk)}),
        ("start", {}),
        ("resolve", {"#id_resolve-note": "已更换灯泡"}),
    ]:
        staff_page.goto(process)
        for selector, value in extra.items():
            if selector == "#id_assign-user":
                staff_page.select_option(selector, value)
            else:
                staff_page.fill(selector, value)
        with staff_page.expect_navigation():
            staff_page.click(f"#step-{operation} input[type=submit]")
        assert f"/servicerequest/{req.pk}/change/" in staff_page.url, operation
    req.refresh_from_db()
    assert req.status == Status.RESOLVED

    page.goto(f"{live_server.url}/services/track/")
    page.fill("#id_code", code)
    page.fill("#id_last4", "5678")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "已更换灯泡" in page.content() and "&lt;b&gt;" in page.content()
    page.check("input[name=rating][value=dissatisfied]")
    page.fill("textarea[name=comment]", "还是不亮")
    with page.expect_navigation():
        page.click("form:has(input[value=rate]) button[type=submit]")
    req.refresh_from_db()
    assert req.status == Status.REOPENED and req.rating == "dissatisfied"
    assert "王先生" not in page.content() and "13912345678" not in page.content()
    assert not page.console_errors, page.console_errors
