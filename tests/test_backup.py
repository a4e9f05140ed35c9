"""`fixright db backup|restore`: a round trip keeps devices and an intact audit chain;
bad files, a missing --yes and PostgreSQL are refused with one line, changing nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from tests.conftest import Cli

CSV = """serial,vendor,os_family,model,running_version,hostname
FOC0001,cisco,ios,WS-C2960X-48FPD-L,15.2(2)E3,acc-01
FOC0002,cisco,ios,WS-C2960X-48FPD-L,15.2(7)E2,acc-02
"""


@pytest.fixture
def sqlite_cli(tmp_path: Path) -> Cli:
    data = tmp_path / "data"
    data.mkdir()
    return Cli(f"sqlite:///{data / 'fixright.db'}", data)


def _serials(cli: Cli) -> list[str]:
    listed = cli("devices", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    return sorted(d["serial"] for d in json.loads(listed.stdout))


def _seed(cli: Cli, tmp_path: Path) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    devices = tmp_path / "devices.csv"
    devices.write_text(CSV)
    imported = cli("devices", "import", str(devices))
    assert imported.exit_code == 0, imported.output


def test_round_trip_keeps_devices_and_the_audit_chain(sqlite_cli: Cli, tmp_path: Path) -> None:
    _seed(sqlite_cli, tmp_path)
    before = _serials(sqlite_cli)
    assert before == ["FOC0001", "FOC0002"]
    copy = tmp_path / "backup.db"
    made = sqlite_cli("db", "backup", str(copy))
    assert made.exit_code == 0, made.output
    assert "2 devices" in made.stdout
    assert not copy.with_name(f"{copy.name}-wal").exists()  # one self-contained file

    assert sqlite_cli("devices", "delete", "FOC0001").exit_code == 0
    assert _serials(sqlite_cli) == ["FOC0002"]

    restored = sqlite_cli("db", "restore", str(copy), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "audit chain intact" in restored.stdout
    assert _serials(sqlite_cli) == before
    verified = sqlite_cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
    events = sqlite_cli("audit", "list", "--format", "json")
    actions = [e["action"] for e in json.loads(events.stdout)]
    assert "db:database:restore" in actions
    assert not any(a.endswith(":delete") for a in actions)  # the deletion was undone


def test_restore_without_yes_changes_nothing(sqlite_cli: Cli, tmp_path: Path) -> None:
    _seed(sqlite_cli, tmp_path)
    copy = tmp_path / "backup.db"
    assert sqlite_cli("db", "backup", str(copy)).exit_code == 0
    assert sqlite_cli("devices", "delete", "FOC0001").exit_code == 0
    refused = sqlite_cli("db", "restore", str(copy))
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr and "2 devices" in refused.stderr
    assert _serials(sqlite_cli) == ["FOC0002"]


def test_backup_never_overwrites(sqlite_cli: Cli, tmp_path: Path) -> None:
    _seed(sqlite_cli, tmp_path)
    existing = tmp_path / "keep.db"
    existing.write_bytes(b"precious")
    result = sqlite_cli("db", "backup", str(existing))
    assert result.exit_code == 2
    assert "exists already" in result.stderr
    assert existing.read_bytes() == b"precious"


def _foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    return path


def _future_backup(cli: Cli, tmp_path: Path) -> Path:
    copy = tmp_path / "future.db"
    assert cli("db", "backup", str(copy)).exit_code == 0
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    return copy


@pytest.mark.parametrize("make, message", [
    (lambda cli, tmp: tmp / "missing.db", "not a regular file"),
    (lambda cli, tmp: (tmp / "text.db").write_text("hello") and tmp / "text.db",
     "not a SQLite database"),
    (lambda cli, tmp: _foreign_sqlite(tmp / "other.db"), "not a fixright database"),
    (_future_backup, "unknown to this fixright"),
])
def test_restore_refuses_what_is_not_a_known_fixright_database(
        sqlite_cli: Cli, tmp_path: Path, make, message: str) -> None:
    _seed(sqlite_cli, tmp_path)
    bad = make(sqlite_cli, tmp_path)
    result = sqlite_cli("db", "restore", str(bad), "--yes")
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _serials(sqlite_cli) == ["FOC0001", "FOC0002"]


def test_postgresql_gets_the_pg_dump_line(tmp_path: Path) -> None:
    cli = Cli("postgresql+psycopg://fixright:secret@127.0.0.1:5432/prod", tmp_path)
    made = cli("db", "backup", str(tmp_path / "x.dump"))
    assert made.exit_code == 2
    assert "pg_dump --format=custom" in made.stderr and "127.0.0.1:5432/prod" in made.stderr
    assert "secret" not in made.stderr
    back = cli("db", "restore", str(tmp_path / "x.dump"), "--yes")
    assert back.exit_code == 2
    assert "pg_restore" in back.stderr
    assert not (tmp_path / "x.dump").exists()
