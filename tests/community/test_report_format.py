"""The report reads well on any machine: its own embedded CJK font, one number format, "—" for no data."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from openpyxl import load_workbook

from community import reports
from community.dashboard import FLOW, NOW, Indicator, Period, Section, excel_format, number_text, wan_text
from utilities.charts import pie_chart

PERIOD = Period.parse("month", "2026-11")
TARGET = SimpleNamespace(name="示范县")


def _collected():
    section = Section("money", "资金：多渠道筹资", 1, lambda scope, period: [])
    indicators = [
        Indicator("investment", "政府投入", Decimal("136000.00"), "元", note="2025–2026"),
        Indicator("satisfaction", "满意率", None, "%", basis=FLOW),
        Indicator(
            "split",
            "县级承担",
            Decimal("12000"),
            "元",
            note="80%",
            basis=NOW,
            chart=pie_chart([("县财政承担部分", 12000), ("镇财政承担部分", 3000), ("收入：有偿服务与抵偿服务", 2500)]),
        ),
    ]
    return [(section, indicators)]


def test_one_number_format():
    assert number_text(Decimal("136000.00")) == "136,000"
    assert number_text(1234567) == "1,234,567"
    assert number_text(Decimal("101.5")) == "101.5"
    assert number_text(Decimal("0.125")) == "0.13"
    assert number_text(None) == "—"
    assert wan_text(Decimal("136000"), "元") == "13.6万"
    assert wan_text(Decimal("9000"), "元") == ""
    assert excel_format(Decimal("136000")) == "#,##0"
    assert excel_format(Decimal("101.5")) == "#,##0.0"


def test_reports_default_to_the_last_complete_month():
    assert Period.last_complete_month(dt.date(2026, 12, 6)).label == "2026-11"
    assert Period.last_complete_month(dt.date(2027, 1, 1)).label == "2026-12"


def test_xlsx_shows_the_screens_format():
    book = load_workbook(io.BytesIO(reports.build_xlsx(target=TARGET, period=PERIOD, collected=_collected())))
    sheet = book.worksheets[1]
    assert sheet["B2"].value == 136000 and sheet["B2"].number_format == "#,##0"
    assert sheet["B3"].value == "—"
    assert sheet["E4"].value == "1.2万 · 80%"


@pytest.mark.skipif(not shutil.which("pdffonts") or not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_pdf_embeds_the_projects_own_cjk_font_and_reads_back():
    font = str(settings.PDF_CJK_FONT)
    assert not font.startswith("/usr/share/fonts"), "the PDF font must come from the project, not the system"
    assert font.endswith("NotoSansSC-Regular.ttf"), font
    pdf = reports.build_pdf(target=TARGET, period=PERIOD, collected=_collected())
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    cjk = [line for line in fonts.splitlines() if "NotoSansSC" in line or "PlatformCJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk), fonts  # emb yes
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "资金：多渠道筹资" in text
    assert "政府投入" in text and "136,000" in text and "13.6万" in text
    assert "None" not in text and "—" in text
    assert "收入：有偿服务与抵偿服务" in text  # the pie's legend, whole: no clipped label
