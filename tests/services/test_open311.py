"""Open311 GeoReport v2, exercised the way an Open311 client does: discover, list, define, submit, follow."""

from xml.etree import ElementTree as ET

import pytest

from services import actions
from services.choices import Channel, Status
from services.models import Open311Client, ServiceRequest
from tests.services import factories as sf

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def api_key(db):
    return Open311Client.objects.create(name="市民通").api_key


def test_discovery_in_json_and_xml(client):
    body = client.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert "text/xml" in endpoint["formats"]
    xml = client.get(f"{BASE}/discovery.xml")
    assert xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["application/json", "text/xml"]


def test_services_and_their_definitions(client, category, community_a):
    sf.category(code="retired", name="停用", active=False)
    services = client.get(f"{BASE}/services.json", {"jurisdiction_id": community_a.code}).json()
    assert [s["service_code"] for s in services] == ["repair"]
    assert services[0]["metadata"] is True and services[0]["type"] == "realtime"
    root = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code").text == "repair"
    definition = client.get(f"{BASE}/services/repair.json").json()
    attribute = definition["attributes"][0]
    assert attribute["code"] == "location" and attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is True and {"key": "stair", "name": "楼道"} in attribute["values"]
    xml = ET.fromstring(client.get(f"{BASE}/services/repair.xml").content)
    assert xml.tag == "service_definition"
    assert xml.find("attributes/attribute/values/value/key").text == "stair"
    missing = client.get(f"{BASE}/services/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "nowhere"}).status_code == 404
    assert client.get(f"{BASE}/services.yaml").status_code == 404


def post_request(client, fmt="json", **extra):
    data = {
        "jurisdiction_id": extra.pop("jurisdiction_id"),
        "service_code": "repair",
        "lat": "30.123456",
        "long": "120.654321",
        "address_string": "东风路18号",
        "description": "路灯不亮",
        "first_name": "明",
        "last_name": "王",
        "phone": "13912340000",
        "attribute[location]": "stair",
    }
    data.update(extra)
    return client.post(f"{BASE}/requests.{fmt}", data)


def test_client_submits_and_follows_a_request(client, category, community_a, api_key, staff_a):
    anonymous = post_request(client, jurisdiction_id=community_a.code)
    assert anonymous.status_code == 403
    created = post_request(client, jurisdiction_id=community_a.code, api_key=api_key)
    assert created.status_code == 201, created.content
    answer = created.json()[0]
    req = ServiceRequest.objects.get(pk=answer["service_request_id"])
    assert req.channel == Channel.OPEN311 and req.community == community_a
    assert req.answers == {"location": "stair"} and req.contact_name == "王 明"
    assert str(req.lat) == "30.123456"
    token = client.get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": str(req.pk), "token": answer["token"]}]

    actions.request_move(by=staff_a, request_id=req.pk, to=Status.ACCEPTED, note="已派人查看", public=True)
    public = client.get(f"{BASE}/requests/{req.pk}.json").json()[0]
    assert public["status"] == "open" and public["status_notes"] == "已派人查看"
    assert public["service_code"] == "repair" and public["lat"] == pytest.approx(30.123456)
    assert public["description"] == "" and "东风路18号" not in public["address"]
    assert "13912340000" not in str(public) and "王" not in str(public)
    full = client.get(f"{BASE}/requests/{req.pk}.json", headers={"X-Api-Key": api_key}).json()[0]
    assert full["description"] == "路灯不亮"
    xml = ET.fromstring(client.get(f"{BASE}/requests/{req.pk}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/status").text == "open"
    assert xml.find("request/requested_datetime").text.endswith("+08:00")

    actions.request_reject(by=staff_a, request_id=req.pk, reason="不属于社区受理范围")
    closed = client.get(f"{BASE}/requests/{req.pk}.json").json()[0]
    assert closed["status"] == "closed" and closed["status_notes"] == "不属于社区受理范围"


def test_request_list_filters(client, category, community_a, community_b):
    open_a = sf.service_request(community_a, cat=category)
    closed_a = sf.service_request(community_a, cat=category, status=Status.CLOSED)
    sf.service_request(community_b, cat=category)
    rows = client.get(f"{BASE}/requests.json", {"jurisdiction_id": community_a.code}).json()
    assert {r["service_request_id"] for r in rows} == {str(open_a.pk), str(closed_a.pk)}
    rows = client.get(f"{BASE}/requests.json", {"jurisdiction_id": community_a.code, "status": "closed"}).json()
    assert [r["service_request_id"] for r in rows] == [str(closed_a.pk)]
    rows = client.get(f"{BASE}/requests.json", {"service_request_id": f"{open_a.pk},{closed_a.pk}"}).json()
    assert len(rows) == 2
    assert client.get(f"{BASE}/requests.json", {"service_code": "other"}).json() == []
    assert (
        client.get(f"{BASE}/requests.json", {"start_date": "2000-01-01T00:00:00Z", "end_date": "2000-02-01"}).json()
        == []
    )
    assert client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"service_request_id": "1;drop"}).status_code == 400
    xml = ET.fromstring(client.get(f"{BASE}/requests.xml", {"jurisdiction_id": community_a.code}).content)
    assert len(xml.findall("request")) == 2


@pytest.mark.parametrize(
    "change,status",
    [
        ({"service_code": "nope"}, 400),
        ({"jurisdiction_id": "nowhere"}, 404),
        ({"jurisdiction_id": ""}, 400),
        ({"lat": "north", "long": "x"}, 400),
        ({"lat": "", "long": "", "address_string": ""}, 400),
        ({"description": ""}, 400),
        ({"phone": "12"}, 400),
        ({"attribute[location]": "moon"}, 400),
        ({"api_key": "wrong"}, 403),
    ],
)
def test_bad_submissions_are_clear_errors_and_save_nothing(client, category, community_a, api_key, change, status):
    params = {"jurisdiction_id": community_a.code, "api_key": api_key}
    params.update(change)
    for fmt in ("json", "xml"):
        response = post_request(client, fmt=fmt, **params)
        assert response.status_code == status
        if fmt == "json":
            assert response.json()[0]["description"]
        else:
            assert ET.fromstring(response.content).tag == "errors"
    assert not ServiceRequest.objects.exists()


def test_unknown_request_and_token(client):
    assert client.get(f"{BASE}/requests/999999.json").status_code == 404
    assert client.get(f"{BASE}/tokens/00000000-0000-0000-0000-000000000000.xml").status_code == 404
