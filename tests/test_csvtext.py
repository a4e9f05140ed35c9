"""Hostile CSV input: bounded work and short, specific messages (contracts and devices)."""

from __future__ import annotations

import pytest

from fixright.contracts.csvio import read_contract_csv
from fixright.csvtext import MAX_COLUMNS, MAX_FIELD_CHARS, choose_delimiter, read_csv
from fixright.errors import InvalidInput
from fixright.inventory.csvio import read_devices_csv

CONTRACT_HEADER = "contract number,service level,serial,product id,start,end\n"
DEVICE_HEADER = "serial,vendor,os_family,model,running_version\n"


def _refused(read, data) -> str:
    with pytest.raises(InvalidInput) as caught:
        read(data)
    message = str(caught.value)
    assert len(message) < 1024, len(message)
    return message


@pytest.mark.timeout(5)
def test_nested_braces_header_does_not_freeze_the_reader() -> None:
    """The 48 KB line that took csv.Sniffer 8 s (and 600 KB: over 60 s)."""
    for depth in (8000, 100_000):
        line = '{"a":' * depth + "1" + "}" * depth + "\n"
        message = _refused(lambda d: read_contract_csv(d, source="h.csv"), line.encode())
        assert message.startswith("h.csv: ")
        assert "missing column" in message or "cell" in message


@pytest.mark.timeout(5)
@pytest.mark.parametrize("reader", ["contracts", "devices"])
def test_a_million_columns_is_one_short_line(reader: str) -> None:
    header = ",".join(f"c{i}" for i in range(1_000_000)) + "\n"
    read = (lambda d: read_contract_csv(d, source="wide.csv")) if reader == "contracts" \
        else (lambda d: read_devices_csv(d, "wide.csv"))
    message = _refused(read, header.encode() if reader == "contracts" else header)
    assert "1000000 columns" in message and "wide.csv: row 1" in message


@pytest.mark.parametrize("reader", ["contracts", "devices"])
def test_a_huge_cell_is_named_not_a_traceback(reader: str) -> None:
    big = "x" * 200_000
    if reader == "contracts":
        text = CONTRACT_HEADER + f"1,gold,{big},p,2025-01-01,2026-01-01\n"
        message = _refused(lambda d: read_contract_csv(d, source="big.csv"), text.encode())
    else:
        text = DEVICE_HEADER + f"{big},cisco,ios,WS-C2960X,15.2(7)E8\n"
        message = _refused(lambda d: read_devices_csv(d, "big.csv"), text)
    assert "big.csv" in message and "row 2" in message
    assert str(MAX_FIELD_CHARS) in message


def test_limits_are_exact() -> None:
    ok = ",".join(f"c{i}" for i in range(MAX_COLUMNS))
    assert len(read_csv(ok + "\n", "x.csv").header) == MAX_COLUMNS
    with pytest.raises(InvalidInput, match=f"{MAX_COLUMNS + 1} columns"):
        read_csv(ok + ",one-more\n", "x.csv")
    cell = "y" * MAX_FIELD_CHARS
    rows = list(read_csv(f"a,b\n{cell},1\n", "x.csv"))
    assert rows == [(2, [cell, "1"])]
    with pytest.raises(InvalidInput, match="row 2"):
        list(read_csv(f"a,b\n{cell}y,1\n", "x.csv"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ('"x;y;z",b,c', ","),  # delimiters inside quotes do not count
        ("single", ","),
        ("a;b,c;d", ";"),
    ],
)
def test_delimiter_is_the_most_frequent_outside_quotes(line: str, expected: str) -> None:
    assert choose_delimiter(line) == expected


def test_semicolon_contract_export_still_reads() -> None:
    text = CONTRACT_HEADER.replace(",", ";") + "1;gold;S1;p;2025-01-01;2026-01-01\n"
    assert [r.serial for r in read_contract_csv(text.encode(), source="x.csv").rows] == ["S1"]
