"""Issue 16, item 7: a few hundred generated hostile bodies against the writes the attacker broke, in the
ordinary suite (``make fuzz`` runs schemathesis over everything, ≥ 10,000 cases).

Each body mixes what broke or slipped through before: nesting thousands deep, ``NaN`` / ``Infinity`` /
``1e999999``, integers beyond a bigint, control characters, dates in year 1 and 9999, ids of no row, and
random JSON of the right and the wrong shape.  Every answer must be below 500.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.staffing.conftest import build, cadre  # noqa: F401  (fixtures: a campaign with examiners)

from .wiring import wired_api  # noqa: F401

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure reproduces
    database=None,
    suppress_health_check=list(HealthCheck),
)

MIN_CASES = 90  # of FUZZ's 100: six runs make 600 cases or so

CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\x1b", "\x1f", "\ufffe", "\t", "\n"])
TEXT = st.one_of(
    st.text(max_size=30),
    st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), CONTROL, st.text(max_size=8)),
)
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999999", "-1e400", str(2**64), "1e-400"]
DATES = st.sampled_from(["0001-01-01", "9999-12-31", "1899-12-31", "2026-03-10", "2026-02-30", "", "today"])
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    TEXT,
    DATES,
)


def _raw(value) -> str:
    """JSON text with the number tokens only a hand-made body carries (json.dumps writes none of them)."""
    return json.dumps(value, ensure_ascii=False)


def _with_raw_numbers(text: str, token: str) -> str:
    return text.replace('"@@"', token)


def _bodies(shape):
    """A strategy of JSON request bodies: ``shape`` (a dict strategy) with hostile values spliced in."""
    plain = shape.map(_raw)
    spliced = st.builds(_with_raw_numbers, plain, st.sampled_from(RAW_NUMBERS))
    deep = st.integers(min_value=30, max_value=20_000).map(lambda n: "[" * n + "]" * n)
    deep_object = st.integers(min_value=30, max_value=3_000).map(lambda n: '{"a":' * n + "1" + "}" * n)
    junk = st.one_of(st.text(max_size=50), st.sampled_from(["", "{", "[1,]", '{"a":1}{', "null", "\x00"]))
    return st.one_of(plain, plain, spliced, spliced, deep, deep_object, junk)


def _value():
    return st.one_of(SCALAR, st.just("@@"), st.lists(SCALAR, max_size=3), st.dictionaries(TEXT, SCALAR, max_size=3))


@pytest.fixture(params=["drf", "wired"])
def parsers(request):
    """Each fuzz runs twice: with DRF's own parser (today's settings) and with SafeJSONParser wired in."""
    if request.param == "wired":
        request.getfixturevalue("wired_api")
    return request.param


@pytest.fixture
def funded(community_a):
    from tests.funding.factories import acct, ensure_defaults, ensure_roles, make_fund

    ensure_defaults()
    ensure_roles()
    fund = make_fund(community_a)
    return fund, acct("5201").pk, acct("1002").pk


def test_vouchers_never_answer_5xx(parsers, client, community_a, staff_a, funded):
    fund, debit, credit = funded
    client.force_login(staff_a)
    url = reverse("journal-entry-list")
    line = st.fixed_dictionaries(
        {
            "account": st.one_of(st.sampled_from([debit, credit, 0, -1, 2**63]), _value()),
            "fund": st.one_of(st.just(fund.pk), _value()),
            "side": st.one_of(st.sampled_from(["debit", "credit"]), _value()),
            "amount": st.one_of(st.sampled_from(["10", "0.01", "-1"]), _value()),
        }
    )
    voucher = st.fixed_dictionaries(
        {
            "community": st.one_of(st.just(community_a.pk), _value()),
            "date": st.one_of(DATES, _value()),
            "memo": TEXT,
            "lines": st.one_of(st.lists(line, max_size=4), _value()),
        }
    )

    @FUZZ
    @given(body=_bodies(voucher))
    def run(body):
        calls.append(body)
        response = client.post(url, body, content_type="application/json")
        assert response.status_code < 500, (body[:200], response.content[:300])

    calls = []
    run()
    assert len(calls) >= MIN_CASES


def test_recusal_relations_never_answer_5xx(parsers, client, cadre, build):  # noqa: F811
    campaign = build(n=2)
    client.force_login(cadre)
    url = reverse("staffing-examiner-relation", args=[campaign.examiners[0].pk])
    relation = st.fixed_dictionaries(
        {
            "applicant": st.one_of(
                st.sampled_from([a.applicant_id for a in campaign.apps] + [0, -5, 999_999_999, 2**63, 2**80]),
                _value(),
            ),
            "relation": st.one_of(TEXT, _value()),
        }
    )

    @FUZZ
    @given(body=_bodies(relation))
    def run(body):
        calls.append(body)
        response = client.post(url, body, content_type="application/json")
        assert response.status_code < 500, (body[:200], response.content[:300])

    calls = []
    run()
    assert len(calls) >= MIN_CASES


def test_open311_submissions_never_answer_5xx_and_xml_stays_well_formed(parsers, client, community_a):
    from xml.etree import ElementTree as ET

    from services.models import Open311Client
    from tests.services import factories as sf

    sf.category(code="repair", name="报修")
    key = Open311Client.objects.create(name="市民通").api_key
    form = st.fixed_dictionaries(
        {
            "jurisdiction_id": st.one_of(st.just(community_a.code), TEXT),
            "service_code": st.one_of(st.just("repair"), TEXT),
            "description": TEXT,
            "address_string": TEXT,
            "lat": st.one_of(st.sampled_from(["30.1", *RAW_NUMBERS]), TEXT),
            "long": st.one_of(st.sampled_from(["120.6", *RAW_NUMBERS]), TEXT),
            "first_name": TEXT,
            "email": TEXT,
            "phone": st.one_of(st.just("13912340000"), TEXT),
            "attribute[when]": st.one_of(DATES, TEXT),
        }
    )

    @FUZZ
    @given(data=form, fmt=st.sampled_from(["json", "xml"]))
    def run(data, fmt):
        calls.append(data)
        response = client.post(f"/open311/v2/requests.{fmt}", {**data, "api_key": key})
        assert response.status_code < 500, (data, response.content[:300])
        if fmt == "xml":
            ET.fromstring(response.content)  # well-formed, whatever came in

    calls = []
    run()
    assert len(calls) >= MIN_CASES
