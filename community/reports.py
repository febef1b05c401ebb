"""Monthly reports built from the dashboard registry: an XLSX workbook and a PDF with charts.

Both take what ``community.dashboard.collect`` returns, so the report and the screen cannot
disagree.  The PDF embeds a subset of a TrueType CJK font (settings.PDF_CJK_FONT) so it reads on
any machine: Noto Sans SC, installed from npm by ``make static`` (never a system font a newcomer lacks);
without that file it falls back to ReportLab's CID font STSong-Light, which is not embedded.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .dashboard import NO_DATA, SHARE, excel_format, figure_text, number_text

PALETTE = [colors.HexColor(c) for c in ("#b3261e", "#1a5fb4", "#2e7d32", "#e5a50a", "#613583", "#865e3c")]
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


def _number(value):
    """A figure as an XLSX cell: a number (shown with ``excel_format``), or "—" when there is no data."""
    if value is None:
        return NO_DATA
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


def _cell(sheet, row: int, column: int, value, kind: str = "") -> None:
    """Give a numeric cell the platform's one number format (thousands separators, as on screen)."""
    sheet.cell(row=row, column=column).number_format = excel_format(value, kind)


def _gloss(ind) -> str:
    """What stands beside a figure: its 万 reading and its note (the campaign, the split's share, the years)."""
    return " · ".join(part for part in (ind.wan, str(ind.note)) if part)


def chart_table(chart: dict) -> tuple[list[str], list[tuple[str, list]]] | None:
    """Categories and series of an ECharts option (bar/line), or the slices of a pie."""
    series = chart.get("series") or []
    if not series:
        return None
    if series[0].get("type") == "pie":
        data = series[0].get("data", [])
        return [d["name"] for d in data], [(_("Value"), [d["value"] for d in data])]
    axis = chart.get("xAxis", {})
    if axis.get("type") != "category":
        axis = chart.get("yAxis", {})
    categories = axis.get("data", [])
    return categories, [(s.get("name", ""), s.get("data", [])) for s in series]


def _when(ind, period) -> str:
    """What the figure counts and its span, as the screen shows them: "stock at the end · at 2026-11-30"."""
    return " · ".join(part for part in (ind.basis_text, ind.when(period)) if part)


