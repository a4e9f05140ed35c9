"""`fixright advisories import|list` and `fixright check` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, func, select

from fixright.advisories.models import Advisory


def _stored(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Advisory)).scalar_one()
    engine.dispose()
    return count


def test_import_list_and_reimport(cli, db_url, shared_data: Path) -> None:
    adv = shared_data / "advisories"
    result = cli("advisories", "import", str(adv / "csaf"), str(adv / "openvuln"), str(adv / "cve5"))
    assert result.exit_code == 0, result.output
    assert "created cisco-sa-20180328-smi2" in result.stdout
    # Six openVuln advisories (snort3 was added to the shared data later), two CSAF, two CVE.
    assert "9 created, 1 updated, 0 unchanged" in result.stdout
    assert "Cisco IOS XR Software" in result.stderr  # unplaced products are reported
    again = cli("advisories", "import", str(adv / "csaf"), str(adv / "openvuln"), str(adv / "cve5"))
    assert "0 created, 0 updated, 10 unchanged" in again.stdout
    listed = cli("advisories", "list", "--format", "json")
    rows = json.loads(listed.stdout)
    assert {r["advisory_id"] for r in rows} >= {"CVE-2024-21591", "cisco-sa-n39k-isis-dos-JhJA8Rfx"}
    assert _stored(db_url) == len(rows) == 9


def test_invalid_import_exits_2_and_stores_nothing(cli, db_url, shared_data: Path) -> None:
    adv = shared_data / "advisories"
    result = cli("advisories", "import", str(adv / "cve5"), str(adv / "invalid" / "ssa-426509.json"))
    assert result.exit_code == 2
    assert "ssa-426509.json: $.product_tree" in result.stderr
    assert _stored(db_url) == 0


def test_lenient_lists_drops(cli, db_url, shared_data: Path) -> None:
    result = cli("advisories", "import", "--lenient", str(shared_data / "advisories" / "invalid"))
    assert result.exit_code == 0, result.output
    # Only the Siemens document is broken (vers:all with a constraint); the others
    # import with their vendor quirks listed.
    assert "dropped" in result.stderr and "vers:all" in result.stderr
    assert "accepted" in result.stderr and "no time zone" in result.stderr
    assert _stored(db_url) == 4


def test_skip_bad_exits_1(cli, db_url, shared_data: Path) -> None:
    adv = shared_data / "advisories"
    result = cli("advisories", "import", "--skip-bad", str(adv / "invalid"), str(adv / "cve5"))
    assert result.exit_code == 1
    assert "skipped 1 file(s)" in result.stderr and "ssa-426509.json" in result.stderr
    assert _stored(db_url) == 5


def test_strict_refuses_vendor_quirks(cli, db_url, shared_data: Path) -> None:
    adv = shared_data / "advisories"
    quirky = adv / "vendor" / "FG-IR-24-385.json"
    result = cli("advisories", "import", "--strict", str(quirky))
    assert result.exit_code == 2
    assert "FG-IR-24-385.json: $.document.tracking.version" in result.stderr
    assert _stored(db_url) == 0
    accepted = cli("advisories", "import", str(adv / "vendor"))
    assert accepted.exit_code == 0, accepted.output
    assert "3 created" in accepted.stdout and "vendor quirk(s)" in accepted.stderr
    assert _stored(db_url) == 3


def test_check_with_advisory_files(cli, shared_data: Path) -> None:
    show = shared_data / "show"
    adv = shared_data / "advisories"
    result = cli("check", str(show / "cisco_ios" / "show_version"), str(show / "juniper_junos" / "show_version"),
                 "--advisories", str(adv / "csaf"), "--advisories", str(adv / "openvuln"),
                 "--advisories", str(adv / "cve5"), "--format", "json")
    assert result.exit_code == 0, result.output
    devices = json.loads(result.stdout)
    by_version = {}
    for d in devices:
        by_version.setdefault(d["version"], d)
    assert {a["advisory_id"] for a in by_version["03.06.05E"]["advisories"]} == {
        "cisco-sa-20180328-smi2", "cisco-sa-snmp-dos-sdxnSUcW"}
    assert by_version["15.2(4.0.55)E"]["status"] == "affected"
    assert by_version["19.4R3-S1.3"]["advisories"][0]["cves"] == ["CVE-2024-21591"]
    assert by_version["13.3R1.4"]["status"] == "not_affected"  # mx240: not SRX/EX
    vmhost = [d for d in devices if d["model"] == "nfx250_att_s1_10_t"]
    assert vmhost and vmhost[0]["status"] == "unknown"


def test_check_from_database_and_empty(cli, shared_data: Path) -> None:
    raw = shared_data / "show/cisco_ios/show_version/cisco_ios_show_version1.raw"
    empty = cli("check", str(raw))
    assert empty.exit_code == 0, empty.output
    assert "no advisories loaded" in empty.stderr
    cli("advisories", "import", str(shared_data / "advisories/openvuln"))
    table = cli("check", str(raw))
    assert table.exit_code == 0
    assert "cisco-sa-snmp-dos-sdxnSUcW" in table.stdout and "combined fix" in table.stdout


def test_check_bad_input(cli, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n")
    result = cli("check", str(junk), str(tmp_path / "missing.txt"))
    assert result.exit_code == 2
    assert "missing.txt: no such file or folder" in result.stderr
    assert "junk.txt" in result.stderr
