import pytest
from django.apps import apps
from django.urls import reverse

from community.models import PersonalDataAccess, Resident
from tests import factories as f
from tests.conftest import assert_flat


@pytest.mark.django_db
def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code in (200, 503)
    assert response.json()["database"] == "ok"
    assert response.json()["database_server"].startswith("PostgreSQL ")


def test_embedded_services_start_reuse_and_stop(tmp_path, monkeypatch):
    """With nothing set the platform runs on a real PostgreSQL and Redis from PyPI wheels, under VAR_DIR."""
    import psycopg2
    import redis

    from utilities import devservices

    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    try:
        port = devservices.postgres_start()
        assert devservices.postgres_start() == port, "a second start reuses the running server"
        with psycopg2.connect(devservices.postgres_url(port)) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version_num')::int, count(*) FROM pg_available_extensions "
                           "WHERE name = 'pg_trgm'")  # fmt: skip
            version, trigram = cursor.fetchone()
        conn.close()
        assert version >= 180000 and trigram == 1
        assert (tmp_path / "var" / "postgres" / "PG_VERSION").exists()
        redis_port = devservices.redis_start()
        assert redis.Redis(port=redis_port).ping()
        assert devservices.status()["postgres"] == devservices.postgres_url(port)
    finally:
        devservices.stop_all()
    assert devservices.postgres_port() is None and devservices.redis_port() is None
    assert (tmp_path / "var" / "postgres" / "PG_VERSION").exists(), "stopping keeps the data"
    assert devservices.main(["reset"]) == 0
    assert not (tmp_path / "var" / "postgres").exists()


