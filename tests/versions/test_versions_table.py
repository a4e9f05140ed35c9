"""The rules of the versions issue, as tables: spelling, order, trains, real strings."""

from __future__ import annotations

import itertools

import pytest

from fixright.versions import (
    IncomparableVersions,
    InvalidVersion,
    compare,
    parse,
    same_train,
)

# (family, one spelling, another spelling of the same release)
EQUAL = [
    ("iosxe", "17.03.04a", "17.3.4a"),
    ("iosxe", "16.12.04", "16.12.4"),
    ("iosxe", "17.12.04", "17.12.4"),
    ("iosxe", "03.16.10.S", "3.16.10S"),
    ("iosxe", "03.06.05E", "3.6.5E"),
    ("iosxe", "17.3.4A", "17.3.4a"),
    ("iosxe", "3.18.3BSP", "3.18.3bSP"),
    ("iosxe", "3.2.0sg", "3.2.0SG"),
    ("iosxe", "17.11.99sw", "17.11.99SW"),
    ("iosxe", "17.3.4.a", "17.3.4a"),
    ("asa", "9.8(4)45", "9.8.4.45"),
    ("asa", "9.12(4)", "9.12.4"),
    ("asa", "9.5(2)204", "9.5.2.204"),
    ("junos", "21.4R3-S5.4", "21.4R3-S5"),
    ("junos", "13.3R1.4", "13.3R1"),
    ("junos", "12.1X46-D10.2", "12.1X46-D10"),
    ("junos", "21.4r3-s5", "21.4R3-S5"),
    ("junos", "21.4R3-S5.13-EVO", "21.4R3-S5-EVO"),
    ("eos", "4.31.6M-39953990.4316M", "4.31.6M"),
    ("eos", "4.32.1F-37265360.4321F", "4.32.1F"),
    ("eos", "4.28.3m", "4.28.3M"),
    ("nxos", "10.4(5) [Maintenance Release]", "10.4(5)"),
    ("nxos", "14.0(1h) [build 14.0(1h)]", "14.0(1h)"),
    ("nxos", "10.2(1)F", "10.2(1)"),
    ("nxos", "10.2(1)F", "10.2(1) [Feature Release]"),
    ("nxos", "7.0(3)i7(9)", "7.0(3)I7(9)"),
    ("ios", "15.2(4)e10", "15.2(4)E10"),
    ("ios", "15.1(4)M12C", "15.1(4)M12c"),
    ("ios", "  15.2(4)E10 \n", "15.2(4)E10"),
    ("ios", "12.2(33)sxi4a", "12.2(33)SXI4a"),
    ("iosxr", " 7.9.2\t", "7.9.2"),
    ("iosxr", "7.9.2 LNT", "7.9.2"),
    ("generic", "K.15.06.0017", "K.15.6.17"),
    ("generic", "v7.2.5", "V7.2.5"),
    ("procurve", "k.15.06.0017", "K.15.06.0017"),
    ("panos", "10.2.7-H3", "10.2.7-h3"),
]

# (family, text, normalized)
NORMALIZED = [
    ("ios", "15.2(4)E10", "15.2(4)E10"),
    ("ios", "15.2(7b)e0B", "15.2(7b)E0b"),
    ("ios", "15.2(4.0.55)E", "15.2(4.0.55)E"),
    ("ios", "12.4(21a)", "12.4(21a)"),
    ("iosxe", "17.03.04a", "17.3.4a"),
    ("iosxe", "03.16.10.S", "3.16.10S"),
    ("iosxe", "03.06.05E", "3.6.5E"),
    ("iosxe", "3.18.3bSP", "3.18.3bSP"),
    ("nxos", "10.4(5) [Maintenance Release]", "10.4(5)"),
    ("nxos", "10.2(1)F", "10.2(1)"),
    ("nxos", "7.0(3)I7(10)", "7.0(3)I7(10)"),
    ("nxos", "4.2(1)SV2(2.3)", "4.2(1)SV2(2.3)"),
    ("asa", "9.8(4)45", "9.8.4.45"),
    ("asa", "9.6(4.8)", "9.6(4.8)"),
    ("junos", "21.4R3-S5.4", "21.4R3-S5"),
    ("junos", "13.3R1.4", "13.3R1"),
    ("junos", "12.1X46-D10.2", "12.1X46-D10"),
    ("junos", "21.4R3-S5-EVO", "21.4R3-S5-EVO"),
    ("junos", "21.4R3-S5.4-evo", "21.4R3-S5-EVO"),
    ("eos", "4.31.6M-39953990.4316M", "4.31.6M"),
    ("eos", "4.20.15.1M", "4.20.15.1M"),
    ("iosxr", "7.9.2", "7.9.2"),
    ("generic", "FL.10.11.1021", "FL.10.11.1021"),
    ("generic", "01.01.0.1", "1.1.0.1"),
    ("generic", "V2024.3", "V2024.3"),
]

