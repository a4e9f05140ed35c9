"""A template that rejects one unknown line no longer loses the device: the fallback reads it.

Real outputs from shared/data/show (ntc-templates' samples) with a line their template does
not know added; the fallback's facts must be those the template reads from the clean text,
or empty and named in a warning, never something else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.shared import SHOW

from fixright.errors import InvalidInput
from fixright.inventory.parse import parse_output

RAW_FILES = sorted(SHOW.rglob("*.raw")) if SHOW.is_dir() else []
NO_CHASSIS = {"cisco_asa_show_inventory_pid_spaces.raw", "cisco_xr_admin_show_inventory1.raw"}
FIELDS = ("serial", "version_text", "model", "hostname", "image_file", "build")
UNKNOWN_LINE = "Zq-unknown-thing : 42 perpetual"


def _with_unknown_line(text: str) -> str:
    return text.rstrip("\n") + f"\n{UNKNOWN_LINE}\n"


def _id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.name}"


@pytest.mark.parametrize("raw", [p for p in RAW_FILES if p.name not in NO_CHASSIS], ids=_id)
def test_an_unknown_line_never_loses_the_device(raw: Path) -> None:
    text = raw.read_text(encoding="utf-8")
    clean = parse_output(text, source_name="a")
    # Every kind of output has a tolerant reader: none is refused for the line.
    read = parse_output(_with_unknown_line(text), source_name="a")
    assert [f.serial for f in read] == [f.serial for f in clean]
    for template, fallback in zip(clean, read, strict=True):
        if fallback.read_by == "template":
            assert fallback == template
            continue
        assert fallback.read_by == "fallback"
        assert UNKNOWN_LINE in fallback.warnings[0]
        # Who made it and which software family it runs are never left empty or changed.
        assert (fallback.vendor, fallback.os_family) == (template.vendor, template.os_family)
        for field in FIELDS:
            value = getattr(fallback, field)
            assert value in ("", getattr(template, field)), field
        for field in ("serial", "version_text"):
            if getattr(template, field) and not getattr(fallback, field):
                assert f"no {field.removesuffix('_text')} found" in fallback.warnings


def test_firepower_hosted_asa_with_ssp_slot_line() -> None:
    """ASA on a Firepower 4100 prints `SSP Slot Number: 1`, which the ASA template rejects."""
    raw = SHOW / "cisco_asa/show_version/cisco_asa_show_version2.raw"
    text = raw.read_text(encoding="utf-8")
    assert "FPR4K-SM-12" in text and "SSP Slot Number" not in text
    pasted = text.replace("Hardware:   FPR4K-SM-12\n", "Hardware:   FPR4K-SM-12\nSSP Slot Number: 1\n")
    (facts,) = parse_output(f"fw002# show version\n{pasted}", source_name="fw002.txt")
    assert facts.read_by == "fallback"
    assert (facts.model, facts.version_text, facts.hostname) == ("FPR4K-SM-12", "9.8(3)21", "fw002")
    assert facts.os_family == "asa" and facts.platform == "cisco-asa"  # Firepower 4100 hosted ASA
    assert facts.serial == "" and "no serial found" in facts.warnings
    assert "SSP Slot Number: 1" in facts.warnings[0]


def test_asa_5505_licence_rows_with_perpetual() -> None:
    raw = SHOW / "cisco_asa/show_version/cisco_asa_show_version3.raw"
    text = raw.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Licensed features"))
    lines[at + 1:at + 1] = ["VLAN Trunk Ports                  : 8              perpetual",
                            "Dual ISPs                         : Enabled        perpetual"]
    (clean,) = parse_output(text, source_name="a")
    (facts,) = parse_output("\n".join(lines), source_name="a")
    assert facts.read_by == "fallback"
    assert (facts.serial, facts.version_text, facts.model) == (clean.serial, clean.version_text, clean.model)


def test_fallback_without_essentials_keeps_the_template_error() -> None:
    text = "Cisco Adaptive Security Appliance Software Version\nsomething odd\n"
    with pytest.raises(InvalidInput, match=r"^a: 'show version' output: "):
        parse_output(text, source_name="a")
