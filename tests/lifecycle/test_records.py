"""Lifecycle files: our CSV and JSON, Cisco's EoX answer, and bad files named by place."""

from __future__ import annotations

import json
from datetime import date

import pytest

from fixright.errors import InvalidInput
from fixright.lifecycle.cli import sample_path
from fixright.lifecycle.records import milestones, next_milestone, read_lifecycle

CSV = (
    "pid,family,end_of_sale,end_of_sw_maintenance,end_of_security_support,"
    "last_date_of_support,bulletin_url\n"
    "WS-C3750X-48PF-S,,2016-10-30,2017-10-30,2019-10-30,2021-10-31,https://example.org/b\n"
    ",C3750E,,,2019-10-30,,\n"
)


def test_csv_records_by_pid_and_family() -> None:
    records = read_lifecycle(CSV.encode(), "eox.csv")
    assert [r.key for r in records] == ["pid:WS-C3750X-48PF-S", "family:c3750e"]
    assert records[0].end_of_security_support == date(2019, 10, 30)
    assert records[1].end_of_sale is None and records[1].family == "c3750e"


def test_json_list_and_records_object() -> None:
    body = [{"pid": "C9300-48P", "end_of_sale": "2030-01-31"}]
    assert read_lifecycle(json.dumps(body).encode(), "a.json")[0].pid == "C9300-48P"
    wrapped = read_lifecycle(json.dumps({"records": body}).encode(), "b.json")
    assert wrapped[0].end_of_sale == date(2030, 1, 31)


def test_the_shipped_eox_answer() -> None:
    records = read_lifecycle(sample_path().read_bytes(), "sample")
    (record,) = records
    assert record.pid == "WS-C3750X-48PF-S"
    assert record.end_of_security_support == date(2019, 10, 30)
    assert record.last_date_of_support == date(2021, 10, 31)
    assert record.bulletin_url and "eos-eol-notice" in record.bulletin_url


def test_eox_blank_dates_are_unknown_not_errors() -> None:
    body = {"EOXRecord": [{"EOLProductID": "WIC-1T=",
                           "EndOfSaleDate": {"value": "2009-12-28", "dateFormat": "YYYY-MM-DD"},
                           "EndOfSWMaintenanceReleases": {"value": " ", "dateFormat": "YYYY-MM-DD"}}]}
    (record,) = read_lifecycle(json.dumps(body).encode(), "eox.json")
    assert record.end_of_sale == date(2009, 12, 28) and record.end_of_sw_maintenance is None


@pytest.mark.parametrize(("data", "where"), [
    (CSV.replace("2019-10-30,2021", "2019-13-30,2021"), "eox.csv: row 2: end_of_security_support"),
    ("pid,colour\nX,red\n", "eox.csv: row 1: unknown column 'colour'"),
    ("pid,family,end_of_sale\nA,b,2020-01-01\n", "eox.csv: row 2: give exactly one of pid"),
    ("pid,end_of_sale\nA,\n", "eox.csv: row 2: no lifecycle date"),
    ("pid,end_of_sale\nA,2020-01-01\nA,2021-01-01\n", "eox.csv: record 2: pid:A is listed twice"),
    ('{"EOXRecord": [{"EOLProductID": "A", "EndOfSaleDate": {"value": "2020-01-01"}}, '
     '{"EOLProductID": "B", "EndOfSaleDate": {"value": "soon"}}]}', "eox.csv: record 2: end_of_sale"),
    ('[{"pid": "A", "end_of_sale": "2020-01-01", "colour": 1}]', "eox.csv: record 1: unknown field"),
    ('{"EOXRecord": [{"EOXError": {"ErrorID": "SSA_ERR_026", "ErrorDescription": "no"}}]}',
     "eox.csv: record 1: the EoX answer is an error"),
    ('{"EOXRecord": [', "eox.csv: line 1"),
])
def test_bad_files_name_the_place(data: str, where: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_lifecycle(data.encode(), "eox.csv")
    assert str(caught.value).startswith(where), str(caught.value)


def test_milestones_in_order_with_passed_ones_marked() -> None:
    (record, _family) = read_lifecycle(CSV.encode(), "eox.csv")
    steps = milestones(record, date(2018, 1, 1))
    assert [m.name for m in steps if m.passed] == ["end_of_sale", "end_of_sw_maintenance"]
    upcoming = next_milestone(record, date(2018, 1, 1))
    assert upcoming is not None and upcoming.day == date(2019, 10, 30)
    assert next_milestone(record, date(2022, 1, 1)) is None
