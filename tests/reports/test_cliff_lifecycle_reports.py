"""`report cliff`, `report lifecycle` and `report claims` on the demo portal, from the CLI."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

from fixright.claims.pdf import render_pdf
from fixright.clikit import AppContext
from fixright.config import Settings
from fixright.demo import load_demo
from fixright.errors import ConfigurationError


@pytest.fixture
def demo_cli(cli, db_url, data_dir):
    list(load_demo(AppContext(settings=Settings(data_dir=data_dir, database_url=db_url))))
    return cli


def test_reports(demo_cli) -> None:
    result = demo_cli("report", "cliff", "--org", "globex", "--format", "json",
                      "--policy", "contract-only", "--policy", "lifetime-updates")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    core = {r["policy"]: r for r in rows if r["serial"] == "FDO1601X0C7"}
    # The 3750-X's end of security support (2019-10-30, the shipped EoX record) has passed:
    # it bounds the cliff under every policy, whatever the contract says.
    assert core["lifetime-updates"]["cliff"] == "2019-10-30"
    assert core["lifetime-updates"]["status"] == "passed"
    assert "end of security support" in core["lifetime-updates"]["reason"]
    assert {r["policy"] for r in rows} == {"contract-only", "lifetime-updates"}
    as_csv = list(csv.DictReader(io.StringIO(demo_cli(
        "report", "cliff", "--org", "globex", "--format", "csv").stdout)))
    assert len(as_csv) == 5 * len({r["serial"] for r in rows})
    life = json.loads(demo_cli("report", "lifecycle", "--org", "globex", "--format",
                               "json").stdout)
    assert [r["serial"] for r in life] == ["FDO1601X0C7"]
    assert "end of security support 2019-10-30" in life[0]["passed"]
    claims = json.loads(demo_cli("report", "claims", "--org", "acme", "--format", "json").stdout)
    assert claims["claims"] == 1 and claims["sent"] == 1
    assert demo_cli("report", "cliff", "--org", "globex", "--policy", "nope").exit_code != 0


def test_missing_reportlab_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "reportlab", None)
    monkeypatch.setitem(sys.modules, "reportlab.lib.pagesizes", None)
    with pytest.raises(ConfigurationError, match=r"fixright\[claims\]"):
        render_pdf({})
