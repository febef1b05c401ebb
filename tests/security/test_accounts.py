"""Accounts and sessions (issue 8, item 1): password policy and history, lock-out, idle sessions,
secure cookies and HSTS in production, no demo account with DEBUG off, superusers only by command."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.checks import Error
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from community import checks
from community.auth_models import PasswordHistory
from community.demo.reference import DEMO_PASSWORD
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
User = get_user_model()
P1, P2, P3, P4 = "Harbour#2026a", "Lantern#2026b", "Meadow#2026c", "Orchard#2026d"

pytestmark = pytest.mark.django_db


# --- password policy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, code",
    [
        ("Ab#1xyz", "password_too_short"),  # 7 characters
        ("abcdefgh12", "password_classes"),  # two classes
        ("ABCDEFGH!!", "password_classes"),
        ("12345678", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as info:
        validate_password(password)
    assert code in {e.code for e in info.value.error_list}


def test_three_classes_of_eight_characters_are_enough():
    validate_password("quiet#river9")  # lower, symbol, digit
    validate_password("QuietRiver9")  # lower, upper, digit


def set_password(user, password):
    user.set_password(password)
    user.save()


def test_history_keeps_the_last_three_hashes_only():
    user = User.objects.create_user("keeper", password=P1)
    for password in (P2, P3, P4):
        set_password(user, password)
    rows = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
    assert len(rows) == 3 and rows[0] == user.password
    assert not any(P1 in row or P4 in row for row in rows), "hashes only, never the password"
    with pytest.raises(ValidationError):
        validate_password(P2, user)
    validate_password(P1, user)  # the fourth-last is allowed again
    set_password(user, P4)  # the same password set again (a re-run seed) is one entry, not a new one
    assert list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)) == rows


def test_a_user_made_before_the_history_still_cannot_reuse_the_current_password():
    user = User.objects.create_user("old", password=P1)
    PasswordHistory.objects.filter(user=user).delete()
    with pytest.raises(ValidationError) as info:
        validate_password(P1, user)
    assert info.value.error_list[0].code == "password_reused"


def test_admin_password_change_form_refuses_the_last_three(client):
    admin = User.objects.create_superuser("root_by_command", password="Admin#Pass2026")
    clerk = User.objects.create_user("clerk", password=P1, is_staff=True)
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[clerk.pk])

    def change(password):
        return client.post(url, {"password1": password, "password2": password, "usable_password": "true"})

    assert change(P2).status_code == 302
    assert change(P3).status_code == 302
    for reused in (P1, P2, P3):
        response = change(reused)
        assert response.status_code == 200, reused
        assert "one of your last 3 passwords" in str(response.context["form"].errors)
    clerk.refresh_from_db()
    assert clerk.check_password(P3)
    assert change(P4).status_code == 302
    assert change(P1).status_code == 302, "P1 is now the fourth-last"
    clerk.refresh_from_db()
    assert clerk.check_password(P1)


def test_changepassword_command_refuses_reuse(capsys):
    user = User.objects.create_user("cmd_user", password=P1)
    set_password(user, P2)
    # three tries, each the previous password typed twice: refused every time
    with mock.patch("getpass.getpass", side_effect=[P1] * 6), pytest.raises(CommandError):
        call_command("changepassword", "cmd_user")
    assert "one of your last 3 passwords" in capsys.readouterr().err
    user.refresh_from_db()
    assert user.check_password(P2)
    with mock.patch("getpass.getpass", side_effect=[P3, P3]):
        call_command("changepassword", "cmd_user")
    user.refresh_from_db()
    assert user.check_password(P3)
    assert PasswordHistory.objects.filter(user=user).count() == 3


# --- lock-out and sessions ---------------------------------------------------------------------


def test_five_failures_lock_the_account_for_ten_minutes(client, settings):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    User.objects.create_user("target", password=P1, is_staff=True)
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "target", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    locked = client.post(login, {"username": "target", "password": P1}, REMOTE_ADDR="10.1.1.1")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # nine minutes later: still locked
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=9))
    assert client.post(login, {"username": "target", "password": P1}, REMOTE_ADDR="10.1.1.1").status_code == 429
    # past the ten-minute cool-off the right password works again
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=11))
    response = client.post(login, {"username": "target", "password": P1}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302 and "_auth_user_id" in client.session


def _refreshed_ago(client, seconds: int) -> None:
    """Pretend the session's end was last moved ``seconds`` ago."""
    from utilities.sessions import SEEN_KEY

    session = client.session
    session[SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_idle_session_ends_after_thirty_minutes(client, settings, count_queries):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_REFRESH_SECONDS == 60
    user = User.objects.create_user("idle", password=P1, is_staff=True, is_superuser=True)
    assert client.post(reverse("admin:login"), {"username": "idle", "password": P1}).status_code == 302
    index = reverse("admin:index")
    assert client.get(index).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    left = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)

    # activity keeps it alive: a request moves the end 30 minutes past it, at most once a minute
    _refreshed_ago(client, 61)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + dt.timedelta(minutes=2))
    assert client.get(index).status_code == 200
    session.refresh_from_db()
    assert session.expire_date - timezone.now() > dt.timedelta(minutes=29)
    # within the minute, a request writes nothing to the session
    with count_queries() as queries:
        assert client.get(index).status_code == 200
    writes = [q["sql"] for q in queries.ctx.captured_queries if "django_session" in q["sql"]]
    assert all(q.lstrip().startswith("SELECT") for q in writes), queries.dump()

    # thirty idle minutes later the session is over
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(index)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert user.pk  # the account itself is untouched


