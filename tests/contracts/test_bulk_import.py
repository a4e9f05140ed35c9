"""Contract import: PostgreSQL's COPY + upsert path leaves the same lines as SQLite's batches."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from fixright.accounts.service import get_or_create_organization
from fixright.contracts.csvio import read_contract_csv
from fixright.contracts.models import Contract, CoverageLine
from fixright.contracts.service import import_rows
from fixright.db import Base, make_engine, make_session_factory

HEADER = "contract,sla,serial,pid,start,end,price,currency\n"
FIRST = HEADER + "".join(
    f"C{i % 7},8X5XNBD,SN{i:05d},WS-C2960X,2024-01-01,2025-12-31,{100 + i},EUR\n"
    for i in range(400))
# Some lines change (dates, price), some stay, some are new; `replace` drops the rest of C1.
SECOND = HEADER + "".join(
    f"C{i % 7},8X5XNBD,SN{i:05d},WS-C2960X,2024-01-01,2026-{1 + i % 12:02d}-28,{100 + i},EUR\n"
    for i in range(0, 600, 3))


def _run(url: str) -> tuple[list[tuple[Any, ...]], list[Any]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine, writes=True)() as session:
            org, _ = get_or_create_organization(session, "acme")
            reports = [import_rows(session, org.id, read_contract_csv(FIRST.encode()).rows).summary(),
                       import_rows(session, org.id, read_contract_csv(SECOND.encode()).rows,
                                   replace=True).summary()]
            session.commit()
            lines = [(c.number, line.serial, line.pid, line.start, line.end, line.cost,
                      line.organization_id)
                     for line, c in session.execute(
                         select(CoverageLine, Contract).join(Contract)
                         .order_by(Contract.number, CoverageLine.serial))]
            contracts = [(c.number, c.start, c.end, c.service_level, c.currency)
                         for c in session.scalars(select(Contract).order_by(Contract.number))]
            return lines, [reports, contracts]
    finally:
        engine.dispose()


def test_copy_upsert_and_batches_store_the_same_lines(
    _postgres_url: str, _sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "c.db"
    shutil.copyfile(_sqlite_template, path)
    lite, lite_rest = _run(f"sqlite:///{path}")
    try:
        pg, pg_rest = _run(_postgres_url)
    finally:
        engine = create_engine(_postgres_url)
        with engine.begin() as conn:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
    assert lite == pg
    assert lite_rest == pg_rest
    assert len(lite) == 200  # replace: only the second file's lines remain
    changed = {(n, s): end for n, s, _p, _s, end, _c, _o in lite}
    assert str(changed[("C3", "SN00003")]) == "2026-04-28"
