"""Advisory operations: import documents, list and page them, and load them back as records.

Functions take a `Session` and never commit. The planner over every stored
advisory is cached in `cache`; exposure questions are answered in `fleet`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, Text, cast, delete, func, insert, or_, select
from sqlalchemy.orm import Session

# Reading files lives in `documents`; callers keep using service.read_paths / expand_paths.
from fixright.advisories.documents import DOCUMENT_SUFFIXES as DOCUMENT_SUFFIXES
from fixright.advisories.documents import Progress, read_files
from fixright.advisories.documents import expand_paths as expand_paths
from fixright.advisories.documents import read_paths as read_paths
from fixright.advisories.index import PlatformNames
from fixright.advisories.models import (
    Advisory,
    AdvisoryAffected,
    AdvisoryFixed,
    AdvisoryUnplaced,
)
from fixright.advisories.records import (
    AdvisoryRecord,
    AffectedRange,
    AffectedReleases,
    CvssScore,
    Dropped,
    FixedRelease,
    Quirk,
    ReadResult,
    Remediation,
    Unplaced,
    is_newer,
)
from fixright.audit import service as audit
from fixright.catalog.models import Release
from fixright.db import utcnow
from fixright.hardware import active_catalogue
from fixright.versions import InvalidVersion, parse


@dataclass
class ImportReport:
    """What one import did, per advisory and per file."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why) with --skip-bad
    dropped: list[tuple[str, Dropped]] = field(default_factory=list)  # (file, what) with --lenient
    unplaced: list[tuple[str, Unplaced]] = field(default_factory=list)  # (advisory id, product)
    warnings: list[tuple[str, Quirk]] = field(default_factory=list)  # (file, vendor quirk accepted)
    # Files not read again: every advisory in them is stored at the same id and revision.
    skipped_unchanged: list[str] = field(default_factory=list)
    # Platform names no hardware of the catalogue answers to, one line per name.
    platform_warnings: list[str] = field(default_factory=list)


# -- import ---------------------------------------------------------------------


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def import_results(
    session: Session, results: Iterable[ReadResult], *, actor: str = "system"
) -> ImportReport:
    """Store the advisories read; an advisory already stored is replaced only by a newer edition.

    An import that creates or updates advisories is one audit event (by `actor`).
    """
    report = ImportReport()
    names = PlatformNames(active_catalogue())
    # (os_family, version text) -> normalized, across the import: advisories repeat releases.
    normalized: dict[tuple[str, str], str | None] = {}
    unknown: dict[str, list[str]] = {}
    for result in results:
        report.dropped.extend((result.source_name, d) for d in result.dropped)
        report.warnings.extend((result.source_name, w) for w in result.warnings)
        for record in result.advisories:
            for group in record.affected:
                for name in names.unknown(group.platforms):
                    seen = unknown.setdefault(name, [])
                    if record.advisory_id not in seen:
                        seen.append(record.advisory_id)
            existing = session.scalar(
                select(Advisory).where(Advisory.advisory_id == record.advisory_id)
            )
            if existing is None:
                _store(session, record, result.source_name, normalized=normalized)
                report.created.append(record.advisory_id)
            elif is_newer(
                record.updated, record.revision, _aware(existing.updated), existing.revision
            ):
                session.execute(delete(AdvisoryAffected).where(AdvisoryAffected.advisory_id == existing.id))
                session.execute(delete(AdvisoryFixed).where(AdvisoryFixed.advisory_id == existing.id))
                session.execute(delete(AdvisoryUnplaced).where(AdvisoryUnplaced.advisory_id == existing.id))
                _store(session, record, result.source_name, existing, normalized=normalized)
                report.updated.append(record.advisory_id)
            else:
                report.unchanged.append(record.advisory_id)
                continue
            report.unplaced.extend((record.advisory_id, u) for u in record.unplaced)
    report.platform_warnings = [
        f"platform {name!r} not known; devices are matched on version alone "
        f"({', '.join(ids[:3])}{f' and {len(ids) - 3} more' if len(ids) > 3 else ''})"
        for name, ids in unknown.items()
    ]
    session.flush()
    if report.created or report.updated:
        audit.record(session, actor=actor, organization_id=None,
                     action="advisories:documents:import",
                     subject=f"{len(report.created)} created, {len(report.updated)} updated",
                     data={"created": report.created[:200], "updated": report.updated[:200],
                           "dropped": len(report.dropped)})
    return report


def stored_revisions(session: Session) -> dict[str, str]:
    """Advisory id -> stored revision, for skipping unchanged documents on re-import."""
    return {a: r for a, r in session.execute(select(Advisory.advisory_id, Advisory.revision))}


