"""The fix planner (and its advisory index) over every stored advisory, cached per
process and database: `load_planner`, `load_index`. Functions never commit.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.models import Advisory, AdvisoryAffected, AdvisoryFixed
from fixright.advisories.planning import FixPlanner
from fixright.advisories.service import catalog_releases, load_records
from fixright.catalog.models import Release
from fixright.hardware import Catalogue, active_catalogue

# Building the index reads every affected release (hundreds of thousands of rows
# at scale); pages and API calls reuse it, and the planner with the fixes it
# worked out, until the stored advisories or catalog releases change. A
# per-process cache of derived data: any worker rebuilds it.
_INDEX_CACHE: dict[str, tuple[tuple[object, ...], FixPlanner]] = {}
_INDEX_LOCK = threading.Lock()


def _fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever an advisory is added, replaced or removed, or the releases change:
    one query of counts and maxima (reading every release to hash it cost more than
    the download decision that asked)."""
    def stats(*columns: Any) -> Any:
        return select(*columns).scalar_subquery()

    return tuple(session.execute(select(
        stats(func.count(Advisory.id)), stats(func.max(Advisory.imported_at)),
        stats(func.max(Advisory.id)),
        stats(func.count(AdvisoryAffected.id)), stats(func.max(AdvisoryAffected.id)),
        stats(func.count(AdvisoryFixed.id)), stats(func.max(AdvisoryFixed.id)),
        # A release is added or removed, never edited in place: count, max and sum of ids tell.
        stats(func.count(Release.id)), stats(func.max(Release.id)), stats(func.sum(Release.id)),
    )).one())


def hardware_catalogue() -> Catalogue:
    """The hardware catalogue plans are checked against (`hardware.active_catalogue`)."""
    return active_catalogue()


def load_planner(session: Session) -> FixPlanner:
    """A fix planner over an index of every stored advisory, with the catalog's releases
    as known releases and the hardware catalogue.

    Cached per database until an advisory, a catalog release or the hardware
    catalogue changes (four small queries tell); the index is read-only for its users.
    """
    database = session.get_bind().engine.url.render_as_string(hide_password=False)
    catalogue = active_catalogue()
    fingerprint = (*_fingerprint(session), id(catalogue))
    cached = _INDEX_CACHE.get(database)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    releases = catalog_releases(session)
    planner = FixPlanner(AdvisoryIndex(load_records(session), releases, catalogue=catalogue),
                         hardware=catalogue)
    with _INDEX_LOCK:
        if len(_INDEX_CACHE) >= 4:  # one database in a server; tests open many
            _INDEX_CACHE.clear()
        _INDEX_CACHE[database] = (fingerprint, planner)
    return planner


def load_index(session: Session) -> AdvisoryIndex:
    """The index of every stored advisory (see `load_planner`, which caches it)."""
    return load_planner(session).index


def planner_for(session: Session, index: AdvisoryIndex | None) -> FixPlanner:
    """The cached planner when `index` is None or the cached index; else a new one over `index`."""
    if index is None:
        return load_planner(session)
    for _stamp, planner in list(_INDEX_CACHE.values()):
        if planner.index is index:
            return planner
    return FixPlanner(index, hardware=hardware_catalogue())
