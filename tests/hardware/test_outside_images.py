"""Real image names from outside fixright, on the hardware their sources pair them with.

The cases (tests/hardware/data/outside_images.toml) were collected from public
playbooks, upgrade scripts and fixtures; each expected answer is the vendor
fact written beside it, not fixright's answer. They go through `check`, the
function `fixright platforms check` calls.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from fixright.hardware import check, shipped_catalogue

DATA = Path(__file__).parent / "data" / "outside_images.toml"
CASES: list[dict[str, Any]] = tomllib.loads(DATA.read_text(encoding="utf-8"))["case"]
_EXPECTED = {True: True, False: False, "null": None}


def test_the_table_is_large_and_sourced() -> None:
    outside = [c for c in CASES if c.get("kind", "outside") == "outside"]
    derived = [c for c in CASES if c.get("kind") == "derived"]
    assert len(outside) >= 60
    assert len(derived) >= 20
    assert all(c["source"].strip() and c["fact"].strip() for c in CASES)
    assert {c["expected"] for c in CASES} == set(_EXPECTED)
    # Each (model, image) is asked once: a duplicate would count a case twice.
    assert len({(c["model"], c["image"]) for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['model']}|{c['image']}")
def test_outside_image_on_its_hardware(case: dict[str, Any]) -> None:
    result = check(shipped_catalogue(), model=case["model"], image=case["image"])
    expected = _EXPECTED[case["expected"]]
    assert result.compatible is expected, f"{result.why} (fact: {case['fact']})"
    assert result.why.strip()
    if expected is not None:
        assert result.image_family is not None
