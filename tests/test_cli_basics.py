"""The foundation's promises: clear one-line errors that change nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixright.accounts.models import User


def test_users_add_then_duplicate_is_refused(cli, session) -> None:
    first = cli("users", "add", "ann@example.net", "--org", "acme", "--password-stdin",
                input="correct horse\n")
    assert first.exit_code == 0, first.output
    again = cli("users", "add", "ANN@example.net", "--org", "acme", "--password-stdin",
                input="another pass\n")
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    assert "Traceback" not in again.output
    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_short_password_is_refused_and_nothing_written(cli, session) -> None:
    result = cli("users", "add", "bob@example.net", "--org", "acme", "--password-stdin",
                 input="short\n")
    assert result.exit_code == 2
    assert "at least" in result.stderr
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_token_create_prints_token_once(cli) -> None:
    cli("users", "add", "ann@example.net", "--org", "acme", "--no-password")
    result = cli("tokens", "create", "--email", "ann@example.net", "--name", "ci")
    assert result.exit_code == 0
    assert result.stdout.startswith("fxr_")
    missing = cli("tokens", "create", "--email", "nobody@example.net")
    assert missing.exit_code == 1
    assert "no user" in missing.stderr


def _run(args: list[str], env_extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "fixright.cli", *args], capture_output=True, text=True, env=env,
        timeout=60,
    )


def test_wrong_database_url_is_one_line(tmp_path: Path) -> None:
    result = _run(["db", "upgrade"], {
        "FIXRIGHT_DATA_DIR": str(tmp_path),
        "FIXRIGHT_DATABASE_URL": "postgresql+psycopg://nobody:pw@127.0.0.1:9/nothing",
    }, tmp_path)
    assert result.returncode == 1
    assert "cannot connect to database" in result.stderr
    assert "pw@" not in result.stderr  # the password is never printed
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_nonsense_database_url(tmp_path: Path) -> None:
    result = _run(["db", "upgrade"], {
        "FIXRIGHT_DATA_DIR": str(tmp_path), "FIXRIGHT_DATABASE_URL": "not a url"}, tmp_path)
    assert result.returncode == 1
    assert "not a valid URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _run(["db", "upgrade"], {"FIXRIGHT_DATA_DIR": str(blocker / "sub")}, tmp_path)
    assert result.returncode == 1
    assert "not writable" in result.stderr
    assert "Traceback" not in result.stderr
    assert blocker.read_text() == "x"


def test_secret_key_is_generated_once_with_0600(tmp_path: Path) -> None:
    from fixright.config import Settings

    settings = Settings(data_dir=tmp_path / "d")
    key = settings.resolved_secret_key()
    path = tmp_path / "d" / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path / "d").resolved_secret_key() == key
    assert len(key) >= 40


def test_relative_data_dir_becomes_absolute(tmp_path: Path, monkeypatch) -> None:
    from fixright.config import Settings

    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=Path("rel-data"))
    assert settings.data_dir == tmp_path / "rel-data"
    assert settings.resolved_storage_url() == f"file://{tmp_path / 'rel-data' / 'blobs'}"
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path / 'rel-data' / 'fixright.db'}"


@pytest.mark.parametrize(("value", "why"), [("abc", "valid integer"), ("0", "greater than"),
                                            ("-5", "greater than"), ("99999999", "less than")])
def test_bad_link_minutes_is_one_line_on_every_command(tmp_path: Path, value: str,
                                                       why: str) -> None:
    """It used to print a traceback on every command, and 0 made every link born expired."""
    result = _run(["images", "list"], {"FIXRIGHT_DATA_DIR": str(tmp_path),
                                       "FIXRIGHT_DOWNLOAD_LINK_MINUTES": value}, tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "FIXRIGHT_DOWNLOAD_LINK_MINUTES" in result.stderr and why in result.stderr
