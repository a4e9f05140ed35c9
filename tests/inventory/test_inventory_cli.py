"""`fixright devices ...` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.shared import SHOW


def _raws(tmp_path: Path, *relative: str) -> Path:
    folder = tmp_path / "outputs"
    folder.mkdir(exist_ok=True)
    for rel in relative:
        shutil.copy(SHOW / rel, folder / Path(rel).name)
    return folder


def _devices(cli) -> list[dict]:
    result = cli("devices", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def acme(cli) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0


def test_import_folder_then_list_and_reimport(cli, acme, tmp_path: Path) -> None:
    folder = _raws(tmp_path, "cisco_ios/show_version/cisco_ios_show_version1.raw",
                   "juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware2.raw")
    result = cli("devices", "import", str(folder))
    assert result.exit_code == 0, result.output
    assert "5 created, 0 updated, 0 unchanged" in result.stdout
    assert {d["serial"] for d in _devices(cli)} >= {"FOC11111111", "A0000"}
    again = cli("devices", "import", str(folder))
    assert "0 created, 0 updated, 5 unchanged" in again.stdout


def test_all_or_nothing_and_skip_bad(cli, acme, tmp_path: Path) -> None:
    folder = _raws(tmp_path, "arista_eos/show_version/arista_eos_show_version2.raw")
    (folder / "empty.txt").write_text("")
    (folder / "run.txt").write_text("Building configuration...\nhostname x\n")
    result = cli("devices", "import", str(folder))
    assert result.exit_code == 2
    assert "nothing was imported" in result.stderr
    assert "empty.txt: empty" in result.stderr and "run.txt: a configuration listing" in result.stderr
    assert "Traceback" not in result.output
    assert _devices(cli) == []
    skipped = cli("devices", "import", "--skip-bad", str(folder))
    assert skipped.exit_code == 1
    assert "1 created" in skipped.stdout and "skipped 2 input(s)" in skipped.stderr
    assert [d["serial"] for d in _devices(cli)] == ["JPE11400249"]


def test_stdin_and_merge_of_version_and_inventory(cli, acme) -> None:
    text = (SHOW / "cisco_xr/show_version/cisco_xr_show_version_01.raw").read_text() + "\n" + (
        SHOW / "cisco_xr/show_inventory/cisco_xr_show_inventory_01.raw").read_text()
    result = cli("devices", "import", "-", input=text)
    assert result.exit_code == 0, result.output
    (device,) = _devices(cli)
    assert (device["serial"], device["running_version"], device["platform"]) == (
        "FLM27ABCDEF", "7.9.2", "8000")


def test_update_is_reported(cli, acme, tmp_path: Path) -> None:
    raw = (SHOW / "cisco_nxos/show_version/cisco_nxos_show_version5.raw").read_text()
    cli("devices", "import", "-", input=raw)
    newer = raw.replace("NXOS: version 10.4(5)", "NXOS: version 10.4(6)")
    result = cli("devices", "import", "-", input=newer)
    assert result.exit_code == 0
    assert "updated cisco FLM27400B3D: running_version 10.4(5) -> 10.4(6)" in result.stdout


def test_csv_import_with_bom_and_bad_row(cli, acme, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(b"\xef\xbb\xbfserial,vendor,os_family,running_version,notes\n"
                     b"FOC1,cisco,ios,15.2(7)E2,=HYPERLINK(\"x\")\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("serial,vendor,os_family,purchase_date\nFOC2,cisco,ios,yesterday\n")
    result = cli("devices", "import", str(good), str(bad))
    assert result.exit_code == 2
    assert "bad.csv: row 2, column purchase_date" in result.stderr
    assert _devices(cli) == []
    assert cli("devices", "import", str(good)).exit_code == 0
    export = cli("devices", "export", "--format", "csv")
    assert export.stdout.splitlines()[0].startswith("serial,vendor,os_family,model,running_version")
    assert "'=HYPERLINK" in export.stdout  # neutralised for spreadsheets
    data = json.loads(cli("devices", "export", "--format", "json").stdout)
    assert data[0]["notes"] == '=HYPERLINK("x")'


def test_big_file_is_refused_without_reading(cli, acme, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = cli("devices", "import", str(big))
    assert result.exit_code == 2 and "big.txt: 50 MB is far larger" in result.stderr
    assert _devices(cli) == []


def test_organisation_choice(cli, tmp_path: Path) -> None:
    raw = str(SHOW / "arista_eos/show_version/arista_eos_show_version3.raw")
    result = cli("devices", "import", raw)
    assert result.exit_code == 2 and "fixright orgs add" in result.stderr
    cli("orgs", "add", "acme")
    cli("orgs", "add", "beta")
    result = cli("devices", "import", raw)
    assert result.exit_code == 2 and "choose one with --org" in result.stderr
    result = cli("devices", "import", raw, "--org", "gamma")
    assert result.exit_code == 2 and "fixright orgs add gamma" in result.stderr
    assert cli("devices", "import", raw, "--org", "beta").exit_code == 0
    assert len(json.loads(cli("devices", "list", "--org", "beta", "--format", "json").stdout)) == 1


def test_parse_stores_nothing(cli, acme, tmp_path: Path) -> None:
    raw = SHOW / "cisco_ios/show_version/cisco_ios_show_version4.raw"
    result = cli("devices", "parse", str(raw), "--format", "json")
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert [f["serial"] for f in facts] == ["FCW2233FFG3", "FCW1234F88V"]
    assert facts[0]["version"] == "16.9.3" and facts[0]["train"] == "16.9"
    assert _devices(cli) == []
    bad = cli("devices", "parse", str(tmp_path / "missing.txt"))
    assert bad.exit_code == 2 and "missing.txt: no such file" in bad.stderr