def build_xlsx(*, target, period, collected, campaigns=()) -> bytes:
    """``campaigns``: which campaign the staffing figures are of, one line per kind (see campaign_lines)."""
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    summary.append([_("Report"), _("Monthly report of community work")])
    summary.append([_("Unit"), target.name])
    summary.append([_("Period"), f"{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d}"])
    summary.append([_("Generated at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    summary.append([_("Campaigns"), "; ".join(campaigns) or NO_DATA])
    summary.append([])
    summary.append([_("Section"), _("Indicator"), _("Value"), _("Unit"), _("Period"), _("Note")])
    for cell in summary[summary.max_row]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for section, indicators in collected:
        sheet = book.create_sheet(_sheet_title(str(section.title), book.sheetnames))
        sheet.append([_("Indicator"), _("Value"), _("Unit"), _("Period"), _("Note")])
        for cell in sheet[1]:
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
        for ind in indicators:
            row = [str(ind.label), _number(ind.value), str(ind.unit)]
            extra = [_when(ind, period), _gloss(ind)]
            sheet.append([*row, *extra])
            _cell(sheet, sheet.max_row, 2, ind.value, ind.kind)
            summary.append([str(section.title), *row])
            _cell(summary, summary.max_row, 3, ind.value, ind.kind)
            summary.cell(row=summary.max_row, column=5, value=extra[0])
            summary.cell(row=summary.max_row, column=6, value=extra[1])
        for ind in indicators:
            table = chart_table(ind.chart) if ind.chart else None
            if not table:
                continue
            categories, series = table
            sheet.append([])
            sheet.append([str(ind.label)])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            sheet.append(["", *[name for name, _values in series]])
            for i, category in enumerate(categories):
                cells = [_number(values[i]) if i < len(values) else None for _n, values in series]
                sheet.append([category, *cells])
                for column, value in enumerate(cells, 2):
                    _cell(sheet, sheet.max_row, column, value)
        _autowidth(sheet)
    _autowidth(summary)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, taken) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, at most 31 characters."""
    clean = "".join("·" if ch in "[]:*?/\\" else ch for ch in title).strip("' ")[:31] or "-"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    return name


def _autowidth(sheet) -> None:
    for column in sheet.columns:
        width = max(
            (
                len(str(c.value)) * (2 if any(ord(ch) > 127 for ch in str(c.value)) else 1)
                for c in column
                if c.value is not None
            ),
            default=8,
        )
        sheet.column_dimensions[get_column_letter(column[0].column)].width = min(max(width + 2, 8), 60)
        for cell in column:
            cell.alignment = Alignment(vertical="top")


def cjk_font_name() -> str:
    """Register (once) and return the CJK font: an embedded TrueType subset where available."""
    path = Path(settings.PDF_CJK_FONT) if settings.PDF_CJK_FONT else None
    if path and path.exists():
        name = "PlatformCJK"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
        return name
    name = "STSong-Light"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name


def _chart_drawing(chart: dict, font: str) -> Drawing | None:
    table = chart_table(chart)
    if not table:
        return None
    categories, series = table
    if not categories:
        return None
    drawing = Drawing(170 * mm, 70 * mm)
    if chart["series"][0].get("type") == "pie":
        return _pie_drawing(categories, series[0][1], font)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 40, 30, 150 * mm, 50 * mm
    bars.data = [[float(v or 0) for v in values] for _name, values in series]
    bars.categoryAxis.categoryNames = [_short(str(c), 10) for c in categories]
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 7
    bars.categoryAxis.labels.angle = 30 if len(categories) > 6 else 0
    bars.categoryAxis.labels.boxAnchor = "ne" if len(categories) > 6 else "n"
    bars.valueAxis.valueMin = 0
    if not any(float(v or 0) for _name, values in series for v in values):
        bars.valueAxis.valueMax = 1
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.labelTextFormat = lambda v: number_text(Decimal(str(v)))
    for i in range(len(bars.data)):
        bars.bars[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(bars)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = 45, 68 * mm
        legend.fontName = font
        legend.fontSize = 7
        legend.columnMaximum = 1
        legend.alignment = "right"
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], str(name)) for i, (name, _v) in enumerate(series)]
        drawing.add(legend)
    drawing.add(String(0, 0, "", fontName=font))
    return drawing


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _pie_drawing(categories, values, font: str) -> Drawing | None:
    """A pie in the middle of its box, with each slice's name, figure and share in a legend beside it
    (labels round the pie were clipped at the page's edge and ran into the caption)."""
    numbers = [float(v or 0) for v in values]
    total = sum(numbers)
    if not total:
        return None  # nothing to divide into slices
    drawing = Drawing(170 * mm, 62 * mm)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 8 * mm, 6 * mm, 50 * mm, 50 * mm
    pie.data = numbers
    pie.labels = None
    pie.slices.strokeColor = colors.white
    for i in range(len(numbers)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 70 * mm, 56 * mm
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.columnMaximum = 12
    legend.dy = 9
    legend.colorNamePairs = [
        (
            PALETTE[i % len(PALETTE)],
            f"{_short(str(c), 14)}  {number_text(v)} ({figure_text(100 * v / total, SHARE)}%)",
        )
        for i, (c, v) in enumerate(zip(categories, numbers, strict=False))
    ]
    drawing.add(legend)
    return drawing


def build_pdf(*, target, period, collected, campaigns=()) -> bytes:
    font = cjk_font_name()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11)
    caption = ParagraphStyle("caption", parent=body, spaceBefore=6, spaceAfter=2)
    story = [
        Paragraph(_("Monthly report of community work") + f" · {target.name}", title),
        Paragraph(
            _("Period: %(start)s to %(end)s. Generated at %(at)s.")
            % {
                "start": f"{period.start:%Y-%m-%d}",
                "end": f"{period.end:%Y-%m-%d}",
                "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            },
            body,
        ),
        *[Paragraph(escape(_("Campaigns") + ": " + line), body) for line in campaigns],
        Spacer(1, 4 * mm),
    ]
    for section, indicators in collected:
        story.append(Paragraph(str(section.title), heading))
        head = [_("Indicator"), _("Value"), _("Unit"), _("Period")]
        rows = [[Paragraph(h, body) for h in head]]
        rows += [
            [
                Paragraph(escape(str(i.label)), body),
                Paragraph(escape(" ".join(part for part in (i.text, _gloss(i)) if part)), body),
                Paragraph(escape(str(i.unit)), body),
                Paragraph(escape(_when(i, period)), small),
            ]
            for i in indicators
        ]
        table = Table(rows, colWidths=[70 * mm, 45 * mm, 18 * mm, 41 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2DCDB")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
        for ind in indicators:
            if ind.chart:
                drawing = _chart_drawing(ind.chart, font)
                if drawing is not None:
                    story.append(KeepTogether([Paragraph(escape(str(ind.label)), caption), drawing]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{target.name} {period.label}",
    )
    doc.build(story)
    return buffer.getvalue()
