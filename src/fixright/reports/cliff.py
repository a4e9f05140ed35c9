"""`fixright report cliff` and the /cliff page: per device and policy, the day the device can
no longer obtain fixes, and how many devices fall off each quarter.

Devices are grouped by situation (model, image family, licence known, coverage lines):
the cliff of a situation under a policy is computed once (`entitlement.cliff`, pure) and
fanned out, and rows are yielded one by one so a fleet of 100,000 never sits in memory
as text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.clikit import app_context
from fixright.contracts.cli import parse_today
from fixright.contracts.service import coverage_by_serial
from fixright.entitlement import service as entitlement
from fixright.entitlement.cliff import NEVER, NONE, Cliff, SecuritySupport, cliff, licence_known
from fixright.entitlement.facts import CoverageFacts
from fixright.entitlement.policy import Policy
from fixright.entitlement.presets import PRESETS
from fixright.inventory.models import Device
from fixright.inventory.service import resolve_organization
from fixright.lifecycle import service as lifecycle
from fixright.lifecycle.service import DeviceLifecycle
from fixright.output import Format, emit

COLUMNS = ["organization_id", "serial", "hostname", "model", "policy", "cliff", "status",
           "reason"]


def security_support(found: DeviceLifecycle | None) -> SecuritySupport | None:
    """The vendor's last day of security fixes for a device, from its lifecycle dates."""
    if found is None:
        return None
    record = found.record
    if record.end_of_security_support is not None:
        return SecuritySupport(record.end_of_security_support,
                               f"end of security support "
                               f"({found.sources['end_of_security_support']})")
    if record.last_date_of_support is not None:
        return SecuritySupport(record.last_date_of_support,
                               f"last date of support ({found.sources['last_date_of_support']}; "
                               f"no end of security support known)")
    return None


@dataclass(frozen=True)
class CliffRow:
    organization_id: int
    serial: str
    hostname: str | None
    model: str | None
    cliff: Cliff


def resolve_policies(session: Session, names: Sequence[str]) -> list[Policy]:
    """The named policies (stored or presets); the active one and every preset by default."""
    if names:
        return [entitlement.get_policy(session, name) for name in names]
    active_name, active = entitlement.active_policy(session)
    chosen = [active]
    chosen += [entitlement.get_policy(session, n) for n in PRESETS if n != active_name]
    return chosen


def cliff_rows(session: Session, organization_id: int | None, policies: Sequence[Policy],
               today: date) -> Iterator[CliffRow]:
    """Per device (of one organisation, or all when None) and policy, its cliff; streamed."""
    index = lifecycle.load_index(session)
    query = (select(Device.organization_id, Device.serial, Device.hostname, Device.model,
                    Device.platform, Device.licensed_feature_set)
             .where(Device.retired_at.is_(None))
             .order_by(Device.organization_id, Device.serial))
    if organization_id is not None:
        query = query.where(Device.organization_id == organization_id)
    coverage: dict[int, dict[str, tuple[CoverageFacts, ...]]] = {}
    memo: dict[tuple[Any, ...], list[Cliff]] = {}
    for org, serial, hostname, model, platform, licence in session.execute(
            query.execution_options(yield_per=5000)):
        if org not in coverage:
            coverage[org] = {s: tuple(CoverageFacts(c.contract_number, c.start, c.end,
                                                    c.service_level) for c in lines)
                             for s, lines in coverage_by_serial(session, org).items()}
        lines = coverage[org].get(serial.upper(), ())
        licensed = licence_known(licence)
        key = ((model or "").upper(), (platform or "").lower(), licensed, lines)
        cliffs = memo.get(key)
        if cliffs is None:
            security = security_support(index.for_device(model, platform))
            cliffs = memo[key] = [cliff(p, lines, today, licensed=licensed, security=security)
                                  for p in policies]
        for found in cliffs:
            yield CliffRow(org, serial, hostname, model, found)


def as_dict(row: CliffRow) -> dict[str, Any]:
    c = row.cliff
    return {"organization_id": row.organization_id, "serial": row.serial,
            "hostname": row.hostname, "model": row.model, "policy": c.policy,
            "cliff": c.day.isoformat() if c.day else ("never" if c.status == NEVER else None),
            "status": c.status, "reason": c.reason}


@dataclass
class Timeline:
    """Per policy: devices falling off per quarter (from today on), passed, no access, never."""

    today: date
    policies: list[str]
    quarters: list[str]
    falls: dict[str, Counter[str]]
    passed: Counter[str]
    none: Counter[str]
    never: Counter[str]
    devices: int


def timeline(rows: Iterator[CliffRow], policies: Sequence[Policy], today: date,
             *, horizon: int = 16) -> Timeline:
    """How many devices fall off each quarter (the next `horizon` quarters) per policy."""
    names = [p.name for p in policies]
    falls: dict[str, Counter[str]] = {n: Counter() for n in names}
    passed: Counter[str] = Counter()
    none: Counter[str] = Counter()
    never: Counter[str] = Counter()
    count = 0
    for row in rows:
        c = row.cliff
        if c.policy == names[0]:
            count += 1
        if c.status == NEVER:
            never[c.policy] += 1
        elif c.status == NONE:
            none[c.policy] += 1
        elif c.day is not None and c.day < today:
            passed[c.policy] += 1
        elif c.day is not None:
            falls[c.policy][_quarter(c.day)] += 1
    quarters = []
    year, q = today.year, (today.month - 1) // 3 + 1
    for _ in range(horizon):
        quarters.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    # Later quarters are summed into the last column, so nothing is lost.
    last = quarters[-1]
    for counter in falls.values():
        late = sum(v for k, v in counter.items() if k > last)
        for k in [k for k in counter if k > last]:
            del counter[k]
        if late:
            counter[last] += late
    return Timeline(today, names, quarters, falls, passed, none, never, count)


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def cliff_command(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    all_orgs: bool = typer.Option(False, "--all", help="Every organisation (operators)."),
    policy: list[str] = typer.Option([], "--policy", "-p", help=(
        "Policy name (repeatable); default the active policy and every preset.")),
    today: str | None = typer.Option(None, "--today", help="Pretend today is this ISO date."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Per device and policy: the day it can no longer obtain fixes, and why ("never" when none)."""
    day = parse_today(today)
    with app_context(ctx).session(writes=False) as session:
        organization_id = None if all_orgs else resolve_organization(session, org).id
        policies = resolve_policies(session, policy)
        rows = (as_dict(r) for r in cliff_rows(session, organization_id, policies, day))
        emit(rows, COLUMNS, fmt, title="Fix-access cliff")
