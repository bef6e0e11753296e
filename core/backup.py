"""Consistent, versioned backups of the whole installation (database rows and uploaded files), and their restore.

Layout of a backup (a directory, or the same packed as a ``.tar.gz`` when the path ends so):

- ``manifest.json``: the format version, when and from which database vendor, the applied migrations, and per table
  the model label, the row count and the SHA-256 of its rows; per uploaded file its size and SHA-256.
- ``data/<app_label>.<model>.jsonl``: one row per line, as Django's ``python`` serializer gives it (``model``, ``pk``,
  ``fields``), in primary-key order. Many-to-many links are their own tables (the auto-created through models).
- ``media/``: a copy of MEDIA_ROOT.

The rows are read in one transaction (REPEATABLE READ on PostgreSQL, one read transaction on SQLite), so the tables agree
with each other even while the site is in use. Files are copied after the rows: a file uploaded in between is an orphan,
harmless. Restore goes into an EMPTY migrated installation only (same migrations applied), in one transaction, then
resets PostgreSQL's sequences and recomputes every table's count and checksum against the manifest.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "lianshang-backup"
FORMAT_VERSION = 1
BATCH = 500

#: Tables that `migrate` fills by itself (post_migrate signals and data migrations). A fresh installation has rows
#: there; restore replaces them with the backup's. tests/test_backup.py proves this list is complete.
SEEDED_BY_MIGRATE = {
    "contenttypes.contenttype",
    "auth.permission",
    "enterprises.industrycode",
    "matching.synonym",
}


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why, in plain words."""


@dataclass
class TableSummary:
    table: str
    rows: int
    sha256: str


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    mismatches: list[str] = field(default_factory=list)


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete table Django manages, many-to-many through tables included, in a stable order."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # full precision (DjangoJSONEncoder would cut microseconds)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _rows(model: type[models.Model]) -> Iterator[dict[str, Any]]:
    fields = [f.name for f in model._meta.concrete_fields if getattr(f, "serialize", True)]
    queryset = model._base_manager.order_by("pk")
    chunk = list(queryset[:BATCH])
    while chunk:  # keyset pages: no list of every key held in memory, no second pass over the table
        yield from serializers.serialize("python", chunk, fields=fields)
        chunk = list(queryset.filter(pk__gt=chunk[-1].pk)[:BATCH])


def _table_summary(model: type[models.Model], sink: Any = None) -> TableSummary:
    """Rows are written as read (JSON values keep their key order), and hashed in a canonical form (keys sorted):
    PostgreSQL's jsonb reorders keys, so a backup restored into another engine still verifies."""
    digest = hashlib.sha256()
    count = 0
    for row in _rows(model):
        if sink is not None:
            sink.write((json.dumps(row, default=_default, ensure_ascii=False) + "\n").encode())
        digest.update((json.dumps(row, default=_default, ensure_ascii=False, sort_keys=True) + "\n").encode())
        count += 1
    return TableSummary(table=model._meta.db_table, rows=count, sha256=digest.hexdigest())


def database_summary() -> dict[str, TableSummary]:
    """Row count and checksum of every table, as the backup computes them (used by restore's verification)."""
    return {model._meta.label_lower: _table_summary(model) for model in backed_up_models()}


def applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def _is_archive(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz"))


# ---------------------------------------------------------------------------------------------------------- backup


def create_backup(path: Path | str) -> dict[str, Any]:
    """Write a backup to `path` (a new or empty directory, or a ``.tar.gz`` file). Returns the manifest."""
    target = Path(path)
    if target.exists() and (target.is_file() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not empty; choose a new path.")
    if _is_archive(target):
        with tempfile.TemporaryDirectory() as tmp:
            manifest = _write_directory(Path(tmp) / "backup")
            with tarfile.open(target, "w:gz") as archive:
                archive.add(Path(tmp) / "backup", arcname="backup")
        return manifest
    return _write_directory(target)


def _write_directory(directory: Path) -> dict[str, Any]:
    (directory / "data").mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    with _snapshot():
        migrations = applied_migrations()
        for model in backed_up_models():
            label = model._meta.label_lower
            with (directory / "data" / f"{label}.jsonl").open("wb") as sink:
                summary = _table_summary(model, sink)
            tables[label] = {"table": summary.table, "rows": summary.rows, "sha256": summary.sha256}
    media_root = Path(settings.MEDIA_ROOT)
    files: dict[str, Any] = {}
    for source in _media_files(media_root):
        relative = source.relative_to(media_root).as_posix()
        destination = directory / "media" / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        files[relative] = {"bytes": destination.stat().st_size, "sha256": _file_sha256(destination)}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "migrations": migrations,
        "tables": tables,
        "media": files,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return manifest


class _snapshot:
    """One read transaction for every table: REPEATABLE READ on PostgreSQL so all tables show the same instant."""

    def __enter__(self) -> None:
        self._atomic = transaction.atomic()
        outermost = not connection.in_atomic_block
        self._atomic.__enter__()
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def __exit__(self, *exc: Any) -> None:
        self._atomic.__exit__(*exc)


# --------------------------------------------------------------------------------------------------------- restore


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory} is not a backup (no readable manifest.json: {exc}).")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{directory} is not a {FORMAT} backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {manifest.get('format_version')} is not supported (this version reads "
            f"{FORMAT_VERSION})."
        )
    return manifest


def non_empty_tables() -> list[str]:
    """Tables holding data that a fresh `migrate` would not have put there."""
    return [
        model._meta.label_lower
        for model in backed_up_models()
        if model._meta.label_lower not in SEEDED_BY_MIGRATE and model._base_manager.exists()
    ]


