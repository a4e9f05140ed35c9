"""Contract operations: import, listing, expiry, coverage per serial, the coverage report.

Functions take a `Session` and never commit. Every query is scoped by
`organization_id`. Coverage dates are inclusive: a line from 2024-03-02 to
2025-03-01 covers both days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.orm import Session

from fixright.audit import service as audit
from fixright.contracts.csvio import CoverageRow
from fixright.contracts.models import Contract, CoverageLine
from fixright.db import copy_upsert, is_postgres
from fixright.errors import InvalidInput
from fixright.inventory.models import Device

_CHUNK = 5000


@dataclass(frozen=True)
class DeviceRef:
    """A registered device, as far as contracts care."""

    id: int
    serial: str
    model: str | None
    platform: str | None


def org_devices(session: Session, organization_id: int) -> list[DeviceRef]:
    """The organisation's registered devices, serials upper-case."""
    rows = session.execute(
        select(Device.id, Device.serial, Device.model, Device.platform)
        .where(Device.organization_id == organization_id, Device.retired_at.is_(None))
    ).all()
    return [DeviceRef(r[0], r[1].upper(), r[2], r[3]) for r in rows]


@dataclass
class ImportReport:
    """What an import did; `unknown_serials` are kept but name no registered device."""

    contracts_created: list[str] = field(default_factory=list)
    contracts_updated: list[str] = field(default_factory=list)
    lines_created: int = 0
    lines_updated: int = 0
    lines_unchanged: int = 0
    lines_removed: int = 0
    unknown_serials: list[CoverageRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """What the import did, said for people: "Imported 12 contract lines: 10 new, 2 updated."."""
        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"
        lines = self.lines_created + self.lines_updated + self.lines_unchanged
        parts = [f"{self.lines_created} new", f"{self.lines_updated} updated"]
        parts += [f"{self.lines_unchanged} unchanged"] if self.lines_unchanged else []
        parts += ([f"{self.lines_removed} removed (no longer in the file)"]
                  if self.lines_removed else [])
        text = f"Imported {count(lines, 'contract line')}: {', '.join(parts)}."
        created, updated = len(self.contracts_created), len(self.contracts_updated)
        if created or updated:
            text += (f" Contracts: {created} new, {updated} updated.")
        if self.unknown_serials:
            text += (f" {count(len(self.unknown_serials), 'line')} name a serial with no "
                     "registered device (kept).")
        return text

    def summary(self) -> dict[str, object]:
        return {
            "contracts_created": len(self.contracts_created),
            "contracts_updated": len(self.contracts_updated),
            "lines_created": self.lines_created,
            "lines_updated": self.lines_updated,
            "lines_unchanged": self.lines_unchanged,
            "lines_removed": self.lines_removed,
            "unknown_serials": len(self.unknown_serials),
        }


def import_rows(
    session: Session,
    organization_id: int,
    rows: list[CoverageRow],
    *,
    actor: str = "system",
    provider: str | None = None,
    source: str = "<csv>",
    replace: bool = False,
) -> ImportReport:
    """Create or update contracts and their lines from validated rows; idempotent.

    A contract is found by (organisation, number) and a line by (contract,
    serial). Lines already stored but absent from `rows` are kept, or with
    `replace` removed (only from the contracts `rows` name: a file about one
    contract leaves the others alone). Records
    one audit event. All-or-nothing within the caller's transaction.
    """
    report = ImportReport()
    by_contract: dict[str, list[CoverageRow]] = defaultdict(list)
    for row in rows:
        by_contract[row.contract_number].append(row)
    existing = {
        c.number: c
        for c in session.scalars(
            select(Contract).where(Contract.organization_id == organization_id,
                                   Contract.number.in_(list(by_contract)))
        )
    }
    for number, group in by_contract.items():
        first = group[0]
        contract = existing.get(number)
        values = {"service_level": first.service_level, "currency": first.currency,
                  "provider": first.provider or provider}
        if contract is None:
            contract = Contract(organization_id=organization_id, number=number,
                                start=first.start, end=first.end, **values)
            session.add(contract)
            existing[number] = contract
            report.contracts_created.append(number)
        elif any(getattr(contract, k) != v for k, v in values.items() if v is not None):
            for key, value in values.items():
                if value is not None:
                    setattr(contract, key, value)
            report.contracts_updated.append(number)
    session.flush()
    ids = {c.id: c for c in existing.values() if c.number in by_contract}
    stored: dict[tuple[int, str], tuple[int, str, date, date, Decimal | None]] = {}
    for line in session.execute(
        select(CoverageLine.id, CoverageLine.contract_id, CoverageLine.serial, CoverageLine.pid,
               CoverageLine.start, CoverageLine.end, CoverageLine.cost)
        .where(CoverageLine.contract_id.in_(list(ids)))
    ):
        stored[(line.contract_id, line.serial)] = (line.id, line.pid, line.start, line.end,
                                                   line.cost)
    inserts, updates = [], []
    for row in rows:
        contract_id = existing[row.contract_number].id
        new = (row.product_id, row.start, row.end, row.list_price)
        old = stored.get((contract_id, row.serial))
        if old is None:
            inserts.append({"contract_id": contract_id, "organization_id": organization_id,
                            "serial": row.serial, "pid": row.product_id, "start": row.start,
                            "end": row.end, "cost": row.list_price})
            stored[(contract_id, row.serial)] = (0, *new)
        elif old[1:] != new:
            updates.append({"id": old[0], "pid": row.product_id, "start": row.start,
                            "end": row.end, "cost": row.list_price})
            stored[(contract_id, row.serial)] = (old[0], *new)
        else:
            report.lines_unchanged += 1
    if replace:
        in_file = {(existing[r.contract_number].id, r.serial) for r in rows}
        gone = [key for key in stored if key not in in_file]
        removed_ids = [stored.pop(key)[0] for key in gone]
        for chunk in range(0, len(removed_ids), 1000):
            session.execute(delete(CoverageLine)
                            .where(CoverageLine.id.in_(removed_ids[chunk:chunk + 1000]))
                            .execution_options(synchronize_session=False))
        report.lines_removed = len(removed_ids)
    if is_postgres(session):
        # One COPY and one upsert on (contract, serial) for every new or changed line.
        columns = ["contract_id", "organization_id", "serial", "pid", "start", "end", "cost"]
        by_id = {u["id"]: u for u in updates}
        changed = [(contract_id, organization_id, serial, u["pid"], u["start"], u["end"],
                    u["cost"])
                   for (contract_id, serial), (line_id, *_rest) in stored.items()
                   if (u := by_id.get(line_id)) is not None]
        copy_upsert(session, CoverageLine.__tablename__, columns,
                    [tuple(i[c] for c in columns) for i in inserts] + changed,
                    conflict=["contract_id", "serial"], update=["pid", "start", "end", "cost"])
    else:
        if inserts:
            session.execute(insert(CoverageLine), inserts)
        if updates:
            session.execute(update(CoverageLine), updates)
    report.lines_created, report.lines_updated = len(inserts), len(updates)
    # A contract spans its lines; its cost is the sum of their list prices.
    spans: dict[int, list[tuple[date, date, Decimal | None]]] = defaultdict(list)
    for (contract_id, _serial), (_id, _pid, start, end, cost) in stored.items():
        spans[contract_id].append((start, end, cost))
    for contract_id, contract in ids.items():
        lines = spans[contract_id]
        costs = [c for _s, _e, c in lines if c is not None]
        span = (min(s for s, _e, _c in lines), max(e for _s, e, _c in lines),
                sum(costs, Decimal(0)) if costs else None)
        if (contract.start, contract.end, contract.cost) != span:
            contract.start, contract.end, contract.cost = span
            if contract.number not in report.contracts_created + report.contracts_updated:
                report.contracts_updated.append(contract.number)
    session.flush()
    for contract in ids.values():  # bulk statements bypassed these collections
        session.expire(contract, ["lines"])
    known = {d.serial for d in org_devices(session, organization_id)}
    report.unknown_serials = [r for r in rows if r.serial not in known]
    # Like device and advisory imports: a re-import that changes nothing is not an event.
    if (report.contracts_created or report.contracts_updated or report.lines_created
            or report.lines_updated):
        audit.record(session, actor=actor, organization_id=organization_id,
                     action="contracts:contract:import", subject=source,
                     data={**report.summary(), "contracts": sorted(by_contract)[:100]})
    session.flush()
    return report


@dataclass(frozen=True)
class CoverageInfo:
    """One coverage line with its contract's terms, for other domains."""

    contract_number: str
    service_level: str
    provider: str | None
    serial: str
    pid: str
    start: date
    end: date
    cost: Decimal | None
    currency: str | None

    def active_on(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def yearly_cost(self) -> Decimal | None:
        """The line's price spread over its term, per 365 days."""
        if self.cost is None:
            return None
        days = (self.end - self.start).days + 1
        return (self.cost * 365 / days).quantize(Decimal("0.01"))


def _coverage_query(organization_id: int) -> Any:
    return (
        select(Contract.number, Contract.service_level, Contract.provider, CoverageLine.serial,
               CoverageLine.pid, CoverageLine.start, CoverageLine.end, CoverageLine.cost,
               Contract.currency)
        .join(Contract, Contract.id == CoverageLine.contract_id)
        .where(CoverageLine.organization_id == organization_id)
    )


def coverage_by_serial(
    session: Session, organization_id: int, serials: Iterable[str] | None = None
) -> dict[str, list[CoverageInfo]]:
    """Every coverage line of the organisation, grouped by upper-case serial, in bulk.

    `serials=None` loads all of them (one query); otherwise only those
    serials (one query per 5,000). Serials without lines are absent.
    """
    result: dict[str, list[CoverageInfo]] = defaultdict(list)
    query = _coverage_query(organization_id)
    if serials is None:
        batches = [query]
    else:
        wanted = sorted({s.upper() for s in serials})
        batches = [query.where(CoverageLine.serial.in_(wanted[i:i + _CHUNK]))
                   for i in range(0, len(wanted), _CHUNK)]
    for batch in batches:
        for row in session.execute(batch):
            result[row.serial].append(CoverageInfo(*row))
    for lines in result.values():
        lines.sort(key=lambda c: (c.start, c.end))
    return dict(result)


@dataclass(frozen=True)
class ContractSummary:
    number: str
    provider: str | None
    service_level: str
    start: date
    end: date
    lines: int
    cost: Decimal | None
    currency: str | None

    def status(self, today: date) -> str:
        if self.end < today:
            return "expired"
        return "future" if self.start > today else "active"


CONTRACT_STATUSES = ("active", "expired", "future")


def _contracts_query(organization_id: int, status: str | None, today: date
                     ) -> Select[*tuple[Any, ...]]:
    counts = (select(CoverageLine.contract_id, func.count().label("n"))
              .group_by(CoverageLine.contract_id).subquery())
    query = (
        select(Contract.number, Contract.provider, Contract.service_level, Contract.start,
               Contract.end, func.coalesce(counts.c.n, 0), Contract.cost, Contract.currency)
        .outerjoin(counts, counts.c.contract_id == Contract.id)
        .where(Contract.organization_id == organization_id)
    )
    # The same rule as `ContractSummary.status`, in SQL.
    if status == "expired":
        query = query.where(Contract.end < today)
    elif status == "future":
        query = query.where(Contract.end >= today, Contract.start > today)
    elif status == "active":
        query = query.where(Contract.end >= today, Contract.start <= today)
    elif status is not None:
        raise InvalidInput(f"status {status!r} is not one of {', '.join(CONTRACT_STATUSES)}")
    return query


def list_contracts(session: Session, organization_id: int) -> list[ContractSummary]:
    """The organisation's contracts with their line counts, by number."""
    rows = session.execute(
        _contracts_query(organization_id, None, date.today()).order_by(Contract.number)
    ).all()
    return [ContractSummary(*row) for row in rows]


def page_contracts(
    session: Session,
    organization_id: int,
    *,
    limit: int,
    offset: int = 0,
    status: str | None = None,
    today: date | None = None,
) -> tuple[list[ContractSummary], int]:
    """One page of `list_contracts` (only those in `status` on `today` when given) and the
    number matching on every page, both from SQL."""
    query = _contracts_query(organization_id, status, today or date.today())
    rows = session.execute(query.order_by(Contract.number).limit(limit).offset(offset)).all()
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    return [ContractSummary(*row) for row in rows], int(total or 0)


def covered_until(lines: Iterable[CoverageInfo], today: date) -> date | None:
    """The last day of unbroken coverage starting today (renewals that follow on count)."""
    ordered = sorted(lines, key=lambda c: c.start)
    until: date | None = None
    for line in ordered:
        if until is None:
            if line.active_on(today):
                until = line.end
        elif line.start.toordinal() <= until.toordinal() + 1 and line.end > until:
            until = line.end
    return until


@dataclass(frozen=True)
class ExpiringLine:
    contract_number: str
    service_level: str
    serial: str
    pid: str
    end: date
    days_left: int
    renewed: bool
    """Another line continues this serial's coverage past `end`."""


def expiring(
    session: Session, organization_id: int, today: date, within_days: int
) -> list[ExpiringLine]:
    """Coverage lines ending between today and `within_days` from now, soonest first."""
    result = []
    for serial, lines in coverage_by_serial(session, organization_id).items():
        until = covered_until(lines, today)
        for line in lines:
            days_left = (line.end - today).days
            if 0 <= days_left <= within_days:
                result.append(ExpiringLine(
                    line.contract_number, line.service_level, serial, line.pid, line.end,
                    days_left, until is not None and until > line.end))
    return sorted(result, key=lambda e: (e.end, e.contract_number, e.serial))


LAPSE_WINDOWS = (30, 60, 90)


@dataclass(frozen=True)
class ServiceLevelRow:
    service_level: str
    devices: int
    lines: int
    yearly_cost: dict[str, Decimal]


@dataclass
class _LevelTally:
    devices: set[str] = field(default_factory=set)
    lines: int = 0
    cost: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))