def import_paths(
    session: Session,
    paths: Sequence[Path],
    *,
    skip_bad: bool = False,
    lenient: bool = False,
    strict: bool = False,
    actor: str = "system",
    progress: Progress | None = None,
) -> ImportReport:
    """Read and store advisory documents (files and folders). All-or-nothing unless skip_bad.

    Files whose advisory is stored at the same id and revision are skipped
    before being read in full (`ImportReport.skipped_unchanged`).
    """
    skipped: list[tuple[str, str]] = []
    unchanged: list[tuple[str, str]] = []
    results = read_files(paths, skipped, unchanged, skip_bad=skip_bad, lenient=lenient,
                          strict=strict, stored=stored_revisions(session), progress=progress)
    report = import_results(session, results, actor=actor)
    report.skipped = skipped
    report.skipped_unchanged = [name for name, _id in unchanged]
    report.unchanged.extend(advisory_id for _name, advisory_id in unchanged)
    return report


def _normalized(os_family: str, text: str) -> str | None:
    try:
        return parse(os_family, text).normalized
    except InvalidVersion:
        return None


def _store(
    session: Session, record: AdvisoryRecord, source_name: str, row: Advisory | None = None,
    *, normalized: dict[tuple[str, str], str | None],
) -> None:
    row = row or Advisory(advisory_id=record.advisory_id)
    row.source = record.source
    row.title = record.title
    row.severity = record.severity
    row.cvss = record.cvss
    row.cves = list(record.cves)
    row.bug_ids = list(record.bug_ids)
    row.url = record.url
    row.published = record.published
    row.updated = record.updated
    row.revision = record.revision
    row.vendor = record.vendor
    row.not_affected = [list(pair) for pair in record.not_affected]
    row.notes = list(record.notes)
    row.remediations = [asdict(r) for r in record.remediations]
    row.cvss_scores = [asdict(c) for c in record.cvss_scores]
    row.source_name = source_name
    row.imported_at = utcnow()  # also what tells cached indexes that this advisory changed
    session.add(row)
    session.flush()
    # Rows as tuples in _AFFECTED_COLUMNS order; a group's platforms are JSON once, not per row.
    affected: list[tuple[object, ...]] = []
    advisory_id = row.id  # an ORM attribute read costs more than a local, per row
    for group in record.affected:
        family, product = group.os_family, group.product
        platforms = json.dumps(list(group.platforms))
        if isinstance(group, AffectedReleases):
            complete = group.complete
            for text in group.versions:
                key = (family, text)
                if key not in normalized:
                    normalized[key] = _normalized(family, text)
                affected.append((advisory_id, family, product, platforms, text,
                                 normalized[key], None, None, None, None, complete))
        else:
            affected.append((advisory_id, family, product, platforms, None, None,
                             group.introduced, group.fixed, group.last_affected, group.train,
                             True))
    if affected:
        _insert_rows(session, AdvisoryAffected.__tablename__, _AFFECTED_COLUMNS, affected)
    if record.fixed:
        session.execute(
            insert(AdvisoryFixed),
            [{"advisory_id": row.id, "os_family": f.os_family, "train": f.train,
              "version": f.version, "product": f.product} for f in record.fixed],
        )
    if record.unplaced:
        session.execute(
            insert(AdvisoryUnplaced),
            [{"advisory_id": row.id, "product": u.product, "os_family": u.os_family,
              "status": u.status, "reason": u.reason} for u in record.unplaced],
        )


_AFFECTED_COLUMNS = ("advisory_id", "os_family", "product", "platforms", "version",
                     "version_normalized", "introduced", "fixed", "last_affected", "train",
                     "complete")


def _insert_rows(session: Session, table: str, columns: Sequence[str],
                 rows: list[tuple[object, ...]]) -> None:
    """INSERT `rows` (tuples in `columns` order, JSON values already text) with the
    driver's executemany.

    One advisory lists up to thousands of releases and an openVuln answer
    millions: SQLAlchemy's per-row parameter processing cost several times
    what the database does, so the rows go to the driver as they are
    (psycopg lets PostgreSQL cast the JSON text).
    """
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    # Table and column names are the model's own, never input; values are parameters.
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
           f"VALUES ({', '.join([mark] * len(columns))})")
    session.connection().exec_driver_sql(sql, rows)


# -- loading and queries ---------------------------------------------------------


_ADVISORY_ORDER = (Advisory.published.desc(), Advisory.advisory_id)
# A search for one of these characters would match the JSON around the ids.
_JSON_PUNCTUATION = frozenset('"[],\\')


def list_advisories(session: Session) -> list[Advisory]:
    """Every stored advisory, newest first."""
    return list(session.scalars(select(Advisory).order_by(*_ADVISORY_ORDER)))


def _advisory_filters(query: Select[Any], severities: Collection[str] | None,
                      search: str | None) -> Select[Any]:
    if severities is not None:
        query = query.where(Advisory.severity.in_(sorted(severities)))
    needle = (search or "").strip().lower()
    if needle:
        fields = [func.lower(Advisory.advisory_id), func.lower(Advisory.title)]
        if not _JSON_PUNCTUATION & set(needle):
            fields += [func.lower(cast(Advisory.cves, Text)),
                       func.lower(cast(Advisory.bug_ids, Text))]
        query = query.where(or_(*(f.contains(needle, autoescape=True) for f in fields)))
    return query


