"""The fix access page: what each policy means for a fleet, in cells people can read.

Built on `entitlement.fleet.compare_policies`: every device with an advisory
falls in one cell per policy ("may download its fix", "needs a contract",
"refused even with a contract", "no fix published for this hardware",
"triaged as not affected"). An owner sees their fleet; the operator sees one
owner or every owner summed (the whole portal). The same numbers make the
preview shown before a policy is activated (current against proposed).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, select
from sqlalchemy.orm import Session

from fixright.accounts.models import ROLE_OWNER, Organization
from fixright.advisories.cache import load_index
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.models import KevEntry
from fixright.catalog.models import Image, Release
from fixright.contracts.models import Contract, CoverageLine
from fixright.entitlement import service as entitlement
from fixright.entitlement.fleet import PolicyOutcome, compare_policies
from fixright.entitlement.policy import Policy
from fixright.entitlement.presets import PRESETS, load_preset
from fixright.errors import NotFound
from fixright.hardware import active_catalogue
from fixright.inventory.models import Device
from fixright.triage.models import Triage


@dataclass(frozen=True)
class Category:
    """One cell kind: its URL slug, the fleet outcome's cell, a header and what it means."""

    slug: str
    cell: str
    header: str
    meaning: str


CATEGORIES = (
    Category("may-download", "allowed", "May download its fix",
             "The policy lets the device's owner download the release that fixes its "
             "advisories."),
    Category("needs-contract", "needs_contract", "Needs a contract",
             "Refused today; a service contract on the device would let it download its fix."),
    Category("refused", "refused", "Refused even with a contract",
             "Refused, and a contract would not change that (the release kind, the licence "
             "or unknown hardware stand in the way)."),
    Category("no-fix", "no_fix", "No fix published for this hardware",
             "No release that fixes the device's advisories is known for its hardware: no "
             "policy can help, so these devices are not counted as blocked."),
    Category("triaged", "triaged", "Triaged as not affected",
             "Every advisory of the device was triaged not affected (or fixed)."),
)
"""The cells that partition the devices with an advisory, in chart order."""
VIA_CONTRACT = Category(
    "via-contract", "via_contract", "Of which only through a contract",
    "May download its fix, but only because a service contract covers the device today.")
BY_SLUG = {c.slug: c for c in (*CATEGORIES, VIA_CONTRACT)}


@dataclass(frozen=True)
class Segment:
    """A part of a policy's bar: its category and where it lies, in percent of the bar."""

    category: Category
    count: int
    x: float
    width: float


@dataclass
class Column:
    """One policy over the chosen fleet."""

    policy: str
    description: str
    active: bool
    counts: dict[str, int] = field(default_factory=dict)
    """cell -> devices in it."""
    devices: dict[str, list[int]] = field(default_factory=dict)
    cost: dict[str, Decimal] = field(default_factory=dict)
    """currency -> yearly cost of the contracts the allowed devices rely on."""

    @property
    def total(self) -> int:
        """Devices with at least one advisory (before triage)."""
        return sum(self.counts.get(c.cell, 0) for c in CATEGORIES)

    @property
    def with_fix(self) -> int:
        """Exposed devices for which a fix is published: those a policy decides about."""
        return sum(self.counts.get(c, 0) for c in ("allowed", "needs_contract", "refused"))

    @property
    def share_may_download(self) -> float | None:
        """Of the exposed devices with a published fix, the share that may download it."""
        return self.counts.get("allowed", 0) / self.with_fix if self.with_fix else None

    @property
    def blocked(self) -> int:
        return self.counts.get("needs_contract", 0) + self.counts.get("refused", 0)

    def segments(self) -> list[Segment]:
        """The bar: each non-empty category's share of `total`, left to right."""
        out: list[Segment] = []
        x = 0.0
        for category in CATEGORIES:
            count = self.counts.get(category.cell, 0)
            if not count or not self.total:
                continue
            width = 100 * count / self.total
            out.append(Segment(category, count, round(x, 3), round(width, 3)))
            x += width
        return out


@dataclass(frozen=True)
class Scope:
    """Whose devices: one organisation, or every owner (`slug` None)."""

    label: str
    slug: str | None
    organization_ids: tuple[int, ...]


def owners(session: Session) -> list[Organization]:
    """The owner organisations, by slug: the operator's choices."""
    return list(session.scalars(select(Organization).where(Organization.role == ROLE_OWNER)
                                .order_by(Organization.slug)))


def scope_for(session: Session, *, organization_id: int, is_operator: bool,
              slug: str | None) -> Scope:
    """An owner always gets their own fleet; the operator one owner by slug or, without
    one, every owner. An unknown slug is `NotFound`."""
    if not is_operator:
        org = session.get(Organization, organization_id)
        if org is None:
            raise NotFound("no such organisation")
        return Scope(org.name or org.slug, org.slug, (org.id,))
    every = owners(session)
    if not slug:
        return Scope("every owner (the whole portal)", None, tuple(o.id for o in every))
    for org in every:
        if org.slug == slug:
            return Scope(org.name or org.slug, org.slug, (org.id,))
    raise NotFound(f"no owner organisation {slug!r}")


def policies_to_compare(session: Session) -> tuple[str, list[Policy]]:
    """The active policy's name, and the active policy followed by every other preset."""
    active_name, active = entitlement.active_policy(session)
    chosen = [active, *(load_preset(name) for name in PRESETS if name != active_name)]
    return active_name, chosen


