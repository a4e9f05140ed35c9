"""`fixright report exposure|fixes` for a stored fleet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path


def _fleet(cli, shared_data: Path) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    show = shared_data / "show" / "cisco_ios" / "show_version"
    raws = sorted(str(p) for p in show.glob("*.raw"))
    result = cli("devices", "import", *raws, "--org", "acme")
    assert result.exit_code == 0, result.output
    result = cli("advisories", "import", str(shared_data / "advisories" / "openvuln"),
                 str(shared_data / "advisories" / "csaf"))
    assert result.exit_code == 0, result.output


def test_exposure_report(cli, shared_data: Path) -> None:
    _fleet(cli, shared_data)
    rows = json.loads(cli("report", "exposure", "--org", "acme", "--format", "json").stdout)
    by_serial = {r["serial"]: r for r in rows}
    # The four WS-C3850 stack members run 03.06.05E: smi2 (critical) and SNMP (high).
    stack = [r for r in rows if r["version"] == "03.06.05E"]
    assert len(stack) == 4
    assert all(r["critical"] == 1 and r["high"] == 1 for r in stack)
    assert by_serial["CAT1451S15C"]["advisory_ids"] == ["cisco-sa-snmp-dos-sdxnSUcW"]
    assert rows[0]["status"] == "affected"
    table = cli("report", "exposure", "--org", "acme")
    assert table.exit_code == 0 and "affected" in table.stderr


def test_fixes_report_csv(cli, shared_data: Path) -> None:
    _fleet(cli, shared_data)
    out = cli("report", "fixes", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    smi2 = [r for r in rows if r["advisory_id"] == "cisco-sa-20180328-smi2" and r["version"] == "03.06.05E"]
    assert smi2 and smi2[0]["first_fixed"] == "3.6.8E (inferred)"
    assert all(r["reason"] for r in rows)


def test_report_needs_an_organisation(cli) -> None:
    result = cli("report", "exposure")
    assert result.exit_code == 2
    assert "organisation" in result.stderr


def test_fixes_report_gives_upgrade_targets(cli, shared_data: Path) -> None:
    _fleet(cli, shared_data)
    rows = json.loads(cli("report", "fixes", "--format", "json").stdout)
    assert rows
    for row in rows:
        assert {"combined_fix", "combined_fix_reason", "upgrade_targets", "hardware"} <= set(row)
        for target in row["upgrade_targets"]:
            assert set(target) == {"release", "train", "kind", "why", "images"}
            assert target["kind"] in ("same-train", "migration")
    # The 4948E runs cat4500e; the IOSv lab router is not in the hardware catalogue.
    iosv = [r for r in rows if r["version"] == "15.2(4.0.55)E"]
    assert iosv and all(r["upgrade_targets"] == [] for r in iosv)
    assert all("hardware unknown" in r["combined_fix_reason"] for r in iosv)
    out = cli("report", "fixes", "--format", "csv").stdout
    header = next(csv.reader(io.StringIO(out)))
    assert "upgrade_targets" in header and "combined_fix" in header
