"""Real outputs from outside the project's fixtures (tests/inventory/data/outside, sources in
SOURCES.md) give the facts read by hand from each text (expected.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixright.inventory.parse import parse_output

OUTSIDE = Path(__file__).parent / "data" / "outside"
EXPECTED: dict[str, dict[str, str | None]] = json.loads((OUTSIDE / "expected.json").read_text())


def test_every_output_has_expected_facts_and_a_source() -> None:
    files = {f"{p.parent.name}/{p.name}" for p in OUTSIDE.rglob("*.txt")}
    assert files == set(EXPECTED)
    sources = (OUTSIDE / "SOURCES.md").read_text()
    assert all(f"| {name} |" in sources for name in files)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outside_output_gives_the_facts_in_its_text(name: str) -> None:
    raw = (OUTSIDE / name).read_text(encoding="utf-8")
    facts = parse_output(raw, source_name=name)
    assert len(facts) == 1
    got = facts[0]
    want = EXPECTED[name]
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
