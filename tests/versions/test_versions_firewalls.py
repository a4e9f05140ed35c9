"""Fortinet, PAN-OS, FTD, FXOS and four-part ASA releases, as tables of real spellings."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from fixright.versions import IncomparableVersions, InvalidVersion, compare, parse, same_train

EQUAL = [
    ("fortios", "v7.4.8,build2795,250523 (GA.M)", "7.4.8"),
    ("fortios", "V7.0.13,build0566,231024 (GA.M)", "7.0.13"),
    ("fortios", "7.0.12 build0523", "7.0.12"),
    ("fortiswitch", "7.2.5-build0453", "7.2.5"),
    ("fortianalyzer", "v6.2.6,build1175,201110 (GA)", "6.2.6"),
    ("panos", "10.2.9-H1", "10.2.9-h1"),
    ("ftd", "7.0.1 (Build 84)", "7.0.1"),
    ("ftd", "6.2.3.18-73", "6.2.3.18"),
    ("fxos", "2.12(0.498)", "2.12.0.498"),
    ("fxos", "2.16(0.128)", "2.16.0.128"),
    ("asa", "9.20.2.21", "9.20(2)21"),
    ("asa", "9.18.4.47", "9.18(4)47"),
]

ORDERED = [
    ("panos", ["10.1.14", "10.1.14-h1", "10.1.14-h9", "10.1.14-h11", "10.1.15", "10.2.0", "11.0.2"]),
    ("panos", ["10.2.9", "10.2.9-h1", "10.2.10"]),
    ("fortios", ["7.4", "7.4.0", "7.4.3", "7.4.10", "7.6.0"]),
    ("fortiswitch", ["6.4.9", "6.4.10", "7.0.0"]),
    ("ftd", ["7.4.2", "7.4.2.1", "7.4.2.2", "7.4.3", "7.6.0"]),
    ("fxos", ["2.12(0.31)", "2.12(0.498)", "2.12(1.29)", "2.13.0.198"]),
    ("asa", ["9.20(2)", "9.20.2.10", "9.20(2)21", "9.20.3", "9.22.1.1"]),
]

TRAINS = [
    ("fortios", "v7.4.8,build2795,250523 (GA.M)", "7.4"),
    ("fortiproxy", "7.2.11", "7.2"),
    ("panos", "10.2.9-h1", "10.2"),
    ("ftd", "7.4.2.1", "7.4"),
    ("fxos", "2.12(0.498)", "2.12"),
    ("asa", "9.20.2.21", "9.20"),
]

INVALID = [
    ("fortios", "FortiOS 7.4.3"),
    ("fortios", "7.4.3a"),
    ("fortios", "7"),
    ("panos", "10.2.9-x1"),
    ("panos", "10.2.9-h"),
    ("ftd", "7.4.2.1.5"),
    ("fxos", "2.12(0.498"),
    ("fxos", "2.12(0.1.2)"),
]


@pytest.mark.parametrize(("family", "a", "b"), EQUAL)
def test_spellings_of_one_release_are_equal(family: str, a: str, b: str) -> None:
    va, vb = parse(family, a), parse(family, b)
    assert va == vb and va.key == vb.key and va.normalized == vb.normalized


@pytest.mark.parametrize(("family", "chain"), ORDERED)
def test_order(family: str, chain: list[str]) -> None:
    versions = [parse(family, text) for text in chain]
    for older, newer in itertools.pairwise(versions):
        assert older < newer and compare(newer, older) == 1, (older, newer)


@pytest.mark.parametrize(("family", "text", "train"), TRAINS)
def test_train(family: str, text: str, train: str) -> None:
    assert parse(family, text).train == train


@pytest.mark.parametrize(("family", "text"), INVALID)
def test_invalid(family: str, text: str) -> None:
    with pytest.raises(InvalidVersion, match=family):
        parse(family, text)


def test_fortinet_products_are_separate_families() -> None:
    os_, switch = parse("fortios", "7.4.3"), parse("fortiswitch", "7.4.3")
    assert os_.normalized == switch.normalized and os_ != switch
    with pytest.raises(IncomparableVersions):
        compare(os_, switch)
    assert same_train(parse("fortios", "7.4.0"), parse("fortios", "v7.4.8,build2795,250523 (GA.M)"))


def test_real_device_strings(shared_data: Path) -> None:
    """Every FortiGate `get system status` and the FXOS firmware sample read as releases."""
    forti = sorted((shared_data / "show/fortinet/get_system_status").glob("*.raw"))
    assert forti
    for raw in forti:
        line = next(x for x in raw.read_text().splitlines() if x.startswith("Version:"))
        printed = line.split()[-2] + " " + line.split()[-1]  # "v7.4.8,build2795,250523 (GA.M)"
        version = parse("fortios", printed)
        assert version.normalized == printed[1:].split(",")[0]
    for yml in (shared_data / "show/cisco_fxos/show_system_firmware").glob("*.yml"):
        for record in yaml.safe_load(yml.read_text())["parsed_sample"]:
            assert parse("fxos", record["version"]).train == record["version"].split("(")[0]
