"""Device CSV: header-driven, BOM-tolerant, errors naming row and column."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixright.errors import InvalidInput
from fixright.inventory.csvio import CSV_COLUMNS, read_devices_csv
from fixright.output import to_csv

GOOD = (
    "Serial,Vendor,OS_Family,Model,Running_Version,Hostname,Purchase_Date,Notes\n"
    "FOC11111111,cisco,iosxe,WS-C3850-48U,03.06.05E,core1,2019-04-01,rack 3\n"
    "JN1111111,juniper,junos,MX480,21.4R3-S5.4,edge1,,\n"
)


def test_reads_header_driven_rows() -> None:
    rows = read_devices_csv(GOOD, "d.csv")
    assert [(r.row, r.serial, r.vendor, r.running_version) for r in rows] == [
        (2, "FOC11111111", "cisco", "03.06.05E"), (3, "JN1111111", "juniper", "21.4R3-S5.4")
    ]
    assert rows[0].purchase_date is not None and rows[0].purchase_date.isoformat() == "2019-04-01"
    assert rows[1].purchase_date is None and rows[1].licensed_feature_set == "unknown"


def test_bom_and_column_order_do_not_matter() -> None:
    reordered = "notes,vendor,serial,os_family\nx,cisco,ABC123,ios\n"
    assert read_devices_csv("\ufeff" + reordered, "d.csv")[0].serial == "ABC123"
    assert read_devices_csv("\ufeff" + GOOD, "d.csv") == read_devices_csv(GOOD, "d.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("serail,vendor,os_family\n", r"d\.csv: row 1: unknown column\(s\) 'serail'"),
        ("serial,vendor\nA1,cisco\n", r"d\.csv: row 1: missing column\(s\) os_family"),
        ("serial,vendor,os_family\nA1,cisco\n", r"d\.csv: row 2: 2 cells, the header has 3"),
        ("serial,vendor,os_family\n,cisco,ios\n", r"row 2, column serial: empty"),
        ("serial,vendor,os_family,purchase_date\nA1,cisco,ios,01/02/2020\n",
         r"row 2, column purchase_date: '01/02/2020' is not a date"),
        ("serial,vendor,os_family,running_version\nA1,cisco,iosxe,banana\n",
         r"row 2, column running_version: .*'banana'.*iosxe"),
        ("serial,vendor,os_family\nA1,cisco,ios\nB2,cisco,ios\nA1,cisco,ios\n",
         r"row 4, column serial: A1 already on row 2"),
        ("serial,vendor,os_family\nA 1,Cisco Systems,ios\n", r"row 2, column vendor"),
        ("", r"d\.csv: empty CSV file"),
        ("serial,vendor,os_family\n", r"d\.csv: no device rows"),
    ],
)
def test_errors_name_row_and_column(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_devices_csv(text, "d.csv")


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).map(str.strip)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[A-Z0-9]{6,12}", fullmatch=True), cell, cell),
                min_size=1, max_size=5, unique_by=lambda t: t[0]))
def test_export_neutralisation_round_trips(rows: list[tuple[str, str, str]]) -> None:
    """What output.to_csv writes (formula cells neutralised) reads back unchanged."""
    records = [{"serial": s, "vendor": "cisco", "os_family": "ios", "hostname": h, "notes": n}
               for s, h, n in rows]
    text = to_csv(records, list(CSV_COLUMNS))
    back = read_devices_csv(text, "x.csv")
    assert [(r.serial, r.hostname, r.notes) for r in back] == [
        (s, h.strip(), n.strip()) for s, h, n in rows
    ]
