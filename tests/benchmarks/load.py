"""A bounded load test over loopback: gunicorn with the production settings, concurrent clients, fixed time.

``Server`` starts ``gunicorn config.wsgi`` on 127.0.0.1 (a free port) against the database of
``DATABASE_URL`` (the bench database) with what production runs: ``DEBUG`` off, a freshly generated
``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, the manifest static storage (``collectstatic`` into
``var/bench-load/`` first), Redis as the cache of the rate limits when ``REDIS_URL`` is set, secure
cookies, HSTS and the SSL redirect.  The clients act as a TLS-terminating proxy would: they send
``X-Forwarded-Proto: https`` (the settings trust it) and an ``X-Real-IP`` of their own.

Two loads, each for a fixed time with ``clients`` threads (``http.client``, a new connection a request
as gunicorn's sync workers close them):

* ``form``: residents submitting the public request form: GET the form (its CSRF cookie and token),
  POST valid data (a building and door number, a description, a valid mobile number, consent), which
  must answer 302 to the "submitted" page.  The per-IP (20/h) and per-phone (5/h) limits stay on:
  every simulated resident comes from its own address (``RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP``, the
  documented setting for running behind a proxy) and phone, as a county's residents do; a 429 counts
  as an error.
* ``mixed``: the same form posts, API lists as a county official (token auth):
  ``/api/v1/services/requests/`` and ``/api/v1/residents/``, and the dashboard JSON of the county and
  of a community.

It reports requests, req/s, p50/p95 latency (in all and per kind), errors (by status) and each
gunicorn worker's resident memory after a warm-up and at the end.  The requests the load submitted
are deleted afterwards, so the bench county stays as generated.

Standalone (the county must exist, e.g. after ``make bench`` or ``generate_county``)::

    DATABASE_URL=postgres://…/shequ_bench .venv/bin/python tests/benchmarks/load.py --mix both --seconds 20

In ``make bench`` the two rows come from ``load_benches()`` (bench_services.py); their length, clients
and workers come from ``BENCH_LOAD_SECONDS`` (20), ``BENCH_LOAD_CLIENTS`` (8), ``BENCH_LOAD_WORKERS`` (3).
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
STATIC_VAR_DIR = ROOT / "var" / "bench-load"
LOAD_CONTACT = "压测居民"  # contact name of the requests the load submits (deleted afterwards)
TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
MOBILE_PREFIXES = ["133", "135", "136", "137", "138", "139", "150", "151", "158", "159", "186", "187", "188"]


@dataclass(frozen=True)
class LoadConfig:
    seconds: float = 20.0
    clients: int = 8
    workers: int = 3
    timeout: float = 30.0

    @classmethod
    def from_env(cls) -> LoadConfig:
        return cls(
            seconds=float(os.environ.get("BENCH_LOAD_SECONDS", "20")),
            clients=int(os.environ.get("BENCH_LOAD_CLIENTS", "8")),
            workers=int(os.environ.get("BENCH_LOAD_WORKERS", "3")),
        )


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn ``config.wsgi`` with production settings on a loopback port."""

    def __init__(self, *, workers: int = 3, env: dict | None = None, settings_module: str = "config.settings"):
        self.workers = workers
        self.settings_module = settings_module
        self.port = free_port()
        self.scratch = Path(tempfile.mkdtemp(prefix="shequ-load-"))
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = self.scratch / "gunicorn.log"

    def env(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PYTHONPATH"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE=self.settings_module,
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            VAR_DIR=str(STATIC_VAR_DIR),  # collected static files, kept between runs (collectstatic is incremental)
            MEDIA_ROOT=str(self.scratch / "media"),
            RATELIMIT_IP_META_KEY="HTTP_X_REAL_IP",
            API_USER_RATE="1000000/hour",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        env.update(self.extra_env)
        return env

    def start(self, *, ready_within: float = 90.0) -> Server:
        env = self.env()
        bin_dir = Path(sys.executable).parent
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        gunicorn = bin_dir / "gunicorn"
        command = [str(gunicorn) if gunicorn.exists() else "gunicorn", "config.wsgi"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--timeout", "60"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log_tail()}")
            try:
                status, _headers, _body = fetch(self.port, "GET", "/healthz", timeout=5)
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {ready_within:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return sorted(int(pid) for pid in children)

    def worker_rss_kb(self) -> dict[int, int]:
        rss = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss[pid] = int(line.split()[1])
            except OSError:
                continue
        return rss

    def worker_cpu_seconds(self) -> dict[int, float]:
        """Each worker's CPU time so far (user + system, from /proc/<pid>/stat)."""
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = {}
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)
        return cpu

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(self.scratch, ignore_errors=True)


# --- one request -----------------------------------------------------------------------------------


def fetch(port, method, path, *, body=None, headers=None, timeout=30.0):
    """One request on a new connection, as the proxy in front of gunicorn would send it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "Connection": "close"}
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


@dataclass(frozen=True)
class Sample:
    kind: str
    ok: bool
    ms: float
    status: int  # 0: no answer (refused, reset, timed out)


@dataclass(frozen=True)
class Target:
    """What the clients ask for: the county's communities with a few buildings, categories, a token."""

    county_id: int
    communities: list  # [(community id, [(building id, [door numbers])])]
    categories: list  # [(category id, {field: value})]
    token: str


def _cookie(headers, name) -> str | None:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return None


class Resident:
    """One resident's visit: the form, then the post (its own IP and phone)."""

    def __init__(self, port, target: Target, rng: random.Random, timeout: float):
        self.port, self.target, self.rng, self.timeout = port, target, rng, timeout

    def _timed(self, kind, method, path, expect, **kwargs):
        start = time.perf_counter()
        try:
            status, headers, body = fetch(self.port, method, path, timeout=self.timeout, **kwargs)
        except (OSError, http.client.HTTPException):
            return Sample(kind, False, (time.perf_counter() - start) * 1000, 0), [], b""
        return Sample(kind, status == expect, (time.perf_counter() - start) * 1000, status), headers, body

    def submit(self) -> list[Sample]:
        rng = self.rng
        community_id, buildings = rng.choice(self.target.communities)
        category_id, answers = rng.choice(self.target.categories)
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        query = urlencode({"community": community_id, "category": category_id})
        path = f"/services/new/?{query}"
        got, headers, body = self._timed("form GET", "GET", path, 200, headers={"X-Real-IP": ip})
        if not got.ok:
            return [got]
        match, cookie = TOKEN_RE.search(body), _cookie(headers, "csrftoken")
        if match is None or cookie is None:
            return [Sample("form GET", False, got.ms, got.status)]
        fields = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "community": community_id,
            "category": category_id,
            "description": rng.choice(["楼道灯坏了，晚上看不见", "垃圾桶满了没人清运", "楼上漏水到我家天花板"]),
            "contact_name": LOAD_CONTACT,
            "contact_phone": f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}",
            "consent": "on",
            "website": "",
            **answers,
        }
        if buildings:
            building_id, doors = rng.choice(buildings)
            fields["building"], fields["door_number"] = building_id, rng.choice(doors) if doors else "1-101"
        else:
            fields["address"] = "社区服务中心旁"
        posted, headers, _body = self._timed(
            "form POST",
            "POST",
            "/services/new/",
            302,
            body=urlencode(fields, doseq=True),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "Referer": f"https://127.0.0.1:{self.port}{path}",
                "X-Real-IP": ip,
            },
        )
        location = {k.lower(): v for k, v in headers}.get("location", "")
        if posted.ok and "/services/submitted/" not in location:
            posted = Sample(posted.kind, False, posted.ms, posted.status)
        return [got, posted]

    def official(self, kind: str) -> list[Sample]:
        rng, target = self.rng, self.target
        auth = {"Authorization": f"Token {target.token}", "Accept": "application/json"}
        if kind == "api services/requests":
            path = "/api/v1/services/requests/"
        elif kind == "api residents":
            path = "/api/v1/residents/"
        elif kind == "dashboard county":
            path = f"/api/v1/dashboard/?scope=county&id={target.county_id}"
        else:
            path = f"/api/v1/dashboard/?scope=community&id={rng.choice(target.communities)[0]}"
        sample, _headers, _body = self._timed(kind, "GET", path, 200, headers=auth)
        return [sample]