def test_a_visitor_without_a_session_gets_none(client):
    before = Session.objects.count()
    assert client.get(reverse("services:track")).status_code == 200
    assert Session.objects.count() == before and "sessionid" not in client.cookies


def _production(extra=None, code=""):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "prod-" + "k3y" * 20,
            "ALLOWED_HOSTS": "shequ.example.org",
            **(extra or {}),
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_settings_secure_cookies_and_hsts(tmp_path):
    code = (
        "from django.conf import settings as s; import json; print(json.dumps({k: getattr(s, k) for k in ["
        "'SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SECURE_HSTS_SECONDS',"
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS','SECURE_SSL_REDIRECT','SESSION_COOKIE_AGE','SESSION_REFRESH_SECONDS','MIDDLEWARE',"
        "'X_FRAME_OPTIONS','SECURE_CONTENT_TYPE_NOSNIFF']}))"
    )
    result = _production({"VAR_DIR": str(tmp_path)}, code)
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SESSION_COOKIE_AGE"] == 1800 and values["SESSION_REFRESH_SECONDS"] == 60
    assert "utilities.sessions.IdleSessionMiddleware" in values["MIDDLEWARE"]
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_CONTENT_TYPE_NOSNIFF"]


def test_https_responses_carry_hsts_and_secure_session_cookie(client, settings):
    """The production values (asserted above) applied in-process: what a browser actually receives."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    User.objects.create_user("https_user", password=P1, is_staff=True)
    plain = client.get(reverse("admin:login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    response = client.post(reverse("admin:login"), {"username": "https_user", "password": P1}, secure=True)
    assert response.status_code == 302
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and int(cookie["max-age"]) == 1800


# --- no demo account with DEBUG off --------------------------------------------------------------


def test_seed_reference_refuses_demo_users_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_reference")
    assert not User.objects.exists()


def test_deploy_check_fails_while_a_demo_account_exists(settings):
    settings.DEBUG = False
    assert checks.demo_users_absent(None) == []
    f.staff_of(f.CommunityFactory(), username="demo_staff")
    errors = checks.demo_users_absent(None)
    assert [e.id for e in errors] == ["platform.E001"] and "demo_staff" in errors[0].msg
    with pytest.raises(SystemCheckError, match="platform.E001"):
        call_command("check", "--deploy", "--tag", "platform")
    settings.DEBUG = True
    assert checks.demo_users_absent(None) == []


def test_deploy_check_finds_the_demo_password_on_an_admin_account(settings):
    settings.DEBUG = False
    boss = User.objects.create_superuser("boss", password="Other#Pass2026")
    User.objects.create_user("admin", password="Admin#Pass2026x")
    assert checks.demo_users_absent(None) == []
    boss.set_password(DEMO_PASSWORD)
    boss.save()
    User.objects.create_user("guest", password=DEMO_PASSWORD)
    User.objects.create_user("clerk_zhang", password=DEMO_PASSWORD)  # an ordinary name is not hashed
    (error,) = checks.demo_users_absent(None)
    assert isinstance(error, Error) and "boss" in error.msg and "guest" in error.msg
    assert "clerk_zhang" not in error.msg


# --- superusers only by command ----------------------------------------------------------------


def change_form_data(response) -> dict:
    """The change form's current values, as the browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(field.widget, MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(value)
    return data


def test_a_superuser_cannot_make_another_superuser_in_the_admin(client):
    admin = User.objects.create_superuser("root_cmd", password="Admin#Pass2026")
    clerk = f.staff_of(f.CommunityFactory())
    client.force_login(admin)
    url = reverse("admin:community_user_change", args=[clerk.pk])
    data = change_form_data(client.get(url))
    assert "is_superuser" not in data
    data.update(is_superuser="on", first_name="改名")
    assert client.post(url, data).status_code == 302
    clerk.refresh_from_db()
    assert clerk.first_name == "改名" and not clerk.is_superuser
    # and the command still makes one
    call_command("createsuperuser", "--noinput", username="second_root", email="r@example.org")
    assert User.objects.get(username="second_root").is_superuser


def test_an_account_manager_cannot_raise_rights_nor_touch_superusers(client, town):
    community = f.CommunityFactory(town=town)
    manager = f.official_of(town.county)
    manager.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    clerk = f.staff_of(community)
    outsider = f.staff_of(f.CommunityFactory())  # another county
    root = User.objects.create_superuser("root_x", password="Admin#Pass2026")
    client.force_login(manager)

    own = reverse("admin:community_user_change", args=[manager.pk])
    data = change_form_data(client.get(own))
    for field in ("is_superuser", "is_staff", "groups", "user_permissions", "scope_level", "county"):
        assert field not in data, field
    every_perm = [str(p) for p in Permission.objects.values_list("pk", flat=True)]
    data.update(is_superuser="on", user_permissions=every_perm, groups=["1", "2", "3"], first_name="经理")
    assert client.post(own, data).status_code == 302
    manager = User.objects.get(pk=manager.pk)
    assert manager.first_name == "经理" and not manager.is_superuser
    assert manager.user_permissions.count() == 2 and manager.groups.count() == 1

    listed = client.get(reverse("admin:community_user_changelist"))
    shown = {u.pk for u in listed.context["cl"].result_list}
    assert clerk.pk in shown and manager.pk in shown
    assert root.pk not in shown and outsider.pk not in shown
    for target in (root, outsider):
        assert client.get(reverse("admin:community_user_change", args=[target.pk])).status_code == 302
        password_url = reverse("admin:auth_user_password_change", args=[target.pk])
        response = client.post(password_url, {"password1": P4, "password2": P4, "usable_password": "true"})
        assert response.status_code in (403, 404)
    root.refresh_from_db()
    assert root.check_password("Admin#Pass2026")
