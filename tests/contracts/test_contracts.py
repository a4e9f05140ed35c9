"""Contract import, coverage lookups, expiry and the coverage report, on a real fleet."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.contracts.contracts_fleet import ASR, C4948, STACK, register_fleet

from fixright.accounts.service import get_or_create_organization
from fixright.audit.models import AuditEvent
from fixright.contracts import service
from fixright.contracts.csvio import read_contract_csv
from fixright.contracts.models import Contract, CoverageLine
from fixright.errors import InvalidInput

TODAY = date(2025, 6, 1)
# A vendor-style export: BOM, its own header names and order, an extra column.
GOOD = (
    "\ufeffContract Number,Serial Number,Product ID,Service Level,Start Date,End Date,"
    "List Price,Currency,Site\n"
    f"91234,{C4948},WS-C4948E,8X5XNBD,2021-03-02,2024-03-01,\"1,200.00\",USD,Paris\n"
    f"91234,{ASR},ASR1001,8X5XNBD,2022-03-02,2025-07-15,3650.00,USD,Paris\n"
    f"77001,{STACK[0].lower()},WS-C3850-48U,24X7X4,2025-01-01,2025-12-31,730,EUR,Lyon\n"
    f"77001,{STACK[1]},WS-C3850-48U,24X7X4,01-Jan-2025,2025-08-10,730,EUR,Lyon\n"
    "77001,FTX9999ZZZZ,C9300-48P,24X7X4,2025-01-01,2025-12-31,,EUR,Lyon\n"
)


def _counts(session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(t))
                 for t in (Contract, CoverageLine, AuditEvent))


def _import(session, org_id, text, source="contracts.csv"):
    parsed = read_contract_csv(text.encode(), source=source)
    return service.import_rows(session, org_id, parsed.rows, source=source)


def test_import_creates_contracts_and_reports_unknown_serials(session, shared_data) -> None:
    org_id = register_fleet(session, shared_data)
    parsed = read_contract_csv(GOOD.encode(), source="contracts.csv")
    assert parsed.ignored_columns == ["Site"]
    report = service.import_rows(session, org_id, parsed.rows, source="contracts.csv")
    session.commit()
    assert sorted(report.contracts_created) == ["77001", "91234"]
    assert (report.lines_created, report.lines_updated) == (5, 0)
    assert [(r.row, r.serial) for r in report.unknown_serials] == [(6, "FTX9999ZZZZ")]
    contracts = {c.number: c for c in service.list_contracts(session, org_id)}
    old = contracts["91234"]
    assert (old.start, old.end, old.cost, old.lines) == (
        date(2021, 3, 2), date(2025, 7, 15), Decimal("4850.00"), 2)
    assert (contracts["77001"].currency, contracts["77001"].cost) == ("EUR", Decimal("1460.00"))
    assert old.status(TODAY) == "active" and old.status(date(2025, 7, 16)) == "expired"
    # lower-case serial in the file matched the device
    assert STACK[0] in service.coverage_by_serial(session, org_id, [STACK[0]])


def test_reimport_is_idempotent_and_updates_changes(session, shared_data) -> None:
    org_id = register_fleet(session, shared_data)
    _import(session, org_id, GOOD)
    session.commit()
    before = _counts(session)
    again = _import(session, org_id, GOOD)
    assert (again.contracts_created, again.contracts_updated) == ([], [])
    assert (again.lines_created, again.lines_updated, again.lines_unchanged) == (0, 0, 5)
    assert _counts(session)[:2] == before[:2]
    changed = GOOD.replace("2025-08-10", "2026-08-10")
    third = _import(session, org_id, changed)
    assert (third.lines_updated, third.contracts_updated) == (1, ["77001"])
    lines = service.coverage_by_serial(session, org_id, [STACK[1]])[STACK[1]]
    assert [line.end for line in lines] == [date(2026, 8, 10)]
    assert service.list_contracts(session, org_id)[0].end == date(2026, 8, 10)


HEADER = "contract number,service level,serial,product id,start,end,list price,currency\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1,8X5,SN1,PID,2025-13-01,2026-01-01,10,USD\n", "row 2, column start: '2025-13-01' is not a date"),
        ("1,8X5,SN1,PID,2025-01-01,2026-01-01,-10,USD\n", "row 2, column list_price: price '-10' is negative"),
        ("1,8X5,SN1,PID,2025-01-01,2024-01-01,10,USD\n", "row 2, column end: ends 2024-01-01 before it starts 2025-01-01"),
        ("1,8X5,SN1,PID,2025-01-01,2026-01-01,10,USD\n1,8X5,sn1,PID,2025-01-01,2026-01-01,10,USD\n",
         "row 3, column serial: duplicate line: contract 1 serial SN1 is already on row 2"),
        ("1,8X5,SN1,PID,2025-01-01,2026-01-01,10,USD\n1,24X7,SN2,PID,2025-01-01,2026-01-01,10,USD\n",
         "row 3, column service_level: contract 1 has service_level '8X5' on row 2 but '24X7' here"),
        ("1,8X5,,PID,2025-01-01,2026-01-01,10,USD\n", "row 2, column serial: empty"),
        ("1,8X5,SN1,PID,2025-01-01,2026-01-01,850,\n",
         "row 2, column currency: the price 850 has no currency"),
        ("1,8X5,SN1,PID,03/04/2025,2026-01-01,ten,USD\n", "row 2, column start: '03/04/2025'"),
    ],
)
def test_bad_rows_name_row_and_column_and_import_nothing(session, shared_data, body, expected) -> None:
    org_id = register_fleet(session, shared_data)
    _import(session, org_id, GOOD)
    session.commit()
    before = _counts(session)
    with pytest.raises(InvalidInput) as caught:
        _import(session, org_id, HEADER + body)
    assert f"contracts.csv: {expected}" in str(caught.value)
    session.rollback()
    assert _counts(session) == before


def test_missing_column_and_every_error_listed() -> None:
    with pytest.raises(InvalidInput, match=r"row 1: missing column\(s\) end"):
        read_contract_csv(b"contract,sla,serial,pid,start\n1,a,b,c,2025-01-01\n", source="x.csv")
    with pytest.raises(InvalidInput) as caught:
        read_contract_csv((HEADER + "1,a,S1,p,bad,2026-01-01,1,USD\n2,a,S2,p,2025-01-01,bad,-1,USD\n")
                          .encode(), source="x.csv")
    message = str(caught.value)
    assert "row 2, column start" in message and "row 3, column end" in message
    assert "row 3, column list_price" in message
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_contract_csv(HEADER.encode() + "1,a,S\xe9,p,2025-01-01,2026-01-01,1,USD\n"
                          .encode("latin-1"), source="x.csv")


def test_utf16_export_with_bom_is_read() -> None:
    """Excel's "Unicode text" is UTF-16 with a BOM: read it, do not call it binary."""
    text = HEADER + "1,a,S1,p,2025-01-01,2026-01-01,1,USD\n"
    for encoding in ("utf-16", "utf-16-be"):
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        parsed = read_contract_csv(data, source="x.csv")
        assert [row.serial for row in parsed.rows] == ["S1"]


