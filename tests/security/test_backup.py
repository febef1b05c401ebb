"""Backup and restore (issue 8, item 5): ``manage.py backup`` then ``manage.py restore`` into a fresh
database finds every row of every table and every media file, byte for byte."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from community.models import DataExport
from tests import factories as f
from utilities import backup

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="backup needs PostgreSQL"
)


def _server(dbname="postgres"):
    db = connection.settings_dict
    params = {"dbname": dbname}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if db.get(key):
            params[name] = db[key]
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    return conn


def _url(dbname):
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{dbname}"


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(3)}"
    server = _server()
    with server.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def counts_in(dbname) -> dict[str, int]:
    conn = _server(dbname)
    try:
        with conn.cursor() as cursor:
            return backup.table_counts(cursor)
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_finds_every_row_and_file(tmp_path, fresh_database, settings):
    community = f.CommunityFactory()
    staff = f.staff_of(community)
    household = f.SCOPED_FACTORIES["community.Household"](community)
    f.ResidentFactory.create_batch(12, household=household)
    export = DataExport.objects.create(user=staff, model=DataExport.Kind.RESIDENT, status=DataExport.Status.DONE)
    export.file.save("residents-1.xlsx", ContentFile(b"PK\x03\x04" + secrets.token_bytes(5000)))
    default_storage.save(
        "services/requests/2026/11/照片 1.jpg", ContentFile(b"\xff\xd8\xff" + secrets.token_bytes(900))
    )
    default_storage.save("empty.txt", ContentFile(b""))
    media_root = Path(settings.MEDIA_ROOT)
    originals = backup.media_files(media_root)
    assert len(originals) == 3

    target = tmp_path / "backup"
    call_command("backup", str(target), verbosity=0)
    manifest = json.loads((target / "manifest.json").read_text())
    source_counts = counts_in(connection.settings_dict["NAME"])
    assert manifest["tables"] == source_counts
    assert manifest["tables"]["public.community_resident"] == 12
    assert manifest["media"] == originals
    assert {p.name for p in target.iterdir()} == {"database.dump", "media.tar", "manifest.json"}

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(target), database_url=_url(fresh_database), media_root=str(restored_media))

    assert counts_in(fresh_database) == source_counts  # every table, every row
    assert backup.media_files(restored_media) == originals  # every file, same SHA-256
    for name in originals:
        assert (restored_media / name).read_bytes() == (media_root / name).read_bytes()
    conn = _server(fresh_database)
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'community'")
        assert cursor.fetchone()[0] >= 7
        cursor.execute("SELECT platform_count('SELECT 1', 10)")  # functions come back too
        assert cursor.fetchone()[0] == 1
    conn.close()

    # restoring twice into the same database is refused: it is no longer empty
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(target), database_url=_url(fresh_database), media_root=str(tmp_path / "m2"))


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_written(tmp_path, fresh_database):
    f.staff_of(f.CommunityFactory())
    target = tmp_path / "backup"
    call_command("backup", str(target), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(target), verbosity=0)
    dump = target / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does not match the manifest"):
        call_command("restore", str(target), database_url=_url(fresh_database), media_root=str(tmp_path / "m"))
    assert counts_in(fresh_database) == {}
    assert not (tmp_path / "m").exists()