def page_advisories(
    session: Session,
    *,
    limit: int,
    offset: int = 0,
    severities: Collection[str] | None = None,
    search: str | None = None,
) -> tuple[list[Advisory], int]:
    """One page of stored advisories, newest first, and the number matching on every page.

    `severities` keeps those levels; `search` is a case-insensitive substring of
    the id, the title, a CVE or a bug id. Filtered, cut and counted in SQL.
    """
    query = _advisory_filters(select(Advisory), severities, search).order_by(*_ADVISORY_ORDER)
    rows = list(session.scalars(query.limit(limit).offset(offset)))
    total = session.scalar(_advisory_filters(select(func.count(Advisory.id)), severities, search))
    return rows, int(total or 0)


def load_records(session: Session) -> list[AdvisoryRecord]:
    """Every stored advisory as records, in three bulk SELECTs."""
    rows = session.execute(select(Advisory).order_by(Advisory.id)).scalars().all()
    affected: dict[int, dict[tuple[object, ...], list[str]]] = {}
    ranges: dict[int, list[AffectedRange]] = {}
    for a in session.execute(
        select(
            AdvisoryAffected.advisory_id, AdvisoryAffected.os_family, AdvisoryAffected.product,
            AdvisoryAffected.version, AdvisoryAffected.introduced, AdvisoryAffected.fixed,
            AdvisoryAffected.last_affected, AdvisoryAffected.train, AdvisoryAffected.platforms,
            AdvisoryAffected.complete,
        ).order_by(AdvisoryAffected.id)
    ):
        platforms = tuple(a.platforms or ())
        if a.version is not None:
            key = (a.os_family, a.product, platforms, bool(a.complete))
            affected.setdefault(a.advisory_id, {}).setdefault(key, []).append(a.version)
        else:
            ranges.setdefault(a.advisory_id, []).append(
                AffectedRange(a.os_family, a.product, a.introduced, a.fixed, a.last_affected,
                              a.train, platforms)
            )
    fixed: dict[int, list[FixedRelease]] = {}
    for f in session.execute(
        select(AdvisoryFixed.advisory_id, AdvisoryFixed.os_family, AdvisoryFixed.train,
               AdvisoryFixed.version, AdvisoryFixed.product).order_by(AdvisoryFixed.id)
    ):
        fixed.setdefault(f.advisory_id, []).append(FixedRelease(f.os_family, f.train, f.version, f.product))
    unplaced: dict[int, list[Unplaced]] = {}
    for u in session.execute(
        select(AdvisoryUnplaced.advisory_id, AdvisoryUnplaced.product, AdvisoryUnplaced.reason,
               AdvisoryUnplaced.os_family, AdvisoryUnplaced.status).order_by(AdvisoryUnplaced.id)
    ):
        unplaced.setdefault(u.advisory_id, []).append(Unplaced(u.product, u.reason, u.os_family, u.status))
    records = []
    for row in rows:
        groups: list[AffectedReleases | AffectedRange] = [
            AffectedReleases(str(family), str(product), tuple(versions), platforms, complete)  # type: ignore[arg-type]
            for (family, product, platforms, complete), versions in affected.get(row.id, {}).items()
        ]
        groups.extend(ranges.get(row.id, ()))
        records.append(
            AdvisoryRecord(
                source=row.source, advisory_id=row.advisory_id, title=row.title,
                severity=row.severity, cvss=row.cvss, cves=tuple(row.cves or ()),
                bug_ids=tuple(row.bug_ids or ()), url=row.url, published=_aware(row.published),
                updated=_aware(row.updated), revision=row.revision, vendor=row.vendor,
                affected=tuple(groups), fixed=tuple(fixed.get(row.id, ())),
                not_affected=tuple((str(p[0]), str(p[1])) for p in row.not_affected or ()),
                unplaced=tuple(unplaced.get(row.id, ())), notes=tuple(row.notes or ()),
                remediations=tuple(_remediation(r) for r in row.remediations or ()),
                cvss_scores=tuple(_cvss(c) for c in row.cvss_scores or ()),
            )
        )
    return records


def _remediation(data: dict[str, Any]) -> Remediation:
    return Remediation(str(data.get("category") or ""), str(data.get("text") or ""),
                       data.get("url"), tuple(data.get("product_ids") or ()),
                       tuple(data.get("os_families") or ()))


def _cvss(data: dict[str, Any]) -> CvssScore:
    score = data.get("base_score")
    return CvssScore(str(data.get("version") or ""), None if score is None else float(score),
                     data.get("vector"), data.get("severity"))


def catalog_releases(session: Session) -> list[tuple[str, str]]:
    """(os_family, version) of every catalog release: known releases for inferred fixes."""
    return [(r.os_family, r.version) for r in session.execute(select(Release.os_family, Release.version))]