def test_coverage_is_scoped_to_the_organisation(session, shared_data) -> None:
    acme = register_fleet(session, shared_data, "acme")
    # The serials are acme's (one box has one owner); the other's line names one anyway.
    other = get_or_create_organization(session, "other")[0].id
    _import(session, acme, GOOD)
    _import(session, other, HEADER + f"5,8X5,{C4948},WS-C4948E,2025-01-01,2027-01-01,99,USD\n")
    acme_lines = service.coverage_by_serial(session, acme, [C4948])[C4948]
    assert [line.contract_number for line in acme_lines] == ["91234"]
    other_lines = service.coverage_by_serial(session, other)
    assert list(other_lines) == [C4948] and other_lines[C4948][0].contract_number == "5"


def test_expiring_and_renewals(session, shared_data) -> None:
    org_id = register_fleet(session, shared_data)
    _import(session, org_id, GOOD)
    # the ASR's coverage is renewed from the day after it ends, under a new contract
    _import(session, org_id, HEADER + f"91235,8X5XNBD,{ASR},ASR1001,2025-07-16,2026-07-15,3650,USD\n")
    soon = service.expiring(session, org_id, TODAY, 90)
    assert [(e.serial, e.days_left, e.renewed) for e in soon] == [
        (ASR, 44, True), (STACK[1], 70, False)]
    assert service.expiring(session, org_id, TODAY, 30) == []


def test_coverage_report(session, shared_data) -> None:
    org_id = register_fleet(session, shared_data)
    _import(session, org_id, GOOD)
    report = service.coverage_report(session, org_id, TODAY)
    covered = {d.serial: until for d, until in report.covered}
    assert covered == {ASR: date(2025, 7, 15), STACK[0]: date(2025, 12, 31),
                       STACK[1]: date(2025, 8, 10)}
    assert report.devices == len(covered) + len(report.uncovered)
    assert C4948 in {d.serial for d in report.uncovered}  # its contract ended 2024-03-01
    assert [d.serial for d, _ in report.lapsing[30]] == []
    assert [d.serial for d, _ in report.lapsing[60]] == [ASR]
    assert {d.serial for d, _ in report.lapsing[90]} == {ASR, STACK[1]}
    # yearly: 3650 over 1232 days; 730 over 365 days; 730 over 222 days
    assert report.yearly_cost == {
        "USD": (Decimal("3650") * 365 / 1232).quantize(Decimal("0.01")),
        "EUR": Decimal("730.00") + (Decimal("730") * 365 / 222).quantize(Decimal("0.01")),
    }
    levels = {r.service_level: r for r in report.per_service_level}
    assert (levels["24X7X4"].devices, levels["24X7X4"].lines) == (2, 3)
    assert report.lines_on_unknown_serials == 1


def test_pages_of_contracts_filter_by_status_in_sql(session, shared_data) -> None:
    org_id = register_fleet(session, shared_data)
    _import(session, org_id, GOOD)
    _import(session, org_id, HEADER + f"91235,8X5XNBD,{ASR},ASR1001,2025-07-16,2026-07-15,3650,USD\n")
    _import(session, org_id, HEADER + f"10001,8X5XNBD,{C4948},WS-C4948E,2020-01-01,2021-01-01,1,USD\n")
    every = service.list_contracts(session, org_id)
    for day in (TODAY, date(2025, 7, 16), date(2030, 1, 1)):
        for status in ("active", "expired", "future"):
            expected = [c.number for c in every if c.status(day) == status]
            rows, total = service.page_contracts(session, org_id, status=status, today=day,
                                                 limit=50)
            assert [c.number for c in rows] == expected and total == len(expected)
    rows, total = service.page_contracts(session, org_id, limit=2, offset=1)
    assert [c.number for c in rows] == [c.number for c in every][1:3] and total == len(every)
    with pytest.raises(InvalidInput):
        service.page_contracts(session, org_id, status="lapsed", limit=5)