# Each list is strictly increasing.
ORDERED = [
    ("ios", ["15.2(4)E9", "15.2(4)E10"]),
    ("ios", ["12.2(55)SE", "12.2(55)SE0", "12.2(55)SE1", "12.2(55)SE9", "12.2(55)SE10"]),
    ("ios", ["15.0(2)SE9", "15.0(2a)SE9", "15.0(2)SE10", "15.0(2)SE10a", "15.0(2)SE11"]),
    ("ios", ["12.4(21)", "12.4(21a)", "12.4(22)"]),
    (
        "ios",
        ["15.2(7)E", "15.2(7)E0a", "15.2(7)E0b", "15.2(7a)E0b", "15.2(7b)E0b", "15.2(7)E1"]
        + ["15.2(7)E8", "15.2(8)E"],
    ),
    ("ios", ["15.2(4)E", "15.2(4)E10", "15.2(4.0.55)E", "15.2(5)E"]),
    ("ios", ["12.2(33)SXI4", "12.2(33)SXI4a", "12.2(33)SXI4b", "12.2(33)SXI5"]),
    ("ios", ["15.1(4)M12", "15.1(4)M12c", "15.1(4)M13"]),
    (
        "iosxe",
        ["3.2.0SG", "3.6.5E", "3.16.10S", "3.18.3SP", "3.18.3bSP", "16.9.3", "16.12.4"]
        + ["17.3", "17.3.1", "17.3.4", "17.3.4a", "17.3.4b", "17.3.5", "17.16.1a"],
    ),
    ("iosxe", ["16.12.1", "16.12.1s", "16.12.1z", "16.12.1z1", "16.12.1z2", "16.12.2"]),
    ("iosxe", ["17.9.1", "17.9.1a", "17.9.1w", "17.9.1x", "17.9.1x1", "17.9.1y1", "17.9.2"]),
    (
        "nxos",
        ["5.2(1)N1(4)", "6.1(2)I3(1)", "7.0(3)I4(3)", "7.0(3)I7", "7.0(3)I7(9)"]
        + ["7.0(3)I7(10)", "9.3(8)", "9.3(15)", "10.2(1)F", "10.4(5)", "14.0(1h)"],
    ),
    ("nxos", ["8.4(2)", "8.4(2a)", "8.4(2c)", "8.4(3)"]),
    ("nxos", ["5.2(1)N1(8)", "5.2(1)N1(8a)", "5.2(1)N1(8b)", "5.2(1)N1(9)"]),
    (
        "asa",
        ["9.8", "9.8(3)21", "9.8.4", "9.8(4)1", "9.8.4.45", "9.8(4.10)", "9.8.5"]
        + ["9.12(4)", "9.16(3)19"],
    ),
    (
        "junos",
        ["20.4R3-S9", "21.2", "21.2R1", "21.4", "21.4B1", "21.4R1", "21.4R3", "21.4R3-S1"]
        + ["21.4R3-S5", "21.4R3-S5-EVO", "21.4R3-S10", "21.4R4", "22.4R2-S2", "22.4R3"],
    ),
    ("junos", ["12.1X46-D10", "12.1X46-D40", "15.1X49-D100", "15.1X49-D220"]),
    (
        "eos",
        ["4.14.7M", "4.20.15M", "4.20.15.1M", "4.23.0", "4.23.0F", "4.23.0M", "4.23.13M"]
        + ["4.24.9M", "4.24.10M", "4.31.6M", "4.32.1F"],
    ),
    ("iosxr", ["4.1.0", "6.1.4", "6.5.1", "7.9.2", "7.10.1", "24.1.1"]),
    ("generic", ["7.6.1", "7.6.10", "10.2.7", "10.2.7-h3", "10.2.7-h10", "10.2.8", "11.2.0"]),
    ("aoscx", ["10.11.1021", "FL.10.11.1021", "FL.10.11.1030", "FL.10.13.1000"]),
    ("procurve", ["K.15.06.0017", "K.15.18.0001", "WC.16.11.0027"]),
]