def restore_backup(path: Path | str) -> RestoreReport:
    """Restore the backup at `path` into this (empty, migrated) installation and verify it. Raises BackupError."""
    source = Path(path)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    if source.is_file():
        with tempfile.TemporaryDirectory() as tmp:
            with tarfile.open(source, "r:*") as archive:
                archive.extractall(tmp, filter="data")
            inner = Path(tmp) / "backup"
            return _restore_directory(inner if inner.is_dir() else Path(tmp))
    return _restore_directory(source)


def _restore_directory(directory: Path) -> RestoreReport:
    manifest = read_manifest(directory)
    _check_target(manifest)
    report = RestoreReport()
    known = {model._meta.label_lower: model for model in backed_up_models()}
    missing = sorted(set(manifest["tables"]) - set(known))
    if missing:
        raise BackupError(f"this installation has no table for {', '.join(missing)}; is it the same version?")
    with transaction.atomic():
        if connection.vendor == "postgresql":  # rows go in table by table: foreign keys are checked at commit
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for label in sorted(SEEDED_BY_MIGRATE & set(manifest["tables"])):
            # A raw DELETE (no cascade, no PROTECT walk): every table that could point here is empty (checked above)
            # and the foreign keys are checked at commit, against the backup's rows.
            known[label]._base_manager.all()._raw_delete(connection.alias)
        for label in sorted(manifest["tables"]):
            report.rows += _load_table(known[label], directory / "data" / f"{label}.jsonl")
            report.tables += 1
        _reset_sequences(list(known.values()))
        report.mismatches = _verify(manifest)
        if report.mismatches:
            raise BackupError("restored data does not match the backup: " + "; ".join(report.mismatches))
    report.files = _restore_media(directory, manifest)
    return report


def _check_target(manifest: dict[str, Any]) -> None:
    here = applied_migrations()
    theirs = manifest["migrations"]
    if here != theirs:
        only_backup = [f"{a}.{n}" for a, n in theirs if [a, n] not in here][:5]
        only_here = [f"{a}.{n}" for a, n in here if [a, n] not in theirs][:5]
        raise BackupError(
            "the migrations applied here differ from the backup's "
            f"(only in the backup: {only_backup or '-'}; only here: {only_here or '-'}); "
            "restore with the same version of the code."
        )
    busy = non_empty_tables()
    if busy:
        raise BackupError(
            "refusing to restore into a non-empty installation: "
            f"{', '.join(busy[:8])}{' …' if len(busy) > 8 else ''} already hold data. "
            "Restore into a new, migrated, empty database (or run `manage.py flush` first, knowing it erases all)."
        )
    media_root = Path(settings.MEDIA_ROOT)
    clashing = [
        name for name in manifest.get("media", {}) if (media_root / name).exists()
    ]  # never overwrite an uploaded file
    if clashing:
        raise BackupError(f"MEDIA_ROOT already has files the backup would overwrite: {', '.join(clashing[:5])}")


class _raw_timestamps:
    """bulk_create runs pre_save, which would stamp auto_now/auto_now_add fields with the restore's time: switch off."""

    def __init__(self, model: type[models.Model]) -> None:
        self.fields = [
            f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.saved = [(f.auto_now, f.auto_now_add) for f in self.fields]  # type: ignore[attr-defined]

    def __enter__(self) -> None:
        for f in self.fields:
            f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]

    def __exit__(self, *exc: Any) -> None:
        for f, (now, now_add) in zip(self.fields, self.saved, strict=True):
            f.auto_now, f.auto_now_add = now, now_add  # type: ignore[attr-defined]


def _load_table(model: type[models.Model], path: Path) -> int:
    with _raw_timestamps(model):
        return _load_rows(model, path)


def _load_rows(model: type[models.Model], path: Path) -> int:
    count = 0
    batch: list[models.Model] = []
    can_bulk = not model._meta.parents
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            for deserialized in serializers.deserialize("python", [row]):
                batch.append(deserialized.object)
            count += 1
            if len(batch) >= BATCH:
                _flush(model, batch, can_bulk)
                batch = []
    _flush(model, batch, can_bulk)
    return count


def _flush(model: type[models.Model], batch: list[models.Model], can_bulk: bool) -> None:
    if not batch:
        return
    if can_bulk:
        model._base_manager.bulk_create(batch)
    else:  # multi-table inheritance: one raw save per row
        for obj in batch:
            models.Model.save_base(obj, raw=True)


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _verify(manifest: dict[str, Any]) -> list[str]:
    mismatches = []
    now = database_summary()
    for label, expected in manifest["tables"].items():
        got = now[label]
        if got.rows != expected["rows"]:
            mismatches.append(f"{label}: {got.rows} rows, backup has {expected['rows']}")
        elif got.sha256 != expected["sha256"]:
            mismatches.append(f"{label}: checksum differs")
    return mismatches


def _restore_media(directory: Path, manifest: dict[str, Any]) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    restored = 0
    for name, meta in manifest.get("media", {}).items():
        source = directory / "media" / name
        destination = media_root / name
        if not destination.resolve().is_relative_to(media_root.resolve()):
            raise BackupError(f"refusing a media path outside MEDIA_ROOT: {name}")
        if not source.exists() or _file_sha256(source) != meta["sha256"]:
            raise BackupError(f"uploaded file {name} is missing or corrupt in the backup")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        restored += 1
    return restored
