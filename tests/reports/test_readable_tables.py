"""Report tables fit 80- and 120-column terminals without cutting an id (real shared data)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

SHOW = ("cisco_ios/show_version", "cisco_nxos/show_version")


def _fleet(cli, shared_data: Path) -> list[str]:
    assert cli("orgs", "add", "acme").exit_code == 0
    raws = sorted(str(p) for folder in SHOW for p in (shared_data / "show" / folder).glob("*.raw"))
    result = cli("devices", "import", *raws, "--org", "acme")
    assert result.exit_code == 0, result.output
    result = cli("advisories", "import", *(str(shared_data / "advisories" / kind)
                                          for kind in ("openvuln", "csaf", "cve5")))
    assert result.exit_code == 0, result.output
    return raws


def _at(cli, width: int, *args: str) -> str:
    cli.env["COLUMNS"] = str(width)
    try:
        result = cli(*args)
    finally:
        cli.env["COLUMNS"] = "200"
    assert result.exit_code == 0, result.output
    return result.stdout


def _shown_whole(table: str, header: str, values: set[str]) -> None:
    """Every value of a column appears whole, or the table says the column is not shown."""
    hidden = next((line for line in table.splitlines() if line.startswith("not shown at")), "")
    if header in hidden.split(":", 1)[-1].split(" (")[0].split(", "):
        return
    for value in values:
        assert value in table, f"{header} {value!r} is cut or missing"


def _fits(table: str, width: int) -> None:
    body = [line for line in table.splitlines() if line[:1] in "┏┃┡│└"]
    assert body, table
    assert max(len(line) for line in body) <= width
    assert "…" not in table
    assert "True" not in table and "False" not in table


@pytest.mark.parametrize("width", [80, 120])
def test_exposure_and_fixes_fit_and_keep_ids_whole(cli, shared_data: Path, width: int) -> None:
    _fleet(cli, shared_data)
    exposure = json.loads(_at(cli, 200, "report", "exposure", "--format", "json"))
    table = _at(cli, width, "report", "exposure")
    _fits(table, width)
    _shown_whole(table, "serial", {r["serial"] for r in exposure if r["serial"]})
    _shown_whole(table, "version", {r["version"] for r in exposure if r["version"]})
    _shown_whole(table, "advisory ids", {a for r in exposure for a in r["advisory_ids"]})

    fixes = json.loads(_at(cli, 200, "report", "fixes", "--format", "json"))
    assert any(isinstance(r["inferred"], bool) for r in fixes)
    table = _at(cli, width, "report", "fixes")
    _fits(table, width)
    _shown_whole(table, "serial", {r["serial"] for r in fixes if r["serial"]})
    _shown_whole(table, "advisory id", {r["advisory_id"] for r in fixes})
    _shown_whole(table, "version", {r["version"] for r in fixes})
    if width == 120:  # the ids that say what to fix stay at the wider width
        assert "not shown" not in table or "advisory id," not in table


@pytest.mark.parametrize("width", [80, 120])
def test_policies_fit(cli, shared_data: Path, width: int) -> None:
    _fleet(cli, shared_data)
    table = _at(cli, width, "report", "policies")
    _fits(table, width)
    for name in ("contract-only", "lifetime-updates", "perpetual-fallback"):
        assert name in table
    data = json.loads(_at(cli, 200, "report", "policies", "--format", "json"))
    for row in data:
        assert isinstance(row["exposed"], int) and isinstance(row["blocked_pct"], int | float)
        assert all(isinstance(v, int | float) for v in row["contract_cost_per_year"].values())


@pytest.mark.parametrize("width", [80, 120])
def test_check_fits_and_offers_csv(cli, shared_data: Path, width: int) -> None:
    raws = _fleet(cli, shared_data)
    table = _at(cli, width, "check", *raws, "--org", "acme")
    for block in table.split("\n\n"):
        if "┃" in block:
            _fits(block, width)
    reports = json.loads(_at(cli, 200, "check", *raws, "--format", "json"))
    ids = {a["advisory_id"] for r in reports for a in r["advisories"]}
    assert ids
    for ident in ids:  # the advisory column is the first: never hidden, never cut
        assert ident in table
    rows = list(csv.DictReader(io.StringIO(_at(cli, 80, "check", *raws, "--format", "csv"))))
    assert {r["advisory_id"] for r in rows if r["advisory_id"]} == ids
    assert {r["serial"] for r in rows} == {r["serial"] for r in reports}
    assert all(r["first_fixed_inferred"] in ("yes", "no") for r in rows if r["advisory_id"])