@dataclass
class CoverageReport:
    """An organisation's coverage on `today`: who is covered, who lapses soon, what it costs.

    `lapsing[n]` lists covered devices whose unbroken coverage ends within n
    days (cumulative: the 90-day list includes the 30-day one). Costs are per
    year (each line's price spread over its term) and per currency, counting
    the lines active today.
    """

    today: date
    devices: int
    covered: list[tuple[DeviceRef, date]]
    uncovered: list[DeviceRef]
    lapsing: dict[int, list[tuple[DeviceRef, date]]]
    yearly_cost: dict[str, Decimal]
    per_service_level: list[ServiceLevelRow]
    lines_on_unknown_serials: int
    # The same yearly cost per contract number: these add up to `yearly_cost`.
    yearly_cost_by_contract: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def summary_rows(self) -> list[dict[str, object]]:
        """One row per measure, for `report coverage`."""
        def money(costs: dict[str, Decimal]) -> str:
            return ", ".join(f"{v} {k}" for k, v in sorted(costs.items())) or "0"
        rows: list[dict[str, object]] = [
            {"measure": "devices", "value": self.devices},
            {"measure": "covered today", "value": len(self.covered)},
            {"measure": "uncovered", "value": len(self.uncovered)},
        ]
        rows += [{"measure": f"lapsing within {n} days", "value": len(self.lapsing[n])}
                 for n in LAPSE_WINDOWS]
        rows.append({"measure": "yearly cost", "value": money(self.yearly_cost)})
        rows += [{"measure": f"service level {r.service_level}",
                  "value": f"{r.devices} devices, {r.lines} lines, {money(r.yearly_cost)}/year"}
                 for r in self.per_service_level]
        rows.append({"measure": "lines on serials not in inventory",
                     "value": self.lines_on_unknown_serials})
        return rows