def compare(session: Session, scope: Scope, policies: Sequence[Policy], *, today: date,
            active: str | None = None) -> list[Column]:
    """Each policy over the scope's devices, organisations summed."""
    columns = [Column(p.name, p.description, p.name == active) for p in policies]
    if not scope.organization_ids:
        return columns
    index = load_index(session)
    for organization_id in scope.organization_ids:
        outcomes = _outcomes(session, organization_id, policies, today=today, index=index)
        for column, outcome in zip(columns, outcomes, strict=True):
            for cell, ids in outcome.cells.items():
                column.counts[cell] = column.counts.get(cell, 0) + len(ids)
                column.devices.setdefault(cell, []).extend(ids)
            for currency, amount in outcome.contract_cost_per_year.items():
                column.cost[currency] = column.cost.get(currency, Decimal(0)) + amount
    return columns


# -- a warm page: the comparison again only when what it reads has changed -------------
#
# Comparing six policies over 10,000 devices takes seconds; the page is read far more
# often than the fleet changes. Each worker keeps the last answers, keyed by a digest of
# every row the comparison reads (devices, coverage, contracts, triage, releases, images,
# KEV entries), the advisory index in use, the hardware catalogue, the policies and the
# day. Any change to those rows changes the key, so an answer is never stale; another
# worker merely computes its own.

_CACHE: OrderedDict[tuple[object, ...], tuple[AdvisoryIndex, list[PolicyOutcome]]] = (
    OrderedDict())
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 32
MEMOISE = True  # tests turn this off to compare with a fresh computation
AnySelect = Select[*tuple[Any, ...]]


def _digest_of(session: Session, query: AnySelect) -> str:
    """The rows of `query` joined into one text by the database: one row comes back, so
    the digest costs a scan, not ten thousand Python objects. Rows are concatenated in
    the order read; an order that differed would only cost a recomputation."""
    columns: list[ColumnElement[str]] = [func.coalesce(cast(c, String), "")
                                          for c in query.selected_columns]
    line = columns[0]
    for column in columns[1:]:
        line = line + "\x1f" + column
    rows = query.with_only_columns(line.label("line")).subquery()
    aggregate = (func.string_agg(rows.c.line, "\x1e")
                 if session.get_bind().dialect.name == "postgresql"
                 else func.group_concat(rows.c.line, "\x1e"))
    return str(session.scalar(select(aggregate)) or "")


def _rows_digest(session: Session, organization_id: int) -> int:
    queries: tuple[AnySelect, ...] = (
        select(Device.id, Device.serial, Device.os_family, Device.model, Device.platform,
               Device.running_version, Device.licensed_feature_set, Device.retired_at)
        .where(Device.organization_id == organization_id).order_by(Device.id),
        select(CoverageLine.id, CoverageLine.contract_id, CoverageLine.serial,
               CoverageLine.start, CoverageLine.end, CoverageLine.cost)
        .where(CoverageLine.organization_id == organization_id).order_by(CoverageLine.id),
        select(Contract.id, Contract.number, Contract.service_level, Contract.start,
               Contract.end, Contract.currency, Contract.cost)
        .where(Contract.organization_id == organization_id).order_by(Contract.id),
        select(Triage.id, Triage.device_id, Triage.advisory_id, Triage.state, Triage.expires)
        .where(Triage.organization_id == organization_id).order_by(Triage.id),
        select(Release.id, Release.version_normalized, Release.kind, Release.release_date,
               Release.train).order_by(Release.id),
        select(Image.id, Image.release_id, Image.platform, Image.feature_set,
               Image.published_at, Image.public).order_by(Image.id),
        select(KevEntry.cve).order_by(KevEntry.cve),
    )
    return hash(tuple(_digest_of(session, q) for q in queries))


def _outcomes(session: Session, organization_id: int, policies: Sequence[Policy], *,
              today: date, index: AdvisoryIndex) -> list[PolicyOutcome]:
    if not MEMOISE:
        return compare_policies(session, organization_id, policies, today=today,
                                index=index)
    database = session.get_bind().engine.url.render_as_string(hide_password=False)
    key = (database, organization_id, today, tuple(policies), id(index), id(active_catalogue()),
           _rows_digest(session, organization_id))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] is index:
            _CACHE.move_to_end(key)
            return cached[1]
    outcomes = compare_policies(session, organization_id, policies, today=today,
                                index=index)
    with _CACHE_LOCK:
        _CACHE[key] = (index, outcomes)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return outcomes


@dataclass(frozen=True)
class Delta:
    """One row of a preview: a category under the current and the proposed policy."""

    category: Category
    current: int
    proposed: int

    @property
    def change(self) -> int:
        return self.proposed - self.current


def preview(current: Column, proposed: Column) -> list[Delta]:
    """Category by category, what activating `proposed` instead of `current` changes."""
    return [Delta(c, current.counts.get(c.cell, 0), proposed.counts.get(c.cell, 0))
            for c in (*CATEGORIES[:2], VIA_CONTRACT, *CATEGORIES[2:])]


@dataclass(frozen=True)
class ListedDevice:
    id: int
    organization: str
    serial: str
    hostname: str | None
    model: str | None
    platform: str | None
    os_family: str | None
    running_version: str | None


def devices_by_id(session: Session, ids: Sequence[int]) -> list[ListedDevice]:
    """The devices of `ids` (one page of a cell), in the order given."""
    if not ids:
        return []
    rows = session.execute(
        select(Device, Organization.slug).join(Organization,
                                               Organization.id == Device.organization_id)
        .where(Device.id.in_(list(ids))))
    found = {d.id: ListedDevice(d.id, slug, d.serial, d.hostname, d.model, d.platform,
                                d.os_family, d.running_version) for d, slug in rows}
    return [found[i] for i in ids if i in found]
