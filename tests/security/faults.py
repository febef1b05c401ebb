"""Helpers of the fault tests: a tiny SMTP server, a real Celery worker process, Redis and PostgreSQL control."""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import redis

from utilities import devservices

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def child_pids(pid: int) -> list[int]:
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True)
    return sorted(int(p) for p in out.stdout.split())


def wait_for(predicate, timeout: float, step: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class FakeSMTP:
    """Accepts mail on 127.0.0.1 and keeps each message; with ``stall_first`` it answers nothing to the
    first connection (a mail server that hangs), so a task sending mail stays in the middle of its work."""

    def __init__(self, *, stall_first: bool = False):
        self.stall_first = stall_first
        self.messages: list[bytes] = []
        self.connections = 0
        self.stalled = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            first = self.connections == 1
            threading.Thread(target=self._serve, args=(conn, first), daemon=True).start()

    def _serve(self, conn: socket.socket, first: bool):
        with conn:
            if self.stall_first and first:
                self.stalled.set()
                conn.settimeout(0.5)
                while not self._stop.is_set():  # say nothing until the client goes away
                    try:
                        if conn.recv(1024) == b"":
                            return
                    except TimeoutError:
                        continue
                    except OSError:
                        return
                return
            reader = conn.makefile("rb")
            conn.sendall(b"220 faults ESMTP\r\n")
            while True:
                line = reader.readline()
                if not line:
                    return
                command = line[:4].upper()
                if command == b"DATA":
                    conn.sendall(b"354 end with .\r\n")
                    body = []
                    while (chunk := reader.readline()) not in (b".\r\n", b""):
                        body.append(chunk)
                    self.messages.append(b"".join(body))
                    conn.sendall(b"250 queued\r\n")
                elif command == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    def close(self):
        self._stop.set()
        self._listener.close()


def database_url(settings_dict) -> str:
    auth = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}@{host}:{settings_dict.get('PORT') or 5432}/{settings_dict['NAME']}"


class WorkerProcess:
    """``celery worker`` with the prefork pool (as in production), one child, against the test database."""

    def __init__(self, *, settings_dict, smtp_port: int, log_path: Path):
        self.log_path = log_path
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.security.worker_settings",
            "DATABASE_URL": database_url(settings_dict),
            "FAULTS_SMTP_PORT": str(smtp_port),
            "PYTHONPATH": str(ROOT),
            "DEBUG": "1",
        }
        self._log = open(log_path, "wb")  # noqa: SIM115 (open for the worker's life)
        self.proc = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"faults-{secrets.token_hex(3)}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: b" ready." in self.log() or self.proc.poll() is not None, 120, 0.5, "the worker to start")
        assert self.proc.poll() is None, self.log().decode(errors="replace")

    def log(self) -> bytes:
        return self.log_path.read_bytes()

    def children(self) -> list[int]:
        return child_pids(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


# --- the real services --------------------------------------------------------------------------


def _redis_address() -> tuple[str, int]:
    url = urlparse(os.environ["REDIS_URL"])
    return url.hostname or "127.0.0.1", url.port or 6379


@functools.cache
def redis_is_embedded() -> bool:
    """Is the tests' Redis the one ``utilities.devservices`` started (asked before anything stops it)?"""
    return devservices.redis_port() == _redis_address()[1]


def redis_up() -> bool:
    host, port = _redis_address()
    try:
        return redis.Redis(host=host, port=port, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def redis_stop():
    host, port = _redis_address()
    if redis_is_embedded():
        devservices.redis_stop()
    else:
        with contextlib.suppress(redis.RedisError):  # the server closes the connection as it goes
            redis.Redis(host=host, port=port, socket_timeout=2).shutdown(nosave=True)
    wait_for(lambda: not redis_up(), 10, what="Redis to stop")


def redis_start():
    if redis_up():
        return
    host, port = _redis_address()
    if redis_is_embedded():
        devservices.redis_start(port=port)
    else:
        binary = devservices.redis_server_binary() or "redis-server"
        subprocess.run(
            [str(binary), "--daemonize", "yes", "--bind", host, "--port", str(port)]
            + ["--save", "", "--appendonly", "no"],
            check=True,
            capture_output=True,
        )
    wait_for(redis_up, 20, what="Redis to start")


def _postgres_address() -> tuple[str, int]:
    from django.db import connection

    return connection.settings_dict.get("HOST") or "127.0.0.1", int(connection.settings_dict.get("PORT") or 5432)


@functools.cache
def postgres_is_embedded() -> bool:
    return devservices.postgres_port() == _postgres_address()[1]


def postgres_ctl(action: str) -> subprocess.CompletedProcess:
    """Stop or start the tests' PostgreSQL: the embedded one through devservices, else the machine's cluster."""
    if postgres_is_embedded():
        if action == "stop":
            return devservices.postgres_ctl("-w", "-m", "fast", "stop")
        try:
            devservices.postgres_start()
        except devservices.ServiceError as exc:
            return subprocess.CompletedProcess([action], 1, "", str(exc))
        return subprocess.CompletedProcess([action], 0, "", "")
    versions = sorted((p.name for p in Path("/etc/postgresql").iterdir() if p.name.isdigit()), key=int)
    mode = ["--mode", "fast"] if action in ("stop", "restart") else []
    args = ["pg_ctlcluster", "--skip-systemctl-redirect", *mode, versions[-1], "main", action]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def postgres_up() -> bool:
    host, port = _postgres_address()
    return subprocess.run([devservices.pg_tool("pg_isready"), "-h", host, "-p", str(port), "-q"]).returncode == 0
