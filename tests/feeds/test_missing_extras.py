"""Without the `feeds` extra (httpx, python-gnupg) or gpg, sync says so in one line."""

from __future__ import annotations

import sys

import pytest

from fixright.errors import InvalidInput
from fixright.feeds import fetch, signatures


def test_missing_gnupg_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, cli) -> None:
    monkeypatch.setitem(sys.modules, "gnupg", None)  # import gnupg now raises ImportError
    assert signatures.available() == signatures.MISSING
    result = cli("advisories", "sync", "https://psirt.example/.well-known/csaf/provider-metadata.json")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "fixright[feeds]" in result.stderr


def test_missing_gpg_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signatures.shutil, "which", lambda _name: None)
    assert signatures.available() == signatures.MISSING


def test_missing_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "httpx", None)
    with pytest.raises(InvalidInput, match=r"fixright\[feeds\]"):
        fetch.Fetcher(fetch.FetchPolicy())
