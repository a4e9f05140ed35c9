"""Importers and `images add` read only regular files: a link towards a secret is refused
by name, and no error echoes a byte of what it points to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixright.advisories.models import Advisory
from fixright.audit.models import AuditEvent
from fixright.contracts.models import Contract
from fixright.db import make_session_factory
from fixright.errors import InvalidInput
from fixright.inventory.models import Device
from fixright.safe_open import open_regular, read_regular

# The first line of a secret, shaped so each reader would quote it in its error.
SECRET = "root:$6$SECRETHASH:19000:0:99999:7:::,serial,{\"not\": json"


def test_open_regular_reads_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    with open_regular(path) as handle:
        assert handle.read() == b"hello"
    assert read_regular(path, limit=5) == b"hello"
    with pytest.raises(InvalidInput, match="larger than the 4 bytes"):
        read_regular(path, limit=4)


def test_open_regular_refuses_links_and_special_files(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    target.write_text(SECRET)
    link = tmp_path / "link"
    link.symlink_to(target)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cases = {link: "symbolic link", fifo: "named pipe", tmp_path: "a folder",
             Path("/dev/null"): "character device", tmp_path / "missing": "cannot read"}
    for path, reason in cases.items():
        with pytest.raises(InvalidInput, match=reason) as caught:
            read_regular(path)
        assert str(path) in caught.value.message and "SECRET" not in caught.value.message


def _counts(engine) -> tuple[int, ...]:
    with make_session_factory(engine)() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(t)) or 0)
                     for t in (Device, Contract, Advisory, AuditEvent))


@pytest.mark.parametrize("command", [
    ("devices", "import", "{link}"),
    ("devices", "import", "{folder}"),
    ("contracts", "import", "{link}"),
    ("advisories", "import", "{link}"),
    ("advisories", "import", "{folder}"),
    ("policy", "set", "{link}"),
    ("check", "{link}"),
])
def test_importers_refuse_a_link_and_never_echo_its_target(cli, engine, tmp_path: Path,
                                                           command: tuple[str, ...]) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\nsecond line\n")
    folder = tmp_path / "in"
    folder.mkdir()
    suffix = {"contracts": ".csv", "devices": ".csv", "policy": ".toml"}.get(command[0], ".json")
    link = folder / f"upload{suffix}"
    link.symlink_to(secret)
    before = _counts(engine)
    args = [a.format(link=link, folder=folder) for a in command]
    result = cli(*args)
    assert result.exit_code in (1, 2), result.output
    assert "symbolic link" in result.output, result.output
    assert "SECRETHASH" not in result.output and "second line" not in result.output
    assert _counts(engine) == before
