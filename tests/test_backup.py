"""Backup and restore round trip: a small area built with factories, backed up, erased, restored, compared table by table.

The comparison is independent of core.backup's own checksums: every table's rows are read back with `values_list` and
hashed here, before and after.
"""

import hashlib
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import backup
from core.services import audit_record
from investment.tests.factories import ProjectFactory
from organizations.tests.factories import VisitFactory, small_area
from service_requests.tests.factories import DeliveryFactory, MatterFactory, NeedFactory
from talent.tests.factories import TalentFactory

pytestmark = pytest.mark.django_db


def _fingerprint() -> dict[str, tuple[int, str]]:
    result = {}
    for model in backup.backed_up_models():
        rows = list(model._base_manager.order_by("pk").values_list(*[f.attname for f in model._meta.concrete_fields]))
        digest = hashlib.sha256(
            repr([tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]).encode()
        )
        result[model._meta.label_lower] = (len(rows), digest.hexdigest())
    return result


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "imports" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "2026" / "名单.xlsx").write_bytes(b"PK\x03\x04 not really a workbook \x00\xff")
    return settings.MEDIA_ROOT


@pytest.fixture
def area(admin_user):
    area = small_area()
    VisitFactory.create(
        instructor=area.instructor, enterprise=area.e1, summary="走访：<b>研发</b> 需求", findings="缺人才"
    )
    need = NeedFactory.create(enterprise=area.e1, title='招工难 ‘引号’ "双引号"')
    MatterFactory.create(enterprise=area.e2)
    DeliveryFactory.create(request=need)
    TalentFactory.create()
    ProjectFactory.create()
    audit_record(actor=admin_user, action="test.backup", target=area.e1, summary="备份测试", detail={"n": 1.5})
    return area


def _erase() -> None:
    """Leave the database as a fresh `migrate` would: empty, except the tables migrations fill (SEEDED_BY_MIGRATE)."""
    seeded = {
        m: list(m._base_manager.order_by("pk"))
        for m in backup.backed_up_models()
        if m._meta.label_lower in backup.SEEDED_BY_MIGRATE and m._meta.app_label not in ("auth", "contenttypes")
    }
    if connection.vendor == "postgresql":  # the test's transaction holds deferred FK checks; TRUNCATE needs them done
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    for model, rows in seeded.items():
        model._base_manager.bulk_create(rows)
    # (a transactional test run earlier on this worker may have flushed them: then there is nothing to put back)
    assert all(m._base_manager.exists() for m, rows in seeded.items() if rows)


def test_seeded_tables_list_is_complete():
    """A freshly migrated test database holds rows only in the tables restore knows migrate fills."""
    filled = {m._meta.label_lower for m in backup.backed_up_models() if m._base_manager.exists()}
    assert filled <= backup.SEEDED_BY_MIGRATE, (
        f"add to core.backup.SEEDED_BY_MIGRATE: {filled - backup.SEEDED_BY_MIGRATE}"
    )


def test_round_trip_restores_every_table_and_file(area, media, tmp_path):
    before = _fingerprint()
    assert before["organizations.partymember"][0] == 6
    assert before["organizations.partyorganization_enterprises"][0] >= 4  # many-to-many links are their own table

    call_command("backup", str(tmp_path / "bk"), verbosity=0)
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert ["accounts", "0001_initial"] in manifest["migrations"]
    assert manifest["tables"]["enterprises.enterprise"]["rows"] == before["enterprises.enterprise"][0]
    assert set(manifest["media"]) == {"imports/2026/名单.xlsx"}

    _erase()
    (media / "imports" / "2026" / "名单.xlsx").unlink()
    assert _fingerprint()["organizations.partymember"][0] == 0

    call_command("restore", str(tmp_path / "bk"), verbosity=0)
    after = _fingerprint()
    assert after == before
    assert (media / "imports" / "2026" / "名单.xlsx").read_bytes().startswith(b"PK\x03\x04")

    # Sequences continue after the restored ids: a new row never collides (PostgreSQL needs the reset).
    from enterprises.tests.factories import EnterpriseFactory

    top = max(pk for pk in area.e5.__class__.objects.values_list("pk", flat=True))
    assert EnterpriseFactory.create().pk > top


def test_tar_gz_round_trip(area, media, tmp_path):
    before = _fingerprint()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    assert archive.is_file()
    _erase()
    (media / "imports" / "2026" / "名单.xlsx").unlink()
    call_command("restore", str(archive), verbosity=0)
    assert _fingerprint() == before


def test_restore_refuses_a_non_empty_installation(area, media, tmp_path):
    call_command("backup", str(tmp_path / "bk"), verbosity=0)
    with pytest.raises(CommandError, match="non-empty installation"):
        call_command("restore", str(tmp_path / "bk"), verbosity=0)


def test_restore_detects_a_corrupted_backup(area, media, tmp_path):
    call_command("backup", str(tmp_path / "bk"), verbosity=0)
    data = tmp_path / "bk" / "data" / "organizations.partymember.jsonl"
    data.write_text(data.read_text().replace("党员", "党贝", 1))
    _erase()
    (media / "imports" / "2026" / "名单.xlsx").unlink()
    with pytest.raises(CommandError, match="checksum differs"):
        call_command("restore", str(tmp_path / "bk"), verbosity=0)
    # Nothing half-restored: the failed restore rolled back.
    assert _fingerprint()["organizations.partymember"][0] == 0


def test_backup_refuses_an_existing_path_and_restore_other_migrations(area, media, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "bk"), verbosity=0)
    call_command("backup", str(tmp_path / "bk2"), verbosity=0)
    manifest_path = tmp_path / "bk2" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"].append(["accounts", "9999_future"])
    manifest_path.write_text(json.dumps(manifest))
    _erase()
    with pytest.raises(CommandError, match="migrations applied here differ"):
        call_command("restore", str(tmp_path / "bk2"), verbosity=0)


def test_backup_reads_one_consistent_snapshot(area, media, tmp_path):
    """The rows are read inside one transaction (REPEATABLE READ on PostgreSQL)."""
    seen = []
    original = backup._table_summary

    def spy(model, sink=None):
        seen.append(connection.in_atomic_block)
        return original(model, sink)

    backup._table_summary = spy
    try:
        backup.create_backup(Path(tmp_path / "bk"))
    finally:
        backup._table_summary = original
    assert seen and all(seen)
