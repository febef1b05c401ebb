"""Background exports: the action, the Celery tasks (eager and on a real worker), the sweep, downloads."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from unittest import mock

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from community import exports, tasks
from community.models import DataExport, PersonalDataAccess
from tests import factories as f


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def residents_a(community_a):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    return f.ResidentFactory.create_batch(5, household=household)


def read_xlsx(export: DataExport) -> list[tuple]:
    with export.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    return list(workbook.active.values)


@pytest.mark.django_db
def test_export_builds_file_with_progress_and_is_logged(
    eager, staff_a, community_b, residents_a, django_capture_on_commit_callbacks
):
    f.SCOPED_FACTORIES["community.Resident"](community_b)  # not the user's: never in the file
    with django_capture_on_commit_callbacks(execute=True):
        export = exports.data_export_create(by=staff_a, kind=DataExport.Kind.RESIDENT, params={"current": "true"})
    export.refresh_from_db()
    assert export.status == DataExport.Status.DONE, export.error
    assert (export.progress, export.rows, export.attempts) == (100, 5, 1)
    assert export.enqueued_at is not None and export.finished_at is not None
    rows = read_xlsx(export)
    assert rows[0][0] == "身份证号"
    assert sorted(r[0] for r in rows[1:]) == sorted(r.id_number for r in residents_a)
    log = PersonalDataAccess.objects.get(kind="export")
    assert log.user == staff_a and log.rows == 5 and log.model == "community.Resident"
    assert str(export.pk) in log.reason

    # a redelivered task finds the export done and does not build it again
    name = export.file.name
    assert tasks.data_export_build.delay(export.pk).get() == DataExport.Status.DONE
    export.refresh_from_db()
    assert export.file.name == name and export.attempts == 1
    assert PersonalDataAccess.objects.count() == 1


@pytest.mark.django_db
def test_export_filters_and_reports_progress_in_chunks(eager, staff_a, community_a, monkeypatch, count_queries):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    f.ResidentFactory.create_batch(7, household=household, low_income=True)
    f.ResidentFactory.create_batch(2, household=household)
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 3)
    export = DataExport.objects.create(
        user=staff_a, model=DataExport.Kind.RESIDENT, params={"vulnerability": "low_income"}
    )
    with count_queries() as queries:
        exports.data_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.DONE and export.rows == 7 and export.progress == 100
    assert len(read_xlsx(export)) == 8
    progress = [q["sql"] for q in queries.ctx.captured_queries if '"progress" =' in q["sql"]]
    assert any('"progress" = 42' in sql for sql in progress), queries.dump()
    assert any('"progress" = 85' in sql for sql in progress), queries.dump()


@pytest.mark.django_db
def test_household_export_needs_its_own_permission(eager, community_a, django_capture_on_commit_callbacks):
    from community.choices import Role, ScopeLevel

    f.SCOPED_FACTORIES["community.Household"](community_a)
    clerk = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    clerk.user_permissions.add(Permission.objects.get(codename="export_resident"))
    with pytest.raises(PermissionDenied):
        exports.data_export_create(by=clerk, kind=DataExport.Kind.HOUSEHOLD)
    clerk.user_permissions.add(Permission.objects.get(codename="export_household"))
    clerk = type(clerk).objects.get(pk=clerk.pk)  # fresh permission cache
    with django_capture_on_commit_callbacks(execute=True):
        export = exports.data_export_create(by=clerk, kind=DataExport.Kind.HOUSEHOLD)
    export.refresh_from_db()
    assert export.status == DataExport.Status.DONE and export.rows == 1
    assert read_xlsx(export)[0][:2] == ("户ID", "社区编码")


@pytest.mark.django_db
def test_export_refused_without_permission_or_with_bad_filters(client, official, staff_a):
    with pytest.raises(PermissionDenied):
        exports.data_export_create(by=official, kind=DataExport.Kind.RESIDENT)
    with pytest.raises(ValidationError):
        exports.data_export_create(by=staff_a, kind=DataExport.Kind.RESIDENT, params={"community": "abc"})
    with pytest.raises(ValidationError):
        exports.data_export_create(by=staff_a, kind=DataExport.Kind.RESIDENT, params={"password": "x"})
    with pytest.raises(ValidationError):
        exports.data_export_create(by=staff_a, kind="auth.User")
    assert not DataExport.objects.exists()
    client.force_login(official)
    assert client.get(reverse("admin:community_dataexport_new")).status_code == 403
    listing = client.get(reverse("admin:community_dataexport_changelist"))  # their own exports: none
    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == []
    client.force_login(staff_a)
    response = client.post(reverse("admin:community_dataexport_new"), {"model": "auth.User"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_broker_down_request_succeeds_and_sweep_resends(
    client, eager, staff_a, community_a, residents_a, django_capture_on_commit_callbacks
):
    client.force_login(staff_a)
    down = mock.patch.object(tasks.data_export_build, "apply_async", side_effect=BrokerDown("connection refused"))
    with down, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:community_dataexport_new"),
            {"model": DataExport.Kind.RESIDENT, "community": community_a.pk},
        )
    assert response.status_code == 302
    export = DataExport.objects.get()
    assert export.status == DataExport.Status.QUEUED and export.enqueued_at is None
    assert export.params == {"community": str(community_a.pk)}

    assert exports.data_export_resend_stale() == 0, "younger than a minute: left alone"
    DataExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    assert tasks.data_export_sweep.delay().get() == 1
    export.refresh_from_db()
    assert export.status == DataExport.Status.DONE and export.rows == 5


@pytest.mark.django_db
def test_running_export_is_not_started_twice_but_a_dead_one_is(eager, staff_a, residents_a):
    export = DataExport.objects.create(
        user=staff_a, model=DataExport.Kind.RESIDENT, status=DataExport.Status.RUNNING, started_at=timezone.now()
    )
    exports.data_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.RUNNING and not export.file
    assert exports.data_export_resend_stale() == 0
    DataExport.objects.filter(pk=export.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert exports.data_export_resend_stale() == 1
    export.refresh_from_db()
    assert export.status == DataExport.Status.DONE and export.attempts == 1


@pytest.mark.django_db
def test_export_fails_cleanly_when_permission_is_lost(eager, staff_a, residents_a):
    export = DataExport.objects.create(user=staff_a, model=DataExport.Kind.RESIDENT)
    staff_a.groups.clear()
    exports.data_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.FAILED and "permission" in export.error
    assert not export.file and not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_download_only_by_the_owner(client, eager, staff_a, community_a, residents_a):
    other = f.staff_of(community_a)
    export = DataExport.objects.create(user=staff_a, model=DataExport.Kind.RESIDENT)
    url = reverse("admin:community_dataexport_download", args=[export.pk])
    client.force_login(staff_a)
    assert client.get(url).status_code == 404, "not finished yet"
    exports.data_export_run(export_id=export.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(content)).active.max_row == 6
    assert PersonalDataAccess.objects.filter(user=staff_a, kind="export", fields="file").count() == 1
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:community_dataexport_change", args=[export.pk])).status_code in (302, 403, 404)
    assert PersonalDataAccess.objects.filter(user=other).count() == 0


@pytest.mark.django_db
def test_changelist_shows_only_own_exports_with_flat_queries(client, staff_a, community_a, count_queries):
    other = f.staff_of(community_a)
    theirs = DataExport.objects.create(user=other, model=DataExport.Kind.RESIDENT)
    DataExport.objects.create(user=staff_a, model=DataExport.Kind.RESIDENT, status=DataExport.Status.DONE)
    url = reverse("admin:community_dataexport_changelist")
    client.force_login(staff_a)
    client.get(url)
    with count_queries() as few:
        response = client.get(url)
    assert [e.user_id for e in response.context["cl"].result_list] == [staff_a.pk]
    assert theirs.pk not in {e.pk for e in response.context["cl"].result_list}
    for status in [DataExport.Status.QUEUED, DataExport.Status.RUNNING, DataExport.Status.FAILED] * 4:
        DataExport.objects.create(user=staff_a, model=DataExport.Kind.RESIDENT, status=status, progress=40)
    with count_queries() as many:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 13
    assert 'http-equiv="refresh"' in response.content.decode()
    from tests.conftest import assert_flat

    assert_flat(few, many)


@pytest.mark.django_db
def test_owner_deletes_export_and_its_file(client, eager, staff_a, residents_a):
    export = DataExport.objects.create(user=staff_a, model=DataExport.Kind.RESIDENT)
    exports.data_export_run(export_id=export.pk)
    export.refresh_from_db()
    path = export.file.path
    assert os.path.exists(path)
    other = f.staff_of(residents_a[0].household.building.zone.community)
    with pytest.raises(PermissionDenied):
        exports.data_export_delete(by=other, export_id=export.pk)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        exports.data_export_delete(by=staff_a, export_id=export.pk)
    assert not DataExport.objects.exists() and not os.path.exists(path)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_builds_export(staff_a, community_a):
    """A real Celery worker (solo pool, in a thread) against Redis picks the task up and finishes it."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: no broker for a real worker")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    f.ResidentFactory.create_batch(3, household=household)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30):
        export = exports.data_export_create(by=staff_a, kind=DataExport.Kind.RESIDENT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.status in (DataExport.Status.DONE, DataExport.Status.FAILED):
                break
            time.sleep(0.2)
    assert export.status == DataExport.Status.DONE, (export.status, export.error)
    assert export.enqueued_at is not None and export.rows == 3
    assert len(read_xlsx(export)) == 4
