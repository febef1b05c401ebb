"""Reporting jobs: snapshots, monthly report runs (XLSX + PDF from the registry), progress, downloads, faults."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from community import reporting
from community.dashboard import Period, Target
from community.reporting_models import IndicatorSnapshot, ReportRun
from tests import factories as f


@pytest.fixture
def eager(settings):
    """Run tasks in-process: Celery reads its config once, so set the app's too."""
    from config.celery import app

    before = app.conf.task_always_eager  # read first: Celery loads its config on first access
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield settings
    app.conf.task_always_eager = before


@pytest.fixture
def populated(community_a, community_b):
    for c in (community_a, community_b):
        for _ in range(3):
            f.SCOPED_FACTORIES["community.Resident"](c)
    return community_a, community_b


@pytest.mark.django_db
def test_snapshot_is_idempotent(populated, county):
    day = dt.date(2026, 11, 1)
    n = reporting.snapshot_take(day=day)
    assert n > 0
    assert reporting.snapshot_take(day=day) == n
    assert IndicatorSnapshot.objects.filter(day=day).count() == n
    row = IndicatorSnapshot.objects.get(level="county", unit_id=county.pk, day=day, section="people", key="residents")
    assert row.value == 6


@pytest.mark.django_db(transaction=True)
def test_report_run_builds_files_from_the_registry(populated, county, eager, django_capture_on_commit_callbacks):
    period = Period.parse("month", "2026-10")
    run = reporting.report_request(by=None, target=Target("county", county), period=period)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.progress == 100
    book = load_workbook(io.BytesIO(run.xlsx.read()))
    run.xlsx.close()
    assert any("居民" in str(c.value) or "Residents" in str(c.value) for ws in book for row in ws for c in row)
    # the same run is not made twice
    again = reporting.report_request(by=None, target=Target("county", county), period=period)
    assert again.pk == run.pk and ReportRun.objects.count() == 1 and again.version == 1
    regenerated = reporting.report_request(by=None, target=Target("county", county), period=period, regenerate=True)
    regenerated.refresh_from_db()
    assert regenerated.version == 2 and regenerated.status == ReportRun.Status.DONE


@pytest.mark.django_db
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_pdf_embeds_cjk_font_and_chinese_headings(populated, county):
    period = Period.parse("month", "2026-10")
    run = ReportRun.objects.create(
        level="county", unit_id=county.pk, unit_name=county.name, period_start=period.start, period_end=period.end
    )
    reporting.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    text = subprocess.run(["pdftotext", run.pdf.path, "-"], capture_output=True, text=True, check=True).stdout
    assert county.name in text
    assert "居民" in text  # headings in Chinese (translation catalogue)
    fonts = subprocess.run(["pdffonts", run.pdf.path], capture_output=True, text=True).stdout
    assert "yes yes" in fonts  # embedded subset


@pytest.mark.django_db
def test_failed_run_records_error_and_can_be_retried(populated, county, monkeypatch):
    period = Period.parse("month", "2026-09")
    run = ReportRun.objects.create(
        level="county", unit_id=county.pk, unit_name=county.name, period_start=period.start, period_end=period.end
    )

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("community.reports.build_pdf", boom)
    reporting.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and "disk full" in run.error
    monkeypatch.undo()
    reporting.report_request(by=None, target=Target("county", county), period=period)
    reporting.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.attempts == 2


@pytest.mark.django_db
def test_done_run_is_not_rebuilt_on_redelivery(populated, county):
    period = Period.parse("month", "2026-08")
    run = ReportRun.objects.create(
        level="county", unit_id=county.pk, unit_name=county.name, period_start=period.start, period_end=period.end
    )
    reporting.report_build(run_id=run.pk)
    first = ReportRun.objects.get(pk=run.pk)
    reporting.report_build(run_id=run.pk)  # the broker redelivers after a worker crash
    second = ReportRun.objects.get(pk=run.pk)
    assert second.attempts == first.attempts == 1 and second.pdf.name == first.pdf.name


@pytest.mark.django_db
def test_report_pages_scope_checked(client, populated, county, staff_a, staff_b, official, community_a, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    period = Period.parse("month", "2026-10")
    run = ReportRun.objects.create(
        level="community",
        unit_id=community_a.pk,
        unit_name=community_a.name,
        period_start=period.start,
        period_end=period.end,
    )
    reporting.report_build(run_id=run.pk)
    client.force_login(staff_a)
    assert client.get(reverse("dashboard:report-file", args=[run.pk, "pdf"])).status_code == 200
    assert client.get(reverse("dashboard:report-status", args=[run.pk])).json()["status"] == "done"
    client.force_login(staff_b)
    assert client.get(reverse("dashboard:report-file", args=[run.pk, "pdf"])).status_code == 404
    assert client.get(reverse("dashboard:report-status", args=[run.pk])).status_code == 404
    assert client.get(reverse("dashboard:reports"), {"scope": "community", "id": community_a.pk}).status_code == 403
    client.force_login(official)
    page = client.get(reverse("dashboard:reports"), {"scope": "county", "id": county.pk})
    assert page.status_code == 200
    response = client.post(reverse("dashboard:reports"), {"scope": "county", "id": county.pk, "month": "2026-10"})
    assert response.status_code == 302
    assert ReportRun.objects.filter(level="county", unit_id=county.pk).exists()
    bad = client.post(reverse("dashboard:reports"), {"scope": "county", "id": county.pk, "month": "nope"}, follow=True)
    assert bad.status_code == 200 and ReportRun.objects.filter(level="county").count() == 1


@pytest.mark.django_db
def test_broker_down_keeps_run_queued(
    client, populated, county, official, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from community import tasks
    from utilities import health

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(tasks.report_build_task, "delay", refuse)
    monkeypatch.setattr(health, "broker_status", lambda: "down")
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboard:reports"), {"scope": "county", "id": county.pk, "month": "2026-10"}, follow=True
        )
    assert response.status_code == 200
    run = ReportRun.objects.get(level="county", unit_id=county.pk)
    assert run.status == ReportRun.Status.QUEUED
    page = response.content.decode()
    assert "queued" in page or "排队" in page
    # the sweep re-sends it once the broker is back
    sent = []
    monkeypatch.setattr(tasks.report_build_task, "delay", lambda run_id: sent.append(run_id))
    ReportRun.objects.filter(pk=run.pk).update(created_at=run.created_at - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert reporting.report_sweep() == 1
    assert sent == [run.pk]


def test_sheet_titles_are_valid_and_unique():
    from openpyxl import Workbook

    from community.reports import _sheet_title

    book = Workbook()
    for title in ["工作清单: 执行", "工作清单: 执行", "a/b*c?[d]" + "长" * 40]:
        book.create_sheet(_sheet_title(title, book.sheetnames))  # openpyxl refuses an invalid or long name
    assert book.sheetnames[1:] == ["工作清单· 执行", "工作清单· 执行 (2)", "a·b·c··d·" + "长" * 22]
