"""Real outputs from outside the project's fixtures (tests/inventory/data/outside, sources in
SOURCES.md) give the facts read by hand from each text (expected.json); a capture cut before
its serial number is refused with the reason ("refused") or read with the gap named in a
warning ("warning"), as docs/inventory.md says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixright.inventory.parse import InvalidInput, parse_output

OUTSIDE = Path(__file__).parent / "data" / "outside"
EXPECTED: dict[str, dict[str, str | None]] = json.loads((OUTSIDE / "expected.json").read_text())


def test_every_output_has_expected_facts_and_a_source() -> None:
    files = {f"{p.parent.name}/{p.name}" for p in OUTSIDE.rglob("*.txt")}
    assert files == set(EXPECTED)
    sources = (OUTSIDE / "SOURCES.md").read_text()
    assert all(f"| {name} |" in sources for name in files)


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "refused" not in e))
def test_outside_output_gives_the_facts_in_its_text(name: str) -> None:
    raw = (OUTSIDE / name).read_text(encoding="utf-8")
    facts = parse_output(raw, source_name=name)
    assert len(facts) == 1
    got = facts[0]
    want = dict(EXPECTED[name])
    warning = want.pop("warning", None)
    if warning is not None:
        assert any(str(warning) in w for w in got.warnings), got.warnings
    assert {
        "vendor": got.vendor, "os_family": got.os_family, "model": got.model, "serial": got.serial,
        "version_text": got.version_text, "hostname": got.hostname,
        "version": got.version.normalized if got.version else None,
    } == want
    for value in (got.model, got.serial, got.version_text, got.hostname):
        assert value in raw


def test_indented_paste_reads_like_the_unindented_output() -> None:
    raw = (OUTSIDE / "cisco_iosxe/genie_isr4451_16_6.txt").read_text(encoding="utf-8")
    flush = "\n".join(line[8:] for line in raw.split("\n"))
    assert parse_output(raw)[0].serial == parse_output(flush)[0].serial == "FGL273610NK"


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "refused" in e))
def test_outside_capture_cut_short_is_refused_with_its_reason(name: str) -> None:
    raw = (OUTSIDE / name).read_text(encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        parse_output(raw, source_name=name)
    assert name in str(refused.value)
    assert str(EXPECTED[name]["refused"]) in str(refused.value)


def test_unlicensed_fortigate_vm_placeholder_is_no_serial_number() -> None:
    # The KB paste without its annotations and the BIOS line: the template reads it.
    raw = (OUTSIDE / "fortinet/fortikb_fgvm64kvm_5_6_10_annotated.txt").read_text(encoding="utf-8")
    plain = "\n".join(line.split("<")[0].rstrip() for line in raw.splitlines() if not line.startswith("BIOS"))
    got = parse_output(plain)[0]
    assert (got.read_by, got.model, got.serial, got.version_text) == ("template", "FortiGate-VM64-KVM", "", "5.6.10")
    assert any("FGVM00UNLICENSED" in w for w in got.warnings)


def test_config_backup_comment_prefix_reads_like_the_plain_output() -> None:
    raw = (OUTSIDE / "aruba_aoscx/oxidized3568_8325h_10_15_1020_bang.txt").read_text(encoding="utf-8")
    plain = "\n".join(line[2:] for line in raw.split("\n"))
    assert parse_output(raw)[0].version_text == parse_output(plain)[0].version_text == "HL.10.15.1020"
