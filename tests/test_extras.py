"""Optional features name their extra in one line when its package is missing."""

from __future__ import annotations

import builtins
import importlib.util

import pytest

from fixright.catalog.backends import storage_from_url
from fixright.config import Settings
from fixright.db import make_engine
from fixright.errors import ConfigurationError
from fixright.inventory import collect


def _hide(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    real_import, real_find = builtins.__import__, importlib.util.find_spec

    def fake_import(name, *args, **kwargs):
        if name.split(".")[0] in names:
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in names else real_find(name, *a))
    for module in list(__import__("sys").modules):
        if module.split(".")[0] in names or module == "fixright.catalog.storage_s3":
            monkeypatch.delitem(__import__("sys").modules, module)


def test_missing_extras_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    _hide(monkeypatch, "netmiko", "boto3", "psycopg")
    target = collect.Target(name="r1", address="192.0.2.1", platform="cisco_ios", port=22,
                            username="u", password="p", secret="", timeout=5.0)
    with pytest.raises(ConfigurationError, match=r"fixright\[ssh\]"):
        collect.collect([target])
    with pytest.raises(ConfigurationError, match=r"fixright\[s3\]"):
        storage_from_url("s3://bucket/prefix", Settings(data_dir=tmp_path))
    with pytest.raises(ConfigurationError, match=r"fixright\[postgres\]"):
        make_engine("postgresql+psycopg://u:p@127.0.0.1/x")
