"""`fixright devices import` of NetBox / Nautobot exports, and bad inputs beside them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def _devices(cli) -> list[dict]:
    result = cli("devices", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def acme(cli) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0


def test_netbox_json_is_detected_and_imported(cli, acme) -> None:
    result = cli("devices", "import", str(DATA / "netbox_devices.json"))
    assert result.exit_code == 0, result.output
    assert "3 created" in result.stdout
    assert "netbox_devices.json: row 3 (spare-sw): no serial number" in result.stderr
    assert "ignored keys rack_unit_height" in result.stderr
    devices = {d["serial"]: d for d in _devices(cli)}
    assert devices["FOC2233X0AB"]["os_family"] == "iosxe"
    assert devices["FOC2233X0AB"]["running_version"] == "17.09.04a"
    assert devices["FOC2233X0AB"]["hostname"] == "core-sw1"
    assert devices["JN11F2A3BAFA"]["vendor"] == "juniper"


def test_csv_exports_by_header_and_forced_format(cli, acme, tmp_path: Path) -> None:
    # a NetBox CSV named .csv is told from fixright's own CSV by its header
    result = cli("devices", "import", str(DATA / "netbox_devices.csv"))
    assert result.exit_code == 0, result.output
    assert "3 created" in result.stdout and "row 6 (ap1)" in result.stderr
    plain = tmp_path / "export.txt"
    shutil.copy(DATA / "nautobot_devices.csv", plain)
    result = cli("devices", "import", "--format", "nautobot", str(plain))
    assert result.exit_code == 0, result.output
    assert "2 created" in result.stdout
    assert len(_devices(cli)) == 5


def test_nautobot_json_then_show_output_updates(cli, acme) -> None:
    result = cli("devices", "import", str(DATA / "nautobot_devices.json"))
    assert result.exit_code == 0, result.output
    assert {d["serial"]: d["running_version"] for d in _devices(cli)} == {
        "FGT60FTK20001234": "7.4.3", "FOC1932X1YZ": "16.12.10a"}


def _bad_inputs(tmp_path: Path) -> list[Path]:
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 20)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    big = tmp_path / "huge.json"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"count": 1, "results": {"name": "x"}}))
    return [binary, empty, big, wrong]


def test_bad_inputs_refuse_the_whole_import(cli, acme, tmp_path: Path) -> None:
    bad = _bad_inputs(tmp_path)
    result = cli("devices", "import", str(DATA / "netbox_devices.json"), *map(str, bad))
    assert result.exit_code == 2
    assert "4 input(s) could not be read; nothing was imported" in result.stderr
    lines = result.stderr.splitlines()
    for path, problem in zip(bad, ["binary data", "empty", "50 MB is far larger",
                                   "results: expected a list of devices"], strict=True):
        assert [line for line in lines if str(path) in line and problem in line], (path, lines)
    assert "Traceback" not in result.output
    assert _devices(cli) == []


def test_skip_bad_imports_the_rest(cli, acme, tmp_path: Path) -> None:
    bad = _bad_inputs(tmp_path)
    result = cli("devices", "import", "--skip-bad", str(DATA / "netbox_devices.json"),
                 *map(str, bad))
    assert result.exit_code == 1
    assert "3 created" in result.stdout and "skipped 4 input(s)" in result.stderr
    assert len(_devices(cli)) == 3


def test_export_without_readable_device_is_a_failure(cli, acme, tmp_path: Path) -> None:
    page = tmp_path / "nb.json"
    page.write_text(json.dumps({"results": [{"name": "a", "serial": "", "device_type": {}}]}))
    result = cli("devices", "import", str(page))
    assert result.exit_code == 2
    assert "nb.json: no device of the export could be read (1 skipped)" in result.stderr