TRAINS = [
    ("ios", "15.2(4)E10", "15.2E"),
    ("ios", "12.4(15)T8", "12.4T"),
    ("ios", "12.2(55)SE", "12.2SE"),
    ("ios", "12.2(33)SXI4a", "12.2SXI"),
    ("ios", "12.4(21a)", "12.4"),
    ("ios", "15.2(7b)E0b", "15.2E"),
    ("iosxe", "17.3.4a", "17.3"),
    ("iosxe", "17.03.04a", "17.3"),
    ("iosxe", "3.16.10S", "3.16S"),
    ("iosxe", "03.16.10.S", "3.16S"),
    ("iosxe", "3.2.0SG", "3.2SG"),
    ("iosxe", "3.18.3bSP", "3.18SP"),
    ("iosxe", "17.11.99SW", "17.11SW"),
    ("iosxe", "16.12.1z1", "16.12"),
    ("nxos", "9.3(8)", "9.3"),
    ("nxos", "7.0(3)I7(9)", "7.0(3)I7"),
    ("nxos", "6.1(2)I3(1)", "6.1(2)I3"),
    ("nxos", "7.1(4)N1(1)", "7.1(4)N1"),
    ("nxos", "10.2(1)F", "10.2"),
    ("nxos", "14.0(1h)", "14.0"),
    ("asa", "9.8.4.45", "9.8"),
    ("asa", "9.8(4)45", "9.8"),
    ("junos", "21.4R3-S5", "21.4"),
    ("junos", "21.4", "21.4"),
    ("junos", "12.1X46-D10", "12.1X46"),
    ("junos", "21.4R3-S5-EVO", "21.4-EVO"),
    ("eos", "4.28.3M", "4.28"),
    ("iosxr", "7.9.2", "7.9"),
    ("generic", "FL.10.11.1021", "FL.10"),
    ("generic", "K.15.06.0017", "K.15"),
    ("generic", "7.6.1", "7.6"),
    ("generic", "V2024.3", "V2024.3"),
    ("panos", "10.2.7-h3", "10.2"),
]

# Strings seen on real devices and in real advisories: all must parse.
REAL = {
    "ios": "12.2(54)SG1 15.3(2)S1 15.8(3)M2 12.4(6)T2 15.1(4)M12c 15.2(7b)E0b 15.0(2a)SE9 "
    "15.2(4.0.55)E 12.2(4)B 12.2(33)SRE10 15.0(2)EX5 12.2(58)EZ 15.2(2)E 12.2(50)SE5",
    "iosxe": "16.9.3 16.12.4 16.12.04 17.03.04a 17.16.1a 3.2.0SG 03.06.05E 3.18.3bSP "
    "16.3.1a 17.12.04 16.12.1z1 17.9.1x1 3.10.0cE 17.11.99SW",
    "nxos": "6.1(2)I3(1) 14.0(1h) 7.1(4)N1(1) 5.2(1)N1(4) 7.0(3)I4(3) 10.4(5) 10.3(6) "
    "9.3(15) 6.0(2)A8(1) 10.2(1)F 9.2(4) 7.0(3)I7(10)",
    "asa": "9.5(2)204 9.8(3)21 9.9(2)32 9.16(3)19 9.8.4.45 9.12(4) 9.12.4",
    "junos": "13.3R1.4 13.2X51-D35.3 21.4R3-S3.4 19.4R3-S1.3 21.4R3-S5 22.4R2-S2 22.4R3 "
    "20.4R3-S9 21.2 15.1X49-D220 21.4R3-S5-EVO",
    "eos": "4.14.7M 4.27.6M 4.28.9M 4.31.6M-39953990.4316M 4.32.1F-37265360.4321F 4.23.0 "
    "4.23.13M 4.24.10M 4.20.15.1M",
    "iosxr": "6.1.4 6.5.1 7.9.2 4.1.0 6.6.3",
    "generic": "FL.10.11.1021 K.15.06.0017 WC.16.11.0027 7.6.1 01.01.0.1 V2024.3 11.2.0",
}
REAL_CASES = [(family, text) for family, texts in REAL.items() for text in texts.split()]

INCOMPARABLE = [
    ("ios", "15.2(4)E10", "ios", "15.2(4)M1"),
    ("ios", "12.4(21a)", "ios", "12.4(15)T8"),
    ("ios", "12.2(55)SE10", "ios", "12.2(55)SG1"),
    ("ios", "15.0(2)SE9", "ios", "15.0(2)EX5"),
    ("ios", "15.2(4)E10", "iosxe", "17.3.4a"),
    ("junos", "21.4R3", "eos", "4.21.4M"),
    ("generic", "7.6.1", "aoscx", "7.6.1"),
]

INVALID = [
    ("ios", ""),
    ("ios", "   "),
    ("ios", "None"),
    ("ios", "null"),
    ("ios", "17.3.4a"),
    ("ios", "15.2(4"),
    ("ios", "15.2(4)E10 RELEASE SOFTWARE"),
    ("ios", "15.2(4)E10\x00"),
    ("ios", "\uff11\uff15.2(4)E10"),  # full-width digits
    ("iosxe", "17.3.4a.b"),
    ("iosxe", "\u0661\u0667.\u0663.\u0664"),  # Arabic-Indic digits
    ("iosxe", "17"),
    ("iosxe", "3.16.1z1S"),
    ("iosxe", "16.12.1z1.S"),
    ("iosxe", "16.12.1zz1"),
    ("nxos", "9.3"),
    ("nxos", "9.3(8) [unterminated"),
    ("asa", "9.8(4)45a"),
    ("asa", "9"),
    ("junos", "21.4R3-S"),
    ("junos", "21.4.2"),
    ("junos", "N/A"),
    ("eos", "4"),
    ("eos", "4.28.3M-"),
    ("iosxr", "7"),
    ("generic", "abc"),
    ("generic", "1..2"),
    ("generic", "1.2-"),
    ("generic", "1.2 3"),
    ("aoscx", "-1.2"),
    ("", "1.2.3"),
    ("io s", "1.2.3"),
    ("ios", "1" * 201),
]


