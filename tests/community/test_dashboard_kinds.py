"""Every indicator declares what kind of number it is (count, share, money, measure) and every output —
the page, the chart tables, the API, the XLSX and the PDF — formats it by that kind, in one format."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from community import dashboard, reporting, reports
from community.dashboard import (
    COUNT,
    FLOW,
    MEASURE,
    MONEY,
    NOW,
    SHARE,
    Indicator,
    Period,
    Section,
    Target,
    excel_format,
    figure_text,
    kind_of,
)
from utilities.charts import bar_chart

PERIOD = Period.parse("month", "2026-11")


def _chart():
    chart = bar_chart(["东风", "西湖"], {"人数": [12345, 0]})
    chart["series"][0]["data"][1] = None  # a community without the figure
    return chart


def _figures():
    return [
        Indicator("hired", "公开招考录用", 8, "人", kind=COUNT, basis=FLOW, since="2025-03-15", until="2025-08-11"),
        Indicator("party", "党员占比", Decimal("33.3333"), "%", kind=SHARE),
        Indicator("invest", "政府投入", Decimal("136000.00"), "元", kind=MONEY, note="2025–2026"),
        Indicator("fee", "物业费", Decimal("1234.5"), "元", kind=MONEY, basis=NOW),
        Indicator("area", "平均办公面积", Decimal("101.25"), "m²", kind=MEASURE),
        Indicator("none", "满意率", None, "%"),
        Indicator("chart", "各社区人数", 12345, "人", chart=_chart(), kind=COUNT),
    ]


def test_the_kind_is_declared_or_read_from_the_value_and_unit():
    assert kind_of(3, "人") == COUNT
    assert kind_of(None, "人") == COUNT
    assert kind_of(Decimal("50"), "%") == SHARE
    assert kind_of(Decimal("136000"), "元") == MONEY
    assert kind_of(Decimal("136000"), "yuan") == MONEY
    assert kind_of(Decimal("101.5"), "m²") == MEASURE
    assert Indicator("a", "a", Decimal("50"), "%").kind == SHARE
    assert Indicator("a", "a", 7, "元", kind=MONEY).kind == MONEY
    with pytest.raises(ValueError):
        Indicator("a", "a", 7, kind="furlongs")


def test_each_kind_has_its_format():
    shown = {i.key: (i.text, i.wan) for i in _figures()}
    assert shown["hired"] == ("8", "")
    assert shown["party"] == ("33.3", "")  # a share: at most one decimal
    assert shown["invest"] == ("136,000", "13.6万")  # money: thousands separators and 万
    assert shown["fee"] == ("1,234.50", "")  # money that is not whole: to the fen
    assert shown["area"] == ("101.25", "")
    assert shown["none"] == ("—", "")  # no data is never "None"
    assert figure_text(Decimal("2.5"), COUNT) == "3"
    assert excel_format(Decimal("33.3333"), SHARE) == "#,##0.0"
    assert excel_format(Decimal("1234.5"), MONEY) == "#,##0.00"
    assert excel_format(8, COUNT) == "#,##0"


def test_every_registered_indicator_has_a_known_kind(official, county):
    from community.dashboard import collect

    for _section, indicators in collect(Target("county", county).scope(), PERIOD):
        for ind in indicators:
            assert ind.kind in dashboard.KINDS, ind.key
            if str(ind.unit) == "%":
                assert ind.kind == SHARE, ind.key


def test_the_staffing_figures_declare_their_kinds(county):
    from staffing.dashboard import staffing

    kinds = {i.key: i.kind for i in staffing(Target("county", county).scope(), PERIOD)}
    assert kinds["recruitment_hired"] == COUNT
    assert kinds["party_share"] == kinds["payroll_county_share"] == SHARE
    assert kinds["payroll_total"] == kinds["pay_current"] == MONEY


def test_the_precomputed_payload_keeps_the_kind(town):
    target = Target("town", town)
    period = Period.parse("year", "2026")
    reporting.dashboard_payload_store(target=target, period=period, language="zh-hans")
    stored = reporting.dashboard_read(target=target, period=period)
    live = reporting.dashboard_read(target=target, period=period, live=True)
    assert stored.as_of is not None
    kinds = {(s.key, i.key): (i.kind, i.text) for s, inds in stored.collected for i in inds}
    assert kinds == {(s.key, i.key): (i.kind, i.text) for s, inds in live.collected for i in inds}


@pytest.fixture
def registered(monkeypatch):
    section = Section("zz_kinds", "格式检查", 999, lambda scope, period: _figures())
    monkeypatch.setitem(dashboard.SECTIONS, "zz_kinds", section)
    return section


def test_page_api_xlsx_and_pdf_show_one_format(client, official, community_a, registered):
    client.force_login(official)
    params = {"scope": "community", "id": community_a.pk, "period": "month", "value": "2026-11"}
    page = client.get(reverse("dashboard:index"), params).content.decode()
    section = page[page.index('id="section-zz_kinds"') :]
    section = section[: section.index("</section>")]
    for text in ("8", "33.3", "136,000", "13.6万", "1,234.50", "101.25", "—", "12,345"):
        assert text in section, text
    assert 'class="figure figure-money" id="ind-zz_kinds-invest"' in section
    assert 'class="figure figure-share" id="ind-zz_kinds-party"' in section
    assert "None" not in section and "136000" not in section
    # the table under the chart: thousands separators, "—" for a missing value
    assert "<td>12,345</td>" in section and "<td>—</td>" in section
    # the campaign's own span and the stock / flow / now basis beside the figures
    assert "2025-03-15" in section and "2025-08-11" in section

    api = client.get("/api/v1/dashboard/", params).json()
    shown = {i["key"]: i for s in api["sections"] if s["key"] == "zz_kinds" for i in s["indicators"]}
    assert {k: (v["kind"], v["text"]) for k, v in shown.items()} == {
        "hired": (COUNT, "8"),
        "party": (SHARE, "33.3"),
        "invest": (MONEY, "136,000"),
        "fee": (MONEY, "1,234.50"),
        "area": (MEASURE, "101.25"),
        "none": (SHARE, "—"),
        "chart": (COUNT, "12,345"),
    }
    assert shown["invest"]["wan"] == "13.6万"

    collected = [(registered, _figures())]
    target = SimpleNamespace(name="东风社区")
    book = load_workbook(io.BytesIO(reports.build_xlsx(target=target, period=PERIOD, collected=collected)))
    sheet = book.worksheets[1]
    formats = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).number_format for r in range(2, 9)}
    assert formats["党员占比"] == "#,##0.0"
    assert formats["物业费"] == "#,##0.00"
    assert formats["公开招考录用"] == "#,##0"
    if shutil.which("pdftotext"):
        pdf = reports.build_pdf(target=target, period=PERIOD, collected=collected)
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        for figure in ("33.3", "136,000", "13.6万", "1,234.50", "12,345"):
            assert figure in text, figure
        assert "None" not in text
