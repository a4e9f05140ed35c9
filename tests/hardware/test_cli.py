"""`fixright platforms check`, `fixright hardware list|validate`."""

from __future__ import annotations

import json
from pathlib import Path

OVERRIDE = """\
schema = 1
vendor = "cisco"

[families.c3560cx]
os_family = "ios"
models = ["WS-C3560CX-*", "WS-C3560E-*"]
trains = ["15.2E"]
sources = ["our lab"]
"""


def test_platforms_check_json(cli) -> None:
    result = cli("platforms", "check", "--model", "C9200L-24P-4G",
                 "--image", "cat9k_iosxe.17.09.05.SPA.bin", "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {"compatible", "image_family", "why"}
    assert answer["compatible"] is False
    assert answer["image_family"] == "cat9k_iosxe"
    unknown = cli("platforms", "check", "--model", "NO-SUCH-PID", "--image",
                  "cat9k_iosxe.17.09.05.SPA.bin", "--format", "json")
    assert json.loads(unknown.stdout)["compatible"] is None


def test_validate_reports_the_one_line_error_and_exit_2(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(OVERRIDE.replace('trains = ["15.2E"]', 'trains = "15.2E"'))
    result = cli("hardware", "validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}, line 7, field families.c3560cx.trains" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    good = tmp_path / "good.toml"
    good.write_text(OVERRIDE)
    ok = cli("hardware", "validate", str(good))
    assert ok.exit_code == 0, ok.output
    assert "overriding shipped: c3560cx" in ok.stdout


def test_list_shows_overrides_from_the_setting_and_check_uses_them(cli, tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(OVERRIDE)
    cli.env["FIXRIGHT_HARDWARE_PATH"] = str(path)
    listed = cli("hardware", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    rows = {row["family"]: row for row in json.loads(listed.stdout)}
    assert rows["c3560cx"]["origin"] == "override"
    assert rows["c3560cx"]["overrides"] == "fixright/hardware/data/cisco.toml"
    assert rows["c3560e"]["origin"] == "shipped"
    table = cli("hardware", "list", "--vendor", "cisco")
    assert "overridden by operator files: c3560cx" in table.stdout
    answer = cli("platforms", "check", "--model", "WS-C3560E-24TD-S", "--image",
                 "c3560cx-universalk9-mz.152-7.E8.bin", "--format", "json")
    assert json.loads(answer.stdout)["compatible"] is True


def test_a_broken_setting_file_is_one_line(cli, tmp_path: Path) -> None:
    cli.env["FIXRIGHT_HARDWARE_PATH"] = str(tmp_path / "missing.toml")
    result = cli("hardware", "list")
    assert result.exit_code == 2
    assert "missing.toml: cannot read" in result.stderr