class FloorResident(Resident):
    """The floor's visit: a bare Django form page and its post (``floor_urls``), the same clients and headers."""

    def submit(self) -> list[Sample]:
        rng = self.rng
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        got, headers, body = self._timed("floor GET", "GET", "/floor/", 200, headers={"X-Real-IP": ip})
        match, cookie = TOKEN_RE.search(body), _cookie(headers, "csrftoken")
        if not got.ok or match is None or cookie is None:
            return [Sample("floor GET", False, got.ms, got.status)]
        fields = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "description": "楼道灯坏了，晚上看不见",
            "contact_name": LOAD_CONTACT,
            "contact_phone": f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}",
            "consent": "on",
        }
        posted, _headers, _body = self._timed(
            "floor POST",
            "POST",
            "/floor/",
            302,
            body=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "Referer": f"https://127.0.0.1:{self.port}/floor/",
                "X-Real-IP": ip,
            },
        )
        return [got, posted]


MIXED = [
    ("form", 40),
    ("api services/requests", 20),
    ("api residents", 15),
    ("dashboard county", 10),
    ("dashboard community", 15),
]


# --- the load --------------------------------------------------------------------------------------


@dataclass
class LoadReport:
    mix: str
    seconds: float
    clients: int
    workers: int
    samples: list[Sample] = field(default_factory=list)
    rss_start: dict = field(default_factory=dict)
    rss_end: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0  # the workers' CPU time during the load

    @property
    def cpu_ms_per_request(self) -> float | None:
        return self.cpu_seconds * 1000 / self.requests if self.requests else None

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def errors(self) -> int:
        return sum(not s.ok for s in self.samples)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @staticmethod
    def percentile(values, q) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]

    def p(self, q, kind=None) -> float | None:
        return self.percentile([s.ms for s in self.samples if kind is None or s.kind == kind], q)

    @property
    def median_ms(self) -> float | None:
        return statistics.median([s.ms for s in self.samples]) if self.samples else None

    @property
    def kinds(self) -> list[str]:
        return sorted({s.kind for s in self.samples})

    def error_statuses(self) -> dict:
        found = {}
        for s in self.samples:
            if not s.ok:
                found[s.status] = found.get(s.status, 0) + 1
        return found

    @property
    def rss_growth_kb(self) -> dict:
        return {pid: self.rss_end[pid] - kb for pid, kb in self.rss_start.items() if pid in self.rss_end}

    @property
    def restarted(self) -> bool:
        return set(self.rss_start) != set(self.rss_end)

    def summary(self) -> str:
        growth = self.rss_growth_kb
        start_mb = sum(self.rss_start.values()) / 1024 / max(1, len(self.rss_start))
        parts = [
            f"{self.seconds:.0f} s x {self.clients} clients, {self.workers} workers: {self.rate:,.1f} req/s",
            f"p50 {self.p(50) or 0:,.0f} ms p95 {self.p(95) or 0:,.0f} ms",
            f"errors {self.errors}/{self.requests}" + (f" {self.error_statuses()}" if self.errors else ""),
            f"worker CPU {self.cpu_ms_per_request or 0:,.1f} ms/request",
            f"worker RSS {start_mb:,.0f} MB, growth max {max(growth.values(), default=0) / 1024:+,.1f} MB"
            + (" (a worker was restarted)" if self.restarted else ""),
        ]
        return "; ".join(parts)

    def details(self) -> str:
        lines = [self.summary()]
        for kind in self.kinds:
            mine = [s for s in self.samples if s.kind == kind]
            lines.append(
                f"  {kind:<24} {len(mine):>6} requests  p50 {self.p(50, kind):>8,.1f} ms  "
                f"p95 {self.p(95, kind):>8,.1f} ms  errors {sum(not s.ok for s in mine)}"
            )
        for pid, kb in sorted(self.rss_start.items()):
            end = self.rss_end.get(pid)
            lines.append(
                f"  worker {pid}: RSS {kb / 1024:,.1f} MB -> "
                + ("gone" if end is None else f"{end / 1024:,.1f} MB ({(end - kb) / 1024:+,.1f} MB)")
            )
        return "\n".join(lines)