@pytest.mark.django_db
def test_resident_api_masks_and_validates(client, staff_a, community_a):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    client.force_login(staff_a)
    bad = client.post(
        reverse("resident-list"),
        {"household": household.pk, "name": "赵六", "id_number": "110105194912310021", "phone": "123"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "id_number" in bad.json() and "phone" in bad.json()
    assert not Resident.objects.filter(name="赵六").exists()
    good = client.post(
        reverse("resident-list"),
        {"household": household.pk, "name": "赵六", "id_number": "11010519491231002X", "phone": "13812341234"},
        content_type="application/json",
    )
    assert good.status_code == 201, good.content
    body = good.json()
    assert body["masked_id_number"] == "110105********002X"
    assert body["masked_phone"] == "138****1234"
    assert "id_number" not in body and "phone" not in body
    listing = client.get(reverse("resident-list")).json()
    assert "11010519491231002X" not in str(listing)


def rows_of(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def rows_in(model, community) -> int:
    """The rows of ``model`` stored in ``community`` (counted on the model's path, not through the scope rule)."""
    path = model.community_path
    return model._base_manager.filter(**{path or "pk": community.pk}).distinct().count()


@pytest.mark.django_db
def test_residents_list_query_count_is_flat(client, staff_a, community_a, count_queries):
    client.force_login(staff_a)
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    f.ResidentFactory.create_batch(3, household=household)
    client.get(reverse("resident-list"))  # warm caches (content types, permissions)
    with count_queries() as few:
        assert client.get(reverse("resident-list")).status_code == 200
    f.ResidentFactory.create_batch(30, household=household)
    with count_queries() as many:
        response = client.get(reverse("resident-list"))
    assert len(response.json()["results"]) == 33
    assert_flat(few, many)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["household-list", "building-list", "zone-list", "unit-list", "community-list"])
def test_core_lists_query_count_is_flat(url_name, client, staff_a, community_a, count_queries):
    client.force_login(staff_a)
    label = {
        "household-list": "Household",
        "building-list": "Building",
        "zone-list": "Zone",
        "unit-list": "ResidentUnit",
        "community-list": "Community",
    }[url_name]
    make = f.SCOPED_FACTORIES[f"community.{label}"]
    model = apps.get_model("community", label)
    make(community_a)
    client.get(reverse(url_name))
    with count_queries() as few:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert len(rows_of(response)) == rows_in(model, community_a) >= 1
    for _ in range(10):
        make(community_a)
    with count_queries() as many:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert len(rows_of(response)) == rows_in(model, community_a) >= (1 if label == "Community" else 11)
    assert_flat(few, many)


@pytest.mark.django_db
def test_dashboard_api_scope_checked(client, staff_a, staff_b, community_a, community_b, official):
    f.SCOPED_FACTORIES["community.Resident"](community_a)
    client.force_login(official)
    body = client.get("/api/v1/dashboard/").json()
    assert body["scope"]["level"] == "county"
    people = next(s for s in body["sections"] if s["key"] == "people")
    values = {i["key"]: i["value"] for i in people["indicators"]}
    assert values["communities"] == 2 and values["residents"] == 1
    client.force_login(staff_b)
    assert client.get("/api/v1/dashboard/", {"scope": "community", "id": community_a.pk}).status_code == 403
    assert client.get("/api/v1/dashboard/", {"scope": "county"}).status_code == 403
    own = client.get("/api/v1/dashboard/", {"scope": "community", "id": community_b.pk})
    assert own.status_code == 200
    assert client.get("/api/v1/dashboard/", {"scope": "community", "id": 999999}).status_code == 404
    assert (
        client.get(
            "/api/v1/dashboard/", {"scope": "community", "id": community_b.pk, "period": "month", "value": "x"}
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_token_auth(client, staff_a):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=staff_a)
    response = client.get(reverse("resident-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert client.get(reverse("resident-list")).status_code in (401, 403)


@pytest.mark.django_db
def test_admin_masks_list_and_logs_reveal(client, staff_a, community_a):
    resident = f.SCOPED_FACTORIES["community.Resident"](community_a)
    client.force_login(staff_a)
    changelist = client.get(reverse("admin:community_resident_changelist")).content.decode()
    assert resident.masked_id_number in changelist and resident.id_number not in changelist
    page = client.get(reverse("admin:community_resident_change", args=[resident.pk])).content.decode()
    assert resident.id_number in page
    log = PersonalDataAccess.objects.get()
    assert log.user == staff_a and log.object_id == str(resident.pk)


@pytest.mark.django_db
def test_party_worker_sees_masked_change_page(client, community_a):
    from community.choices import Role, ScopeLevel

    resident = f.SCOPED_FACTORIES["community.Resident"](community_a)
    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    client.force_login(worker)
    page = client.get(reverse("admin:community_resident_change", args=[resident.pk])).content.decode()
    assert resident.id_number not in page and resident.masked_id_number in page
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_admin_changelists_query_count_flat(client, staff_a, community_a, count_queries):
    client.force_login(staff_a)
    for model in ["resident", "household", "building", "zone", "residentunit"]:
        make = f.SCOPED_FACTORIES[f"community.{ {'residentunit': 'ResidentUnit'}.get(model, model.capitalize()) }"]
        make(community_a)
        url = reverse(f"admin:community_{model}_changelist")
        client.get(url)
        with count_queries() as few:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == rows_in(apps.get_model("community", model), community_a)
        for _ in range(8):
            make(community_a)
        with count_queries() as many:
            response = client.get(url)
        assert response.status_code == 200
        shown = len(response.context["cl"].result_list)
        assert shown == rows_in(apps.get_model("community", model), community_a) >= 9
        assert_flat(few, many)


@pytest.mark.django_db
def test_lockout_after_five_failures(client, staff_a):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": staff_a.username, "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": staff_a.username, "password": "Passw0rd!x"})
    assert response.status_code == 429 or "locked" in response.content.decode().lower()


@pytest.mark.django_db
def test_admin_filters_offer_only_communities_in_scope(client, staff_a, community_a, community_b):
    f.SCOPED_FACTORIES["community.Resident"](community_a)
    client.force_login(staff_a)
    page = client.get(reverse("admin:community_resident_changelist")).content.decode()
    assert community_a.name in page
    assert community_b.name not in page


@pytest.mark.django_db(transaction=True)
def test_value_the_database_cannot_hold_is_a_400(client, staff_a):
    """PostgreSQL refuses a time-zone offset past ±15:59 that Python accepts: a 400, not a 500.

    Transactional, as requests run in autocommit (no outer transaction left aborted).
    """
    client.force_login(staff_a)
    response = client.get(reverse("service-request-list"), {"submitted_before": "1676-08-19T21:44:44+22:36"})
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