@pytest.mark.parametrize(("family", "a", "b"), EQUAL)
def test_spellings_of_one_release_are_equal(family: str, a: str, b: str) -> None:
    va, vb = parse(family, a), parse(family, b)
    assert va == vb
    assert hash(va) == hash(vb)
    assert va.key == vb.key
    assert compare(va, vb) == 0
    assert va <= vb and va >= vb and not va < vb and not va > vb


@pytest.mark.parametrize(("family", "text", "normalized"), NORMALIZED)
def test_normalized_spelling(family: str, text: str, normalized: str) -> None:
    v = parse(family, text)
    assert v.normalized == normalized
    assert parse(family, normalized) == v


@pytest.mark.parametrize(
    ("family", "chain"), ORDERED, ids=[f"{f}:{c[0]}..{c[-1]}" for f, c in ORDERED]
)
def test_order(family: str, chain: list[str]) -> None:
    versions = [parse(family, text) for text in chain]
    for (i, a), (j, b) in itertools.combinations(enumerate(versions), 2):
        assert i < j
        assert a < b, (a.text, b.text)
        assert b > a and a <= b and b >= a and a != b
        assert compare(a, b) == -1 and compare(b, a) == 1
        assert a.key < b.key
    assert sorted(reversed(versions)) == versions


def test_build_number_does_not_make_a_junos_release_newer() -> None:
    built, plain = parse("junos", "21.4R3-S5.4"), parse("junos", "21.4R3-S5")
    assert not built < plain and not plain < built and built == plain


@pytest.mark.parametrize(("family", "text", "train"), TRAINS)
def test_train(family: str, text: str, train: str) -> None:
    assert parse(family, text).train == train


@pytest.mark.parametrize(("family", "text"), REAL_CASES)
def test_real_strings_parse(family: str, text: str) -> None:
    v = parse(family, text)
    assert v.os_family == family
    assert str(v) == text
    assert parse(family, v.normalized) == v


@pytest.mark.parametrize(("fa", "a", "fb", "b"), INCOMPARABLE)
def test_incomparable(fa: str, a: str, fb: str, b: str) -> None:
    va, vb = parse(fa, a), parse(fb, b)
    assert va != vb
    assert not same_train(va, vb)
    with pytest.raises(IncomparableVersions):
        compare(va, vb)
    with pytest.raises(IncomparableVersions):
        _ = va < vb
    with pytest.raises(IncomparableVersions):
        _ = vb >= va


@pytest.mark.parametrize(
    ("family", "a", "b", "same"),
    [
        ("ios", "15.2(4)E10", "15.2(7b)E0b", True),
        ("ios", "15.2(4)E10", "15.2(4)M1", False),
        ("ios", "12.4(21a)", "12.4(21)", True),
        ("ios", "12.4(21a)", "12.4(15)T8", False),
        ("iosxe", "17.03.04a", "17.3.1", True),
        ("iosxe", "3.16.10S", "3.16.1E", False),
        ("nxos", "7.0(3)I7(9)", "7.0(3)I7(10)", True),
        ("nxos", "7.0(3)I7(9)", "7.0(3)I4(3)", False),
        ("junos", "21.4R3-S5", "21.4", True),
        ("junos", "21.4R3-S5", "21.4R3-S5-EVO", False),
        ("generic", "FL.10.11.1021", "FL.10.13.1000", True),
    ],
)
def test_same_train(family: str, a: str, b: str, same: bool) -> None:
    assert same_train(parse(family, a), parse(family, b)) is same


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("16.12.4", "17.3.1"),
        ("3.16.10S", "16.3.1a"),
        ("3.16.10S", "3.17.1E"),
    ],
)
def test_iosxe_orders_across_trains(a: str, b: str) -> None:
    assert parse("iosxe", a) < parse("iosxe", b)


@pytest.mark.parametrize(("family", "text"), INVALID)
def test_invalid(family: str, text: str) -> None:
    with pytest.raises(InvalidVersion) as info:
        parse(family, text)
    message = str(info.value)
    assert "version" in message
    if text.strip() and len(text) < 80 and text.isprintable() and family.isprintable():
        assert text.strip() in message
        assert family.strip() in message
