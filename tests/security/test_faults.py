"""Faults of the real services (issue 8, item 4), run against the real Redis, PostgreSQL and Celery:

(a) Redis stopped: a resident's request is still taken within 2 s; its notification goes out once Redis is back;
(b) a Celery worker's child SIGKILLed mid-task: the task is redelivered and its effect happens exactly once;
(c) PostgreSQL stopped and started under a running gunicorn: requests fail fast and cleanly (503 from
    /readyz, an error page) and the same processes recover without a restart.

They stop shared services: each restores them in a ``finally``.  (c) is the last test of this module.
The report job that raises (d) is tested with the reports (tests/community/test_reports.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse

from services import actions as service_actions
from services.choices import NotificationStatus
from services.models import Notification, ServiceRequest
from tests import factories as f
from tests.security import faults
from tests.services import factories as sf

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: no real Redis"),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs the real PostgreSQL"
    ),
]


@pytest.fixture
def category(db):
    return sf.category(code="repair-faults", name="房屋报修")


@pytest.fixture
def purged_queue():
    from config.celery import app

    app.control.purge()
    yield


def form_data(community, category):
    return {
        "community": community.pk,
        "category": category.pk,
        "address": "东风路18号3号楼",
        "description": "楼道的灯坏了一个星期",
        "contact_name": "王先生",
        "contact_phone": "13912345678",
        "consent": "on",
        "website": "",
    }


def notification_of(req) -> Notification:
    return Notification.objects.exclude(email="").get(request=req)


@pytest.mark.django_db(transaction=True)
def test_redis_down_the_request_is_taken_fast_and_notified_when_redis_is_back(
    client, community_a, category, tmp_path, purged_queue
):
    f.staff_of(community_a, email="staff@example.org")
    url = reverse("services:submit")
    # a running server has its code loaded: warm this process up as the first request would
    assert client.get(url, {"community": community_a.pk, "category": category.pk}).status_code == 200
    faults.redis_stop()
    try:
        started = time.monotonic()
        response = client.post(url, form_data(community_a, category))
        elapsed = time.monotonic() - started
        print(f"submission with Redis stopped: {elapsed:.3f} s")
        assert response.status_code == 302, response.content.decode()[:2000]
        assert elapsed < 2.0, f"the submission took {elapsed:.2f}s with Redis down"
        readyz = client.get("/readyz")
        assert readyz.status_code == 503 and readyz.json()["broker"] == "down"
        req = ServiceRequest.objects.get()
        assert notification_of(req).status == NotificationStatus.PENDING
    finally:
        faults.redis_start()

    smtp = faults.FakeSMTP()
    worker = faults.WorkerProcess(
        settings_dict=connection.settings_dict, smtp_port=smtp.port, log_path=tmp_path / "worker.log"
    )
    try:
        from services.tasks import sweep_notifications

        sweep_notifications.delay()  # what beat sends every five minutes (services migration 0002)
        faults.wait_for(lambda: len(smtp.messages) == 1, 90, what="the notification e-mail")
        note = notification_of(req)
        faults.wait_for(lambda: Notification.objects.get(pk=note.pk).status == NotificationStatus.SENT, 30, what="SENT")
        sweep_notifications.delay()
        time.sleep(3)
        assert len(smtp.messages) == 1, "sent once, not again"
        assert req.display_code.encode() in smtp.messages[0] or b"Subject:" in smtp.messages[0]
    finally:
        worker.stop()
        smtp.close()


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_task_redelivers_and_the_effect_happens_once(community_a, category, tmp_path, purged_queue):
    """The notification task is stopped in the middle (the mail server hangs) and its pool child SIGKILLed."""
    f.staff_of(community_a, email="staff@example.org")
    smtp = faults.FakeSMTP(stall_first=True)
    worker = faults.WorkerProcess(
        settings_dict=connection.settings_dict, smtp_port=smtp.port, log_path=tmp_path / "worker.log"
    )
    try:
        req = service_actions.request_submit(
            community=community_a,
            category=category,
            description="楼道的灯坏了一个星期",
            contact_name="王先生",
            contact_phone="13912345678",
            address="东风路18号",
        )  # committed: on_commit sends send_notification to the broker
        note = notification_of(req)
        assert smtp.stalled.wait(90), worker.log().decode(errors="replace")[-3000:]
        (child,) = worker.children()
        os.kill(child, signal.SIGKILL)

        faults.wait_for(lambda: len(smtp.messages) >= 1, 120, what="the redelivered task's e-mail")
        faults.wait_for(lambda: Notification.objects.get(pk=note.pk).status == NotificationStatus.SENT, 30, what="SENT")
        time.sleep(3)
        note.refresh_from_db()
        assert len(smtp.messages) == 1, "exactly one e-mail"
        assert note.attempts == 1, "the killed attempt's write was rolled back with its transaction"
        assert smtp.connections == 2
        log = worker.log()
        assert b"WorkerLostError" in log or b"exited prematurely" in log, log.decode(errors="replace")[-3000:]
        assert worker.proc.poll() is None, "the worker itself carries on"
    finally:
        worker.stop()
        smtp.close()


# --- (c) PostgreSQL restarted under the running app: keep this test last ---------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10.0) -> tuple[int, bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - started


def test_postgres_restart_fails_cleanly_and_recovers_without_restarting_the_app(transactional_db, tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}},
        "DEBUG": "0",
        "SECRET_KEY": "faults-" + "s3cret" * 10,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": faults.database_url(connection.settings_dict),
    }
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [str(faults.Path(sys.executable).with_name("gunicorn")), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--timeout", "60"],
        cwd=faults.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        faults.wait_for(lambda: _probe(base + "/healthz") == 200, 90, 0.5, "gunicorn to answer")
        workers = faults.child_pids(server.pid)
        for _ in range(4):  # every worker holds a persistent connection (CONN_MAX_AGE)
            assert _get(base + "/readyz")[0] == 200, _tail(tmp_path / "gunicorn.log")
            status, body, _took = _get(base + "/")
            assert status == 200, body.decode(errors="replace")[:3000] + _tail(tmp_path / "gunicorn.log")

        stopped = faults.postgres_ctl("stop")
        assert stopped.returncode == 0, stopped.stderr
        try:
            for _ in range(4):
                status, body, took = _get(base + "/readyz")
                assert status == 503 and b'"database": "down"' in body and took < 5, (status, body, took)
                status, body, took = _get(base + "/")
                assert status == 500 and took < 5, (status, took)
                assert b"Traceback" not in body
            assert _get(base + "/healthz")[0] == 200, "the process itself is up"
        finally:
            started = faults.postgres_ctl("start")
            faults.wait_for(faults.postgres_up, 60, 0.5, "PostgreSQL to start")
        assert started.returncode == 0, started.stderr

        faults.wait_for(lambda: _probe(base + "/readyz") == 200, 60, 0.5, "/readyz to recover")
        results = [_get(base + "/")[0] for _ in range(8)]
        assert results == [200] * 8, results
        assert server.poll() is None
        assert faults.child_pids(server.pid) == workers, "no restart"
    finally:
        if not faults.postgres_up():
            faults.postgres_ctl("start")
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        connections.close_all()  # this process's own connections died with the restart


def _tail(path, n=4000) -> str:
    return path.read_bytes()[-n:].decode(errors="replace")


def _probe(url: str) -> int:
    try:
        return _get(url, timeout=5)[0]
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0