def target_for(county, official) -> Target:
    """The county's communities (with up to 20 buildings each and their door numbers), categories, a token."""
    from rest_framework.authtoken.models import Token

    from community.models import Community, Household
    from services.actions import question_values
    from services.models import ServiceCategory

    communities = []
    for community in Community.objects.filter(town__county=county).order_by("id"):
        doors: dict[int, list[str]] = {}
        for building_id, number in (
            Household.objects.filter(building__zone__community=community)
            .order_by("building_id", "id")
            .values_list("building_id", "number")[:480]
        ):
            doors.setdefault(building_id, []).append(number)
        communities.append((community.pk, list(doors.items())[:20]))
    if not communities:
        raise RuntimeError(f"the county {county} has no communities to send requests to")
    categories = []
    for category in ServiceCategory.objects.active().order_by("order", "code"):
        answers = {}
        for question in category.questions or []:
            values = [key for key, _name in question_values(question)]
            kind = question.get("type", "string")
            if kind in ("singlevaluelist", "multivaluelist") and values:
                answers[f"answer_{question['code']}"] = values[0]
            elif kind == "number":
                answers[f"answer_{question['code']}"] = "2"
            elif kind == "datetime":
                answers[f"answer_{question['code']}"] = "2026-01-05T09:00"
            else:
                answers[f"answer_{question['code']}"] = "见描述"
        categories.append((category.pk, answers))
    if not categories:
        raise RuntimeError("the service catalogue is empty: nothing to submit")
    token, _ = Token.objects.get_or_create(user=official)
    return Target(county.pk, communities, categories, token.key)