def coverage_report(session: Session, organization_id: int, today: date) -> CoverageReport:
    """Covered and uncovered devices, lapses within 30/60/90 days, yearly cost, per level."""
    devices = org_devices(session, organization_id)
    coverage = coverage_by_serial(session, organization_id)
    known = {d.serial for d in devices}
    covered: list[tuple[DeviceRef, date]] = []
    uncovered: list[DeviceRef] = []
    for device in sorted(devices, key=lambda d: d.serial):
        until = covered_until(coverage.get(device.serial, ()), today)
        if until is None:
            uncovered.append(device)
        else:
            covered.append((device, until))
    lapsing = {n: [(d, u) for d, u in covered if (u - today).days <= n] for n in LAPSE_WINDOWS}
    total: dict[str, Decimal] = defaultdict(Decimal)
    levels: dict[str, _LevelTally] = defaultdict(_LevelTally)
    by_contract: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for serial, lines in coverage.items():
        for line in lines:
            if not line.active_on(today):
                continue
            tally = levels[line.service_level]
            tally.lines += 1
            if serial in known:
                tally.devices.add(serial)
            if line.yearly_cost is not None:
                currency = line.currency or "?"
                total[currency] += line.yearly_cost
                tally.cost[currency] += line.yearly_cost
                by_contract[line.contract_number][currency] += line.yearly_cost
    per_level = [ServiceLevelRow(name, len(t.devices), t.lines, dict(t.cost))
                 for name, t in sorted(levels.items())]
    unknown = sum(len(lines) for serial, lines in coverage.items() if serial not in known)
    return CoverageReport(today, len(devices), covered, uncovered, lapsing, dict(total),
                          per_level, unknown, {k: dict(v) for k, v in by_contract.items()})
