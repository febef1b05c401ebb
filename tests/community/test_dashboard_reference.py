"""The reference scenario's monthly county report: the same figures as the dashboard, and the seed's figures."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from community import dashboard, reporting
from community.dashboard import Period, Target
from community.models import County
from community.reporting_models import ReportRun
from community.reports import _number

pytestmark = pytest.mark.django_db


def test_reference_report_has_the_dashboards_figures(settings, client):
    from tests.funding.factories import ensure_defaults

    ensure_defaults()  # rows of a data migration that a transactional test elsewhere may have flushed
    settings.DEBUG = True
    call_command("seed_reference", verbosity=0)
    county = County.objects.get()
    period = Period.parse("month", None)
    run = ReportRun.objects.create(
        level="county", unit_id=county.pk, unit_name=county.name, period_start=period.start, period_end=period.end
    )
    run = reporting.report_build(run_id=run.pk)
    assert run.status == ReportRun.Status.DONE, run.error

    # every figure of the workbook's summary is the registry's figure for the same scope and period
    with translation.override("zh-hans"):
        expected = [
            (str(sec.title), str(ind.label), _number(ind.value), str(ind.unit))
            for sec, inds in dashboard.collect(Target("county", county).scope(), period)
            for ind in inds
        ]
    with run.xlsx.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    rows = [tuple(row[:4]) for row in book.worksheets[0].iter_rows(values_only=True)]
    header = rows.index(("板块", "指标", "数值", "单位"))
    summary = rows[header + 1 :]
    # the summary names the campaign the staffing figures are of
    assert any("城关镇2025年社区工作者公开招考" in str(row[1]) for row in rows[:header]), rows[:header]
    assert summary == expected
    figures = {label: value for _title, label, value, _unit in summary}
    # the seed's period-independent figures (DOMAIN.md)
    assert figures["社区"] == 5
    assert Decimal(str(figures[next(label for label in figures if "党员" in label and "比例" in label)])) == 50

    # and the screen shows the same for the month
    from community.models import User

    client.force_login(User.objects.get(username="demo_county"))
    body = client.get("/api/v1/dashboard/", {"period": "month", "value": period.label, "live": "1"}).json()
    shown = [
        (i["label"], i["value"] if not isinstance(i["value"], str) else _number(Decimal(i["value"])))
        for s in body["sections"]
        for i in s["indicators"]
    ]
    # a figure without data is null in the JSON and "—" in the workbook
    assert [(label, "—" if value is None else value) for label, value in shown] == [
        (label, value) for _t, label, value, _u in summary
    ]

    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", run.pdf.path, "-"], capture_output=True, text=True, check=True).stdout
        for title in {title for title, *_rest in summary}:
            assert title in text


def test_failed_run_is_shown_with_its_error_and_retried_from_the_page(client, official, county, monkeypatch):
    from django.test import TestCase

    period = Period.parse("month", "2026-09")
    run = ReportRun.objects.create(
        level="county", unit_id=county.pk, unit_name=county.name, period_start=period.start, period_end=period.end
    )

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("community.reports.build_pdf", boom)
    reporting.report_build(run_id=run.pk)
    monkeypatch.undo()
    client.force_login(official)
    page = client.get(reverse("dashboard:reports"), {"scope": "county", "id": county.pk}).content.decode()
    assert "RuntimeError: disk full" in page
    assert reverse("dashboard:report-retry", args=[run.pk]) in page
    sent = []
    monkeypatch.setattr("community.tasks.report_build_task.delay", lambda run_id: sent.append(run_id))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("dashboard:report-retry", args=[run.pk]))
    assert response.status_code == 302 and sent == [run.pk]
    run.refresh_from_db()
    assert run.status == ReportRun.Status.QUEUED and run.error == "" and run.version == 1
    reporting.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.attempts == 2
