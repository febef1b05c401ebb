import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra, *args):
    # a clean production-like environment: nothing the test run itself set (e.g. the browser tests' async flag)
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_refuses_default_secret_key_without_debug():
    result = _run({"DEBUG": "0"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("command", [["check"], ["migrate", "--plan"], ["shell", "-c", "pass"]])
def test_a_bare_environment_gets_one_clear_line_not_a_traceback(command):
    bare = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=bare, capture_output=True, text=True)
    assert result.returncode == 2
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr
    assert "Traceback" not in result.stderr


def test_a_command_on_the_source_alone_needs_no_key():
    """Checking the migrations signs and serves nothing: it runs in a bare environment, on a key made for the
    process (manage.KEYLESS_COMMANDS), where a command that serves or writes the database still refuses."""
    bare = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    command = [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"]
    result = subprocess.run(command, cwd=ROOT, env=bare, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_check_deploy_passes_with_production_variables(tmp_path):
    result = _run(
        {
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "production-like-secret-0123456789-abcdefghijkl",
            "ALLOWED_HOSTS": "shequ.example.org",
            "VAR_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_compose_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert "gunicorn" in str(services["web"]["command"])
    assert "worker" in str(services["worker"]["command"])
    assert "beat" in str(services["beat"]["command"])
    for name in ("db", "redis", "web"):
        assert "healthcheck" in services[name], name
    images = {services[n].get("image") or str(services[n].get("build")) for n in ("web", "worker", "beat")}
    assert len(images) == 1, "web, worker and beat reuse one image"


def test_docker_compose_puts_a_tls_proxy_in_front_and_serves_media_through_it():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}, "only the proxy is reachable: gunicorn's X-Real-IP cannot be spoofed"
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy") and "443:443" in proxy["ports"]
    assert "readyz" in str(proxy["healthcheck"]["test"]) and "https://" in str(proxy["healthcheck"]["test"])
    web_check = str(services["web"]["healthcheck"]["test"])
    assert "X-Forwarded-Proto" in web_check and "ALLOWED_HOSTS" in web_check, "no redirect, no DisallowedHost"
    env = services["web"]["environment"]
    assert env["MEDIA_ACCEL_REDIRECT"] == "/protected-media/" and env["RATELIMIT_IP_META_KEY"] == "HTTP_X_REAL_IP"
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "header_up X-Real-IP {remote_host}" in caddyfile
    assert "X-Accel-Redirect" in caddyfile and "handle /protected-media/*" in caddyfile
    assert any(volume.startswith("media:/srv/media") for volume in proxy["volumes"])


@pytest.mark.django_db
def test_the_connections_plan_for_memory_or_ssd_unless_told_otherwise():
    """random_page_cost 1.1 on the application's connections (DATABASE_RANDOM_PAGE_COST; empty: the server's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}).get('options'))"
    for value, expected in (("", "None"), ("2", "-c random_page_cost=2.0")):
        result = _run({"DEBUG": "1", "DATABASE_RANDOM_PAGE_COST": value}, "shell", "-c", code)
        assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_a_planner_cost_that_is_not_a_number_is_one_clear_line():
    result = _run({"DEBUG": "1", "DATABASE_RANDOM_PAGE_COST": "fast"}, "check")
    assert result.returncode == 2
    assert "DATABASE_RANDOM_PAGE_COST must be a number" in result.stderr and "Traceback" not in result.stderr
