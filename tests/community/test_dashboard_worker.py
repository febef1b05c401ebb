"""Report jobs on a REAL Celery worker (a separate process, prefork pool) against Redis and this test database.

- a worker process killed (SIGKILL) in the middle of a report is replaced, the task is redelivered
  (``acks_late`` + ``reject_on_worker_lost``) and the report finishes once: one ReportRun, one set of files;
- a report whose build raises is recorded failed with its error, and a retry finishes it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.db import connection

from community import reporting
from community.dashboard import Period, Target
from community.reporting_models import ReportRun
from tests import factories as f

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]

# The worker imports the project as production does; only ``build_pdf`` is wrapped so that the test can
# hold the first attempt mid-run (after the workbook, before the PDF) and make a build fail on demand.
WORKER = textwrap.dedent(
    """
    import os, sys, time, pathlib
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    django.setup()
    from community import reports

    marker = pathlib.Path(sys.argv[1])
    original = reports.build_pdf

    def build_pdf(**kwargs):
        if (marker / "fail").exists():
            raise RuntimeError("printer on fire")
        if not (marker / "killed").exists():
            (marker / "pid").write_text(str(os.getpid()))
            time.sleep(300)  # until the test kills this process
        return original(**kwargs)

    reports.build_pdf = build_pdf
    from config.celery import app
    app.worker_main(["worker", "--pool=prefork", "--concurrency=1", "--loglevel=WARNING", "-n", "reporttest@%h",
                     "--without-gossip", "--without-mingle", "--without-heartbeat"])
    """
)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def worker(settings, tmp_path):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: no broker for a real worker")
    from config.celery import app

    app.control.purge()  # nothing left over from another test in this Redis database
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # an earlier test may have left the app eager: send to the broker
    marker = tmp_path / "marker"
    marker.mkdir()
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "1",
        "PYTHONPATH": str(ROOT),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen([sys.executable, str(script), str(marker)], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        yield marker
    finally:
        app.conf.task_always_eager = eager
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        pid = marker / "pid"
        if pid.exists():  # a child still sleeping in build_pdf must not outlive the test
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid.read_text()), signal.SIGKILL)


@pytest.fixture
def county_with_people(county, community_a):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    f.ResidentFactory.create_batch(3, household=household)
    return county


def _status(run_id):
    return ReportRun.objects.values_list("status", flat=True).get(pk=run_id)


def test_worker_killed_mid_report_is_redelivered_and_finishes_once(worker, county_with_people, settings):
    county = county_with_people
    run = reporting.report_request(by=None, target=Target("county", county), period=Period.parse("month", "2026-10"))
    pid = int(_wait(lambda: (worker / "pid").exists() and (worker / "pid").read_text(), 90, "the build to start"))
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and run.progress == 75 and run.attempts == 1
    assert not run.xlsx and not run.pdf
    (worker / "killed").touch()
    os.kill(pid, signal.SIGKILL)  # the pool process dies mid-run, as under the OOM killer
    _wait(lambda: _status(run.pk) == ReportRun.Status.DONE, 120, "the redelivered report to finish")
    run.refresh_from_db()
    assert ReportRun.objects.count() == 1
    assert run.attempts == 2 and run.progress == 100 and run.error == ""
    files = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "reports").iterdir())
    assert files == [f"county-{county.pk}-202610-v1.pdf", f"county-{county.pk}-202610-v1.xlsx"]
    # a later redelivery of the same message finds the run done and writes nothing
    reporting.report_build(run_id=run.pk)
    assert ReportRun.objects.get(pk=run.pk).attempts == 2
    assert len(list((Path(settings.MEDIA_ROOT) / "reports").iterdir())) == 2


def test_failing_report_is_recorded_and_retried_to_done(worker, county_with_people, settings):
    county = county_with_people
    (worker / "killed").touch()  # no pause in this test
    (worker / "fail").touch()
    period = Period.parse("month", "2026-09")
    run = reporting.report_request(by=None, target=Target("county", county), period=period)
    _wait(lambda: _status(run.pk) == ReportRun.Status.FAILED, 90, "the report to fail")
    run.refresh_from_db()
    assert "RuntimeError: printer on fire" in run.error and not run.pdf
    (worker / "fail").unlink()
    again = reporting.report_request(by=None, target=Target("county", county), period=period)
    assert again.pk == run.pk and again.status == ReportRun.Status.QUEUED and again.error == ""
    _wait(lambda: _status(run.pk) == ReportRun.Status.DONE, 90, "the retried report to finish")
    run.refresh_from_db()
    assert run.attempts == 2 and run.error == "" and ReportRun.objects.count() == 1
    assert run.pdf.name.endswith("-v1.pdf") and run.xlsx.name.endswith("-v1.xlsx")
