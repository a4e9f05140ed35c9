"""Every real output, pasted the way terminals capture it, gives the same facts as the clean one.

The raw outputs are ntc-templates' test samples in shared/data/show (see its README);
the wrappers add what terminals add: prompts and echoed commands, pager prompts erased
with backspaces, colour escapes, CRLF, logger timestamps, several commands in one paste.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.shared import SHOW

from fixright.errors import InvalidInput
from fixright.inventory.clean import clean_output
from fixright.inventory.parse import parse_output, read_output

RAW_FILES = sorted(SHOW.rglob("*.raw")) if SHOW.is_dir() else []
NO_CHASSIS = {"cisco_asa_show_inventory_pid_spaces.raw", "cisco_xr_admin_show_inventory1.raw"}
READABLE = [p for p in RAW_FILES if p.name not in NO_CHASSIS]
_PAGER = " --More-- " + "\b" * 10 + " " * 10 + "\b" * 10


def _command(raw: Path) -> str:
    return raw.parent.name.replace("_", " ")


def _facts(text: str) -> list[tuple[str, ...]]:
    return [
        (f.vendor, f.os_family, f.model, f.serial, f.version_text, f.hostname, f.image_file,
         f.build, f.read_by)
        for f in parse_output(text, source_name="paste")
    ]


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


WRAPPERS: dict[str, Callable[[str, str], str]] = {
    "ios prompt": lambda t, c: f"core-sw1#{c}\n{t}\ncore-sw1#",
    "prompt with space": lambda t, c: f"core-sw1# {c}\n{t}\ncore-sw1#",
    "user@host": lambda t, c: f"netops@edge-1> {c}\n{t}\nnetops@edge-1> ",
    "junos context": lambda t, c: f"{{master:0}}\nlab@mx1> {c}\n{t}\n\n{{master:0}}\nlab@mx1> ",
    "xr prompt": lambda t, c: f"RP/0/RSP0/CPU0:pe1#{c}\n{t}\nRP/0/RSP0/CPU0:pe1#",
    "fortigate prompt": lambda t, c: f"FGT60F # {c}\n{t}\nFGT60F # ",
    "config mode": lambda t, c: f"sw1(config)#do {c}\n{t}\nsw1(config)#",
    "echo only": lambda t, c: f"{c}\n{t}",
    "crlf": lambda t, c: f"core-sw1#{c}\r\n" + "\r\n".join(_lines(t)) + "\r\ncore-sw1#",
    "ansi": lambda t, c: f"\x1b[1;32mcore-sw1#\x1b[0m{c}\n\x1b[0m{t}\x1b[K\n\x1b[1;32mcore-sw1#\x1b[0m",
    "pager": lambda t, c: f"core-sw1#{c}\n"
    + "\n".join((_PAGER + line) if i and i % 12 == 0 else line for i, line in enumerate(_lines(t))),
    "pager left in": lambda t, c: "\n".join(
        line if i % 15 else f"{line}\n --More-- " for i, line in enumerate(_lines(t))
    ),
    "timestamps": lambda t, c: "\n".join(
        f"[2024-05-01 10:22:{i % 60:02d}] {line}" for i, line in enumerate([f"r1#{c}", *_lines(t)])
    ),
    "iso timestamps crlf": lambda t, c: "\r\n".join(
        f"2024-05-01T10:22:{i % 60:02d}.123Z {line}" for i, line in enumerate([f"r1#{c}", *_lines(t)])
    ),
}


@pytest.mark.parametrize("wrapper", list(WRAPPERS), ids=str)
@pytest.mark.parametrize("raw", READABLE, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_pasted_variants_give_the_same_facts(raw: Path, wrapper: str) -> None:
    text = raw.read_text(encoding="utf-8")
    assert _facts(WRAPPERS[wrapper](text, _command(raw))) == _facts(text)


@settings(max_examples=60, deadline=None)
@given(
    raw=st.sampled_from(READABLE or [Path("none")]),
    wrappers=st.lists(st.sampled_from(["ios prompt", "ansi", "pager", "crlf"]), min_size=1, max_size=3),
)
def test_stacked_wrappers_give_the_same_facts(raw: Path, wrappers: list[str]) -> None:
    if not READABLE:
        return
    text = raw.read_text(encoding="utf-8")
    pasted = text
    for name in wrappers:
        pasted = WRAPPERS[name](pasted, _command(raw) if name == wrappers[0] else "")
    assert _facts(pasted) == _facts(text)


def test_removed_things_are_recorded() -> None:
    cleaned = clean_output("\x1b[1mr1#\x1b[0mshow version\r\nline one\r\n --More-- \b\b\b\b\b\b\b\b\b\bline two\r\nr1#")
    kinds = {r.kind for r in cleaned.removed}
    assert {"ansi", "prompt", "backspace"} <= kinds
    assert [p.command for p in cleaned.parts] == ["show version"]
    assert cleaned.text == "line one\nline two"
    prompt_lines = [r for r in cleaned.removed if r.kind == "prompt"]
    assert [r.text for r in prompt_lines] == ["r1#show version", "r1#"]


def test_a_paste_of_prompts_only_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"^p\.txt: only prompts"):
        parse_output("r1#show version\nr1#\nr1#", source_name="p.txt")


def test_read_output_reports_what_was_removed() -> None:
    raw = SHOW / "cisco_ios/show_version/cisco_ios_show_version.raw"
    if not raw.exists():
        pytest.skip("shared data not found")
    result = read_output(f"sw1#show version\n{raw.read_text()}\nsw1#", source_name="a")
    assert result.facts and [r.text for r in result.removed] == ["sw1#show version", "sw1#"]


def _raw(path: str) -> str:
    return (SHOW / path).read_text(encoding="utf-8")


def test_ios_xr_version_and_admin_inventory_in_one_paste() -> None:
    """IOS XR `show version` has no serial; `admin show inventory` (Name:/Descr: form) has it."""
    version = "cisco_xr/show_version/cisco_xr_show_version_01.raw"
    inventory = "cisco_xr/admin_show_inventory/cisco_xr_admin_show_inventory2.raw"
    paste = (f"RP/0/RSP0/CPU0:pe1#show version\n{_raw(version)}\n"
             f"RP/0/RSP0/CPU0:pe1#admin show inventory\n{_raw(inventory)}\nRP/0/RSP0/CPU0:pe1#")
    (facts,) = parse_output(paste, source_name="pe1.txt")
    rack = next(line for line in _raw(inventory).splitlines() if "Rack 0" in line)
    pid_line = _raw(inventory).splitlines()[_raw(inventory).splitlines().index(rack) + 1]
    assert facts.os_family == "iosxr"
    assert (facts.model, facts.serial) == (pid_line.split()[1], pid_line.split()[-1])
    assert facts.command == "show version + admin show inventory"
    assert facts.version_text and facts.version_text in _raw(version)


def test_ios_version_and_inventory_without_prompts() -> None:
    version = _raw("cisco_ios/show_version/cisco_ios_show_version.raw")
    inventory = _raw("cisco_ios/show_inventory/cisco_ios_show_inventory.raw")
    paste = f"show version\n{version}\nshow inventory\n{inventory}"
    facts = parse_output(paste, source_name="a")
    assert {f.command for f in facts} == {"show version + show inventory"}
    assert all(f.version_text for f in facts)
