"""`fixright db backup|restore`: copies of a SQLite database taken while it is in use.

SQLite's online backup API (`sqlite3.Connection.backup`) copies a consistent
snapshot page by page while the server keeps reading and writing, which a file
copy of a WAL database cannot promise. PostgreSQL has its own tools: for it
these functions raise `InvalidInput` with the `pg_dump` / `pg_restore` line.

A restore refuses any file that is not a sound fixright database at a
migration revision this version knows (newer backups need a newer fixright);
the caller migrates the restored database to the current head afterwards.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from fixright.db import migrations_path
from fixright.errors import InvalidInput


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds: its migration revision and table row counts."""

    path: Path
    revision: str
    bytes: int
    devices: int
    audit_events: int


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise InvalidInput("an in-memory SQLite database has nothing to back up or restore")
    return Path(parsed.database).expanduser()


def postgres_hint(url: str, file: Path, *, restore: bool) -> str:
    """The PostgreSQL tool line that does what `db backup`/`db restore` do for SQLite."""
    parsed = make_url(url).set(drivername="postgresql")
    target = parsed.render_as_string(hide_password=True)
    if restore:
        return ("the database is PostgreSQL: restore with its own tool, e.g. "
                f"pg_restore --clean --if-exists --no-owner --dbname '{target}' '{file}' "
                "(the password from PGPASSWORD or ~/.pgpass), then `fixright db upgrade`")
    return ("the database is PostgreSQL: back it up with its own tool, e.g. "
            f"pg_dump --format=custom --file '{file}' '{target}' "
            "(the password from PGPASSWORD or ~/.pgpass)")


def known_revisions() -> set[str]:
    """Every migration revision this version of fixright ships."""
    scripts = ScriptDirectory(str(migrations_path()))
    return {script.revision for script in scripts.walk_revisions()}


def describe(path: Path) -> BackupInfo:
    """Check that `path` is a sound fixright database of a known revision; say what it holds.

    Raises `InvalidInput` naming the file and the problem otherwise.
    """
    if path.is_symlink() or not path.is_file():
        raise InvalidInput(f"{path}: not a regular file")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise InvalidInput(f"{path}: not a SQLite database")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InvalidInput(f"{path}: cannot open as SQLite ({exc})") from None
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise InvalidInput(f"{path}: damaged SQLite database ({check[0] if check else '?'})")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables or "audit_event" not in tables:
            raise InvalidInput(f"{path}: not a fixright database (no migration revision)")
        revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        if len(revisions) != 1:
            raise InvalidInput(f"{path}: not a fixright database ({len(revisions)} migration heads)")
        revision = revisions[0]
        if revision not in known_revisions():
            raise InvalidInput(f"{path}: migration revision {revision!r} is unknown to this "
                               "fixright (a newer version's backup?)")
        devices = conn.execute("SELECT count(*) FROM device").fetchone()[0] if "device" in tables else 0
        events = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    except sqlite3.Error as exc:
        raise InvalidInput(f"{path}: cannot read as SQLite ({exc})") from None
    finally:
        conn.close()
    return BackupInfo(path, revision, path.stat().st_size, devices, events)


def backup(source: Path, target: Path) -> BackupInfo:
    """Copy the live database `source` to the new file `target` (refused if it exists).

    Written beside `target` under a temporary name and renamed when complete, so
    an interrupted backup never leaves a half file under the real name.
    """
    if target.exists() or target.is_symlink():
        raise InvalidInput(f"{target}: exists already (a backup never overwrites a file)")
    if not target.parent.is_dir():
        raise InvalidInput(f"{target.parent}: no such folder")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # A single self-contained file: the copy must not depend on a -wal beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise InvalidInput(f"cannot back up {source}: {exc}") from None
    finally:
        src.close()
    os.replace(partial, target)
    return describe(target)


def restore(file: Path, target: Path) -> BackupInfo:
    """Replace the contents of database `target` with backup `file` (checked first)."""
    info = describe(file)
    src = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=10)
        try:
            dst.execute("PRAGMA journal_mode=WAL")
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise InvalidInput(f"cannot restore {file} into {target}: {exc}") from None
    finally:
        src.close()
    return info
