"""Backup and restore of the whole platform: the PostgreSQL database and the files under MEDIA_ROOT.

A backup is a directory of three files:

``database.dump``
    ``pg_dump --format=custom`` of the database, taken on an exported snapshot;
``media.tar``
    every file under ``MEDIA_ROOT`` (paths relative to it);
``manifest.json``
    the row count of every table *in that same snapshot*, the SHA-256 and size of every media file,
    and the SHA-256 of the two other files.

``backup_restore`` checks the two files against the manifest, restores the dump into an empty
database (all or nothing), unpacks the media into an empty directory, then counts every table and
hashes every file again and refuses to call the restore good unless all of them match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import tarfile
from pathlib import Path

import dj_database_url
import psycopg2
from django.conf import settings

from utilities import devservices

FORMAT = 1
DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be made or does not match its manifest."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db: dict) -> dict:
    """libpq's variables for a Django DATABASES entry (the password never appears in a command line)."""
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


def _connect(db: dict):

    params = {"dbname": db["NAME"]}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if db.get(key):
            params[name] = db[key]
    return psycopg2.connect(**params)


def _tables(cursor) -> list[str]:
    cursor.execute(
        """
        SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)
        FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1
        """
    )
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {table}")  # names quoted by quote_ident above
        counts[table] = cursor.fetchone()[0]
    return counts


def media_files(root: Path) -> dict[str, dict]:
    """Every regular file under ``root``: its path relative to root, SHA-256 and size."""
    files = {}
    if not root.exists():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(root).as_posix()] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    return files


def backup_create(directory, *, database: dict | None = None, media_root=None) -> dict:
    """Write a backup of ``database`` (default: the platform's) and ``media_root`` into ``directory``."""
    db = database or settings.DATABASES["default"]
    env = _pg_env(db)
    directory = Path(directory)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new directory.")
    directory.mkdir(parents=True, exist_ok=True)

    # one snapshot for the counts and the dump: the manifest describes exactly what was dumped
    connection = _connect(db)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            counts = table_counts(cursor)
            result = subprocess.run(
                [
                    devservices.pg_tool("pg_dump", connection.server_version // 10000),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={directory / DUMP}",
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        connection.rollback()
    finally:
        connection.close()

    files = media_files(media_root)
    with tarfile.open(directory / MEDIA, "w") as archive:
        for name in files:
            archive.add(media_root / name, arcname=name, recursive=False)

    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": db["NAME"],
        "server_version": server_version,
        "tables": counts,
        "rows": sum(counts.values()),
        "media": files,
        "files": {DUMP: sha256_of(directory / DUMP), MEDIA: sha256_of(directory / MEDIA)},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False))
    return manifest


def read_manifest(directory) -> dict:
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"No readable {MANIFEST} in {directory}: {exc}")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.exists() or sha256_of(path) != expected:
            raise BackupError(f"{name} does not match the manifest: the backup is damaged or was changed.")
    return manifest


def _safe_members(archive: tarfile.TarFile, manifest: dict):
    for member in archive.getmembers():
        if not member.isfile() or member.name not in manifest["media"]:
            raise BackupError(f"Unexpected entry in {MEDIA}: {member.name}")
        yield member


def backup_restore(directory, *, database_url: str, media_root) -> dict:
    """Restore a backup into the empty database at ``database_url`` and the empty directory ``media_root``.

    Returns ``{"tables": n, "rows": n, "files": n}`` once every count and every hash matches the manifest.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    db = dj_database_url.parse(database_url)
    env = _pg_env(db)
    media_root = Path(media_root)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: media are restored into an empty directory.")

    connection = _connect(db)
    try:
        with connection.cursor() as cursor:
            if _tables(cursor):
                raise BackupError(f"The database {db['NAME']} is not empty: restore into a fresh database.")
        server_major = connection.server_version // 10000
    finally:
        connection.close()

    result = subprocess.run(
        [
            devservices.pg_tool("pg_restore", server_major),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={db['NAME']}",
            str(directory / DUMP),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")

    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / MEDIA, "r") as archive:
        archive.extractall(media_root, members=_safe_members(archive, manifest), filter="data")

    connection = _connect(db)
    try:
        with connection.cursor() as cursor:
            counts = table_counts(cursor)
    finally:
        connection.close()
    wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if wrong or set(counts) != set(manifest["tables"]):
        raise BackupError(f"Row counts differ from the manifest (table: expected, found): {wrong}")
    restored = media_files(media_root)
    if restored != manifest["media"]:
        missing = sorted(set(manifest["media"]) - set(restored))
        changed = sorted(n for n in restored if n in manifest["media"] and restored[n] != manifest["media"][n])
        raise BackupError(f"Media differ from the manifest: missing {missing}, changed {changed}")
    return {"tables": len(counts), "rows": sum(counts.values()), "files": len(restored)}