def run_load(server: Server, target: Target, *, mix: str, config: LoadConfig, seed: int | None = None) -> LoadReport:
    """Warm every worker, then ``config.clients`` threads for ``config.seconds``; the report of what happened.

    Without a ``seed`` each run draws its own: with a fixed one every run sent the same residents' phones and
    addresses, and the form's limits (5 posts a phone an hour) refused the third run within the hour (86 of
    553 posts of the mixed load answered 429)."""
    if seed is None:
        seed = random.SystemRandom().randrange(1, 10**6)
    visitor = FloorResident if mix == "floor" else Resident
    warm = visitor(server.port, target, random.Random(seed), config.timeout)
    for _ in range(2 * server.workers):
        warm.submit()
        if mix == "mixed":
            for kind, _weight in MIXED[1:]:
                warm.official(kind)
    report = LoadReport(mix, config.seconds, config.clients, server.workers, rss_start=server.worker_rss_kb())
    cpu_start = server.worker_cpu_seconds()
    results: list[list[Sample]] = [[] for _ in range(config.clients)]
    kinds = [k for k, _w in MIXED]
    weights = [w for _k, w in MIXED]
    start = time.perf_counter()
    deadline = start + config.seconds

    def client(index):
        rng = random.Random(seed * 1000 + index)
        resident = visitor(server.port, target, rng, config.timeout)
        while time.perf_counter() < deadline:
            kind = "form" if mix in ("form", "floor") else rng.choices(kinds, weights)[0]
            results[index].extend(resident.submit() if kind == "form" else resident.official(kind))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(config.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(config.seconds + config.timeout + 30)
    report.seconds = time.perf_counter() - start
    report.samples = [s for batch in results for s in batch]
    report.rss_end = server.worker_rss_kb()
    cpu_end = server.worker_cpu_seconds()
    report.cpu_seconds = sum(cpu_end[pid] - cpu for pid, cpu in cpu_start.items() if pid in cpu_end)
    return report


def delete_load_requests(county) -> int:
    """Remove what the load submitted (requests of ``LOAD_CONTACT`` in the county, with their rows)."""
    from django.db import connection, transaction

    from services.models import Notification, RequestEvent, RequestPhoto, ServiceRequest

    requests = (
        "SELECT r.id FROM services_servicerequest r JOIN community_community c ON c.id = r.community_id "
        "JOIN community_town t ON t.id = c.town_id WHERE t.county_id = %s AND r.contact_name = %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (RequestEvent, RequestPhoto, Notification):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE request_id IN ({requests})", [county.pk, LOAD_CONTACT]
            )
        history = ServiceRequest.history.model._meta.db_table
        cursor.execute(f"DELETE FROM {history} WHERE id IN ({requests})", [county.pk, LOAD_CONTACT])
        cursor.execute(f"DELETE FROM services_servicerequest WHERE id IN ({requests})", [county.pk, LOAD_CONTACT])
        return cursor.rowcount


# --- rows of make bench ------------------------------------------------------------------------------


#: the load reports of this bench run, by mix: the form's row reads the floor's
REPORTS: dict[str, LoadReport] = {}
FLOOR_SETTINGS = "tests.benchmarks.floor_settings"
#: issue 22's goals for the resident form under load: half the floor's requests per second, p95 within 100 ms
FORM_FLOOR_SHARE = 0.5
FORM_P95_MS = 100.0


def form_goal(result) -> tuple[bool, str] | None:
    """The form row's goal, read against the floor row measured before it in the same run."""
    form, floor = REPORTS.get("form"), REPORTS.get("floor")
    if form is None or floor is None or not floor.rate:
        return None
    share = form.rate / floor.rate
    p95 = form.p(95) or 0.0
    text = f"{share:.2f} of floor req/s (>= {FORM_FLOOR_SHARE}), p95 {p95:,.0f} ms (<= {FORM_P95_MS:.0f})"
    return share >= FORM_FLOOR_SHARE and p95 <= FORM_P95_MS and not form.errors, text


def load_bench(name: str, mix: str, config: LoadConfig | None = None):
    """A ``Bench`` whose setup runs the load on a fresh gunicorn; its timed run is one unloaded visit.

    ``rows in db`` is the number of requests the load made, the note carries req/s, p50/p95, errors,
    the workers' CPU per request and memory; ``median ms`` is one unloaded visit on the same server (the
    form and its post, or an API list) and the query columns count nothing (the queries run in gunicorn,
    not in the bench).  ``mix="floor"`` serves ``floor_urls`` instead of the platform.
    """
    from tests.benchmarks.harness import Bench

    state: dict = {}
    bench = Bench(name=name, run=lambda ctx: None, flat=False, check=form_goal if mix == "form" else None)

    def setup(ctx):
        config_ = config or LoadConfig.from_env()
        settings_module = FLOOR_SETTINGS if mix == "floor" else "config.settings"
        server = Server(workers=config_.workers, settings_module=settings_module)
        state["server"] = server
        try:
            server.start()
            target = target_for(ctx.county, ctx.official)
            report = run_load(server, target, mix=mix, config=config_)
        except BaseException:
            server.stop()
            raise
        state["report"], state["target"] = report, target
        REPORTS[mix] = report
        bench.note = report.summary()
        print(report.details(), file=sys.stderr)

    def run(ctx):
        server, target = state["server"], state["target"]
        visitor = (FloorResident if mix == "floor" else Resident)(server.port, target, random.Random(), 30.0)
        samples = visitor.submit() if mix in ("form", "floor") else visitor.official("api services/requests")
        if not all(s.ok for s in samples):
            raise RuntimeError(f"an unloaded visit failed: {samples}")
        return samples

    def finish(ctx):
        """After the timed runs: stop the server, remove the load's requests."""
        state["server"].stop()
        delete_load_requests(ctx.county)

    bench.setup, bench.run, bench.finish = setup, run, finish
    bench.rows = lambda ctx: state["report"].requests
    return bench


def load_benches() -> list:
    config = LoadConfig.from_env()
    return [
        load_bench(f"load: floor, a bare Django form GET + POST on gunicorn ({config.seconds:.0f} s)", "floor"),
        load_bench(f"load: resident form GET + POST on gunicorn ({config.seconds:.0f} s)", "form"),
        load_bench(
            f"load: mixed (form posts, API lists, dashboard JSON) on gunicorn ({config.seconds:.0f} s)", "mixed"
        ),
    ]


# --- standalone --------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Loopback load test of gunicorn with production settings.")
    parser.add_argument("--county-code", default="330127", help="the bench county (default %(default)s)")
    parser.add_argument("--mix", choices=["floor", "form", "mixed", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.benchmarks.run import setup_django

    setup_django()
    from community.models import County
    from tests.benchmarks.harness import official_of

    county = County.objects.filter(code=args.county_code).first()
    if county is None:
        sys.exit(f"no county {args.county_code}: run make bench or generate_county first")
    config = LoadConfig(seconds=args.seconds, clients=args.clients, workers=args.workers)
    target = target_for(county, official_of(county, "bench_official"))
    failed = False
    for mix in ["floor", "form", "mixed"] if args.mix == "both" else [args.mix]:
        settings_module = FLOOR_SETTINGS if mix == "floor" else "config.settings"
        server = Server(workers=config.workers, settings_module=settings_module).start()
        try:
            report = run_load(server, target, mix=mix, config=config)
        finally:
            server.stop()
            deleted = delete_load_requests(county)
        REPORTS[mix] = report
        print(f"{mix}: {report.details()}\n  ({deleted} submitted requests deleted)")
        if mix == "form" and (goal := form_goal(None)) is not None:
            print(f"  goal {'met' if goal[0] else 'MISSED'}: {goal[1]}")
        failed = failed or bool(report.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
