"""Device import: PostgreSQL's COPY + upsert path leaves the same rows as SQLite's batches."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from fixright.accounts.service import get_or_create_organization
from fixright.audit.models import AuditEvent
from fixright.db import Base, is_postgres, make_engine, make_session_factory, utcnow
from fixright.inventory import importing, upsert
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.models import Device

HEADER = "serial,vendor,os_family,model,running_version,hostname,licensed_feature_set,notes\n"
FIRST = HEADER + "".join(
    f"SN{i:05d},cisco,ios,WS-C2960X-48FPD-L,15.2(7)E{i % 5 + 1},sw{i},lanbase,n{i}\n"
    for i in range(300))
# Changes some, leaves others alone, empties cells (which must not erase), adds new ones.
SECOND = HEADER + "".join(
    f"SN{i:05d},cisco,ios,WS-C2960X-48FPD-L,15.2(7)E{i % 3 + 1},,,\n" for i in range(0, 400, 2))


def _state(session: Session) -> list[tuple[Any, ...]]:
    """Every device's columns (ids aside: PostgreSQL's upsert draws sequence values)."""
    rows = session.execute(select(Device).order_by(Device.serial)).scalars()
    return [(d.organization_id, d.vendor, d.serial, d.os_family, d.model, d.platform,
             d.platform_stated, d.hostname, d.running_version, d.licensed_feature_set, d.image_file,
             d.purchase_date, d.notes, d.source, d.retired_at) for d in rows]


def _run(url: str) -> tuple[list[tuple[Any, ...]], list[Any]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine, writes=True)() as session:
            org, _ = get_or_create_organization(session, "acme")
            reports = []
            for text_ in (FIRST, SECOND):
                reports.append(importing.import_csv_rows(session, org.id,
                                                         read_devices_csv(text_, "f.csv")))
            session.commit()
            audit = [e.data for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "inventory:devices:import")
                .order_by(AuditEvent.seq))]
            summaries = [r.summary() for r in reports]
            assert is_postgres(session) == url.startswith("postgresql")
            return _state(session), [summaries, audit]
    finally:
        engine.dispose()


def test_copy_upsert_and_batches_store_the_same(
    _postgres_url: str, _sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "f.db"
    shutil.copyfile(_sqlite_template, path)
    lite, lite_reports = _run(f"sqlite:///{path}")
    try:
        pg, pg_reports = _run(_postgres_url)
    finally:
        engine = create_engine(_postgres_url)
        with engine.begin() as conn:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
    assert len(lite) == 350
    assert lite == pg
    assert lite_reports == pg_reports
    by_serial = {row[2]: row for row in pg}
    # an empty cell kept the stored value; a changed version was stored
    assert by_serial["SN00000"][7] == "sw0" and by_serial["SN00000"][12] == "n0"
    assert by_serial["SN00004"][8] == "15.2(7)E2"


def _truncate(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def test_a_new_chunk_that_meets_a_stored_serial_falls_back_to_the_upsert(
    _postgres_url: str,
) -> None:
    """A chunk none of whose serials the lookup found goes in by plain COPY; if another
    import stored one of them meanwhile, the COPY fails inside a savepoint and the
    upsert stores the chunk instead: no error, no duplicate, the newer values kept."""
    engine = make_engine(_postgres_url)
    try:
        with make_session_factory(engine, writes=True)() as session:
            org, _ = get_or_create_organization(session, "acme")
            importing.import_csv_rows(session, org.id, read_devices_csv(FIRST, "f.csv"))

            def record(serial: str, hostname: str) -> dict[str, Any]:
                values: dict[str, Any] = dict.fromkeys(upsert.TRACKED_FIELDS, "")
                values["purchase_date"] = None
                values["platform_stated"] = False
                values.update(os_family="ios", model="WS-C2960X-48FPD-L", hostname=hostname,
                              running_version="15.2(7)E9")
                return values

            latest = {("cisco", "SN00000"): record("SN00000", "moved"),
                      ("cisco", "SN99999"): record("SN99999", "new")}
            # As if the lookup ran before another import stored SN00000: existing = {}.
            upsert.copy_upsert_devices(session, org.id, "csv", utcnow(), latest, existing={})
            session.commit()
            stored = {d.serial: d for d in session.scalars(select(Device))}
        assert len(stored) == 301
        assert stored["SN00000"].hostname == "moved"
        assert stored["SN00000"].running_version == "15.2(7)E9"
        assert stored["SN99999"].hostname == "new"
    finally:
        engine.dispose()
        _truncate(_postgres_url)
