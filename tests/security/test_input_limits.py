"""Issue 16, item 7 (limits on input): every 500 the attacker found is a 400, and hostile values are refused.

The attacks first: deeply nested JSON to any JSON write was a ``RecursionError`` (500); ``POST
/api/v1/staffing/examiners/{id}/relation/`` with an unknown applicant was a ``DoesNotExist`` (500); an
8,000-line voucher held a worker for 15.7 s; control characters made Open311's XML malformed; number
answers took ``NaN`` and ``1e999999``; voucher dates 0001-01-01 and 9999-12-31 were accepted.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.exceptions import ParseError

from community import validators
from tests import factories as f
from tests.staffing.conftest import build, cadre  # noqa: F401  (fixtures: a campaign with examiners)
from utilities import parsers

from .wiring import wired_api  # noqa: F401  (fixture: the REST_FRAMEWORK lines the report asks for)

DEEP = "[" * 100_000 + "]" * 100_000  # CPython's json raises RecursionError on this


# --- the JSON parser ------------------------------------------------------------------------------


def test_plain_json_overflows_on_deep_nesting_which_the_parser_refuses():
    with pytest.raises(RecursionError):
        json.loads(DEEP)  # the attack: DRF's parser let this escape as a 500
    with pytest.raises(ValueError, match="nests deeper"):
        parsers.loads(DEEP)


@pytest.mark.parametrize("levels,ok", [(parsers.MAX_DEPTH, True), (parsers.MAX_DEPTH + 1, False)])
def test_depth_limit_is_exact(levels, ok):
    text = '{"a":' * (levels - 1) + "[1]" + "}" * (levels - 1)
    assert parsers.depth(json.loads(text)) == levels
    if ok:
        assert parsers.loads(text)
    else:
        with pytest.raises(ValueError, match="nests deeper"):
            parsers.loads(text)


@pytest.mark.parametrize("body", ['{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}', '{"x": 1e999999}', "[-1e400]"])
def test_parser_refuses_nan_infinity_and_overflow(body):
    with pytest.raises(ParseError):
        parsers.SafeJSONParser().parse(io.BytesIO(body.encode()), "application/json", {})


def test_parser_keeps_ordinary_json():
    body = '{"amount": "12.50", "n": 3, "f": 1.5, "big": 100000000000000000000000, "text": "东风\\n路"}'
    data = parsers.SafeJSONParser().parse(io.BytesIO(body.encode()), "application/json", {})
    assert data == {"amount": "12.50", "n": 3, "f": 1.5, "big": 10**23, "text": "东风\n路"}
    with pytest.raises(ParseError):
        parsers.SafeJSONParser().parse(io.BytesIO(b"\xff\xfe{"), "application/json", {})


# --- validators -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,ok",
    [
        ("1900-01-01", True),
        ("2100-12-31", True),
        ("0001-01-01", False),
        ("9999-12-31", False),
        ("1899-12-31", False),
        ("2101-01-01", False),
    ],
)
def test_date_range(value, ok):
    import datetime as dt

    day = dt.date.fromisoformat(value)
    for candidate in (day, dt.datetime.combine(day, dt.time(12))):
        if ok:
            validators.validate_date_in_range(candidate)
        else:
            with pytest.raises(ValidationError):
                validators.validate_date_in_range(candidate)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), float("nan"), float("-inf"), "1e999999"])
def test_finite_number_refuses(value):
    with pytest.raises(ValidationError):
        validators.validate_finite_number(value)


@pytest.mark.parametrize("value", [Decimal("12.50"), 0, -3.5, "1e10", None])
def test_finite_number_accepts(value):
    validators.validate_finite_number(value)


def test_control_characters_refused_but_tabs_and_line_breaks_kept():
    validators.validate_no_control_characters("第一行\n第二行\r\n\t缩进")
    for bad in ("\x00", "\x07", "a\x1bb", "\x0b", "\x0c", "\ufffe"):
        with pytest.raises(ValidationError):
            validators.validate_no_control_characters(bad)
    assert validators.strip_control_characters("a\x00b\x1fc\nd") == "abc\nd"


# --- the API: the 500s become 400s -----------------------------------------------------------------


@pytest.fixture
def money(community_a):
    from tests.funding.factories import ensure_defaults, ensure_roles, make_fund

    ensure_defaults()
    ensure_roles()
    return make_fund(community_a)


def _lines(fund, n=2, amount="10"):
    from tests.funding.factories import acct

    debit, credit = acct("5201").pk, acct("1002").pk
    lines = [{"account": debit, "fund": fund.pk, "side": "debit", "amount": amount} for _ in range(n - 1)]
    total = Decimal(amount) * (n - 1)
    return [*lines, {"account": credit, "fund": fund.pk, "side": "credit", "amount": str(total)}]


def _voucher(community, lines, date="2026-03-10"):
    return {"community": community.pk, "date": date, "memo": "凭证", "lines": lines}


@pytest.mark.django_db
def test_deep_json_is_a_400_even_through_drfs_own_parser(client, community_a, staff_a, money):
    """Without the parser wired in, the exception handler still answers a RecursionError with a 400."""
    client.force_login(staff_a)
    response = client.post(reverse("journal-entry-list"), DEEP, content_type="application/json")
    assert response.status_code == 400, response.content[:300]


@pytest.mark.django_db
def test_deep_json_nan_and_overflow_are_400_through_the_wired_parser(
    wired_api,  # noqa: F811
    client,
    community_a,
    staff_a,
    money,
):
    client.force_login(staff_a)
    url = reverse("journal-entry-list")
    deep = client.post(url, DEEP, content_type="application/json")
    assert deep.status_code == 400 and "nests deeper" in deep.json()["detail"]
    body = json.dumps(_voucher(community_a, _lines(money)))
    for hostile in ("NaN", "Infinity", "-Infinity", "1e999999"):
        response = client.post(url, body.replace('"10"', hostile, 1), content_type="application/json")
        assert response.status_code == 400 and "JSON parse error" in response.json()["detail"], response.content
    ok = client.post(url, body, content_type="application/json")
    assert ok.status_code == 201, ok.content[:500]


@pytest.mark.django_db
@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_voucher_dates_out_of_range_are_400(client, community_a, staff_a, money, date):
    from funding.models import JournalEntry

    client.force_login(staff_a)
    response = client.post(
        reverse("journal-entry-list"), _voucher(community_a, _lines(money), date=date), content_type="application/json"
    )
    assert response.status_code == 400 and "1900-01-01" in str(response.json())
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e999999", "sNaN"])
def test_voucher_amounts_that_are_not_finite_are_400(client, community_a, staff_a, money, amount):
    from funding.models import JournalEntry

    client.force_login(staff_a)
    lines = _lines(money)
    lines[0]["amount"] = amount
    response = client.post(reverse("journal-entry-list"), _voucher(community_a, lines), content_type="application/json")
    assert response.status_code == 400 and "amount" in str(response.json())
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["account", "fund"])
def test_an_id_of_1e999999_is_a_400_through_drfs_own_parser(client, community_a, staff_a, money, field):
    """DRF's parser reads 1e999999 as a float infinity; comparing it with an id raised OverflowError (500)."""
    client.force_login(staff_a)
    lines = _lines(money)
    lines[0][field] = "@@"
    body = json.dumps(_voucher(community_a, lines)).replace('"@@"', "1e999999")
    response = client.post(reverse("journal-entry-list"), body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert field in str(response.json()) or "too large" in str(response.json())


@pytest.mark.django_db
def test_a_voucher_has_at_most_max_lines(client, community_a, staff_a, money):
    from funding import actions
    from funding.models import JournalEntry, JournalLine

    client.force_login(staff_a)
    url = reverse("journal-entry-list")
    too_many = client.post(
        url, _voucher(community_a, _lines(money, n=actions.MAX_LINES + 1)), content_type="application/json"
    )
    assert too_many.status_code == 400 and str(actions.MAX_LINES) in str(too_many.json()["lines"])
    huge = client.post(url, _voucher(community_a, _lines(money, n=8000)), content_type="application/json")
    assert huge.status_code == 400
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()
    # the rule holds below the API too (the admin's form and drafts go through check_lines)
    with pytest.raises(ValidationError, match="at most"):
        actions.check_lines([object()] * (actions.MAX_LINES + 1), community=community_a)
    at_limit = client.post(
        url, _voucher(community_a, _lines(money, n=actions.MAX_LINES)), content_type="application/json"
    )
    assert at_limit.status_code == 201, at_limit.content[:500]


# --- the recusal relation endpoint ----------------------------------------------------------------


@pytest.mark.django_db
def test_relation_with_an_unknown_or_foreign_applicant_is_a_400(client, cadre, build, town):  # noqa: F811
    from staffing.models import ExaminerRelation

    first, second = build(n=2), build(n=1)
    examiner = first.examiners[0]
    url = reverse("staffing-examiner-relation", args=[examiner.pk])
    client.force_login(cadre)
    for applicant, words in (
        (999_999_999, "No applicant"),
        (2**63, "No applicant"),  # beyond a bigint: not a DataError
        (second.apps[0].applicant_id, "different campaigns"),
    ):
        response = client.post(url, {"applicant": applicant, "relation": "同学"}, content_type="application/json")
        assert response.status_code == 400, response.content[:300]
        assert words in str(response.json())

    def post(applicant, relation="同学"):
        return client.post(url, {"applicant": applicant, "relation": relation}, content_type="application/json")

    assert post("x").status_code == 400
    assert post(first.apps[0].applicant_id, " ").status_code == 400
    assert not ExaminerRelation.objects.exists()
    assert post(first.apps[0].applicant_id).status_code == 201
    # another town's cadre does not reach the examiner at all
    client.force_login(f.town_cadre_of(f.TownFactory(county=town.county)))
    outsider = post(first.apps[0].applicant_id)
    assert outsider.status_code == 404


def test_exception_handler_turns_does_not_exist_and_recursion_into_400():
    from community.api_base import exception_handler
    from community.models import Resident

    for exc, words in (
        (Resident.DoesNotExist(), "No"),
        (RecursionError(), "nests too deeply"),
        (OverflowError(), "too large"),
    ):
        response = exception_handler(exc, {})
        assert response.status_code == 400 and words in str(response.data)


# --- Open311 ---------------------------------------------------------------------------------------

OPEN311 = "/open311/v2"


@pytest.fixture
def open311(community_a):
    from services.models import Open311Client
    from tests.services import factories as sf

    sf.category(
        code="repair",
        name="报修",
        questions=[
            {
                "code": "location",
                "label": "位置",
                "type": "singlevaluelist",
                "required": False,
                "values": [{"key": "stair", "name": "楼道"}],
            }
        ],
    )
    return Open311Client.objects.create(name="市民通").api_key


def _submit(client, community, key, **extra):
    data = {
        "jurisdiction_id": community.code,
        "service_code": "repair",
        "address_string": "东风路18号",
        "description": "路灯不亮",
        "phone": "13912340000",
        "api_key": key,
        **extra,
    }
    return client.post(f"{OPEN311}/requests.json", data)


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x0c", "\ufffe"])
def test_open311_refuses_control_characters(client, community_a, open311, char):
    from services.models import ServiceRequest

    for field in ("description", "address_string", "first_name", "attribute[location]"):
        response = _submit(client, community_a, open311, **{field: f"路灯{char}不亮"})
        assert response.status_code == 400, (field, response.content[:300])
        assert "control characters" in response.json()[0]["description"]
    listed = client.get(f"{OPEN311}/requests.xml", {"service_code": f"repair{char}"})
    assert listed.status_code == 400 and ET.fromstring(listed.content).tag == "errors"
    assert not ServiceRequest.objects.exists()
    assert _submit(client, community_a, open311, description="路灯\t不亮\n请修").status_code == 201


@pytest.mark.django_db
def test_open311_xml_stays_well_formed_with_old_rows_holding_control_characters(client, community_a, open311):
    from tests.services import factories as sf

    req = sf.service_request(community_a, description="旧数据\x07\x0b", reject_reason="重复\x1b诉求")
    response = client.get(f"{OPEN311}/requests/{req.pk}.xml", headers={"X-Api-Key": open311})
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # the attack: "not well-formed (invalid token)"
    assert root.find("request/description").text == "旧数据"
    assert root.find("request/status_notes").text == "重复诉求"


@pytest.mark.django_db
def test_open311_api_key_only_in_a_header_never_in_the_url(client, community_a, open311):
    created = _submit(client, community_a, open311)
    assert created.status_code == 201  # a POST's body is not logged: the key may travel there
    pk = created.json()[0]["service_request_id"]
    detail = f"{OPEN311}/requests/{pk}.json"
    in_url = client.get(detail, {"api_key": open311})
    assert in_url.status_code == 400 and "X-Api-Key" in in_url.json()[0]["description"]
    listed_in_url = client.get(f"{OPEN311}/requests.xml", {"api_key": open311})
    assert listed_in_url.status_code == 400 and ET.fromstring(listed_in_url.content).tag == "errors"
    posted_in_url = client.post(
        f"{OPEN311}/requests.json?api_key={open311}",
        {"jurisdiction_id": community_a.code, "service_code": "repair", "description": "x", "address_string": "y"},
    )
    assert posted_in_url.status_code == 400
    assert client.get(detail, headers={"X-Api-Key": open311}).json()[0]["description"] == "路灯不亮"
    assert client.get(detail).json()[0]["description"] == ""
    assert client.get(detail, headers={"X-Api-Key": "wrong"}).status_code == 403


# --- the schema and its docs -----------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_and_docs_need_a_signed_in_user(client, staff_a):
    from rest_framework.authtoken.models import Token

    schema, docs = reverse("schema"), reverse("swagger-ui")
    assert client.get(schema).status_code in (401, 403)
    anonymous_docs = client.get(docs)
    assert anonymous_docs.status_code == 302 and "login" in anonymous_docs["Location"]
    token = Token.objects.create(user=staff_a)
    assert client.get(schema, headers={"Authorization": f"Token {token.key}"}).status_code == 200
    client.force_login(staff_a)
    assert client.get(schema).status_code == 200
    assert client.get(docs).status_code == 200
