"""Device imports: parsed `show` facts and CSV rows upserted by (organisation, vendor,
serial), in chunks, with one report and one audit event per import.

Functions take a `Session` and never commit; the CLI command or HTTP request
owns the transaction, so an import is all-or-nothing. The SQL of each chunk
lives in `upsert`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from fixright.audit import service as audit
from fixright.db import analyze, is_postgres, utcnow
from fixright.errors import InvalidInput
from fixright.hardware import Catalogue, active_catalogue, require_family
from fixright.inventory.csvio import CHUNK_ROWS, CsvDevice
from fixright.inventory.models import SOURCES, Device
from fixright.inventory.parse import UNKNOWN_FEATURE_SET, DeviceFacts
from fixright.inventory.platforms import platform_for
from fixright.inventory.upsert import (
    TRACKED_FIELDS,
    copy_upsert_devices,
    existing_devices,
    informative,
    refuse_serials_of_others,
    return_to_service,
    write_devices,
)

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class DeviceChange:
    """One device an import touched; `changes` maps field -> (old, new) for updates."""

    vendor: str
    serial: str
    model: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did: created, updated (with per-field changes) and unchanged devices."""

    created: list[DeviceChange] = field(default_factory=list)
    updated: list[DeviceChange] = field(default_factory=list)
    unchanged: list[DeviceChange] = field(default_factory=list)
    # Devices whose image family (platform) the hardware catalogue could not tell, one line each.
    warnings: list[str] = field(default_factory=list)
    # Devices counted but not listed: an import that keeps the first few of each kind
    # (`DeviceImport(keep=...)`, a million-row CSV) counts the rest here.
    more_created: int = 0
    more_updated: int = 0
    more_unchanged: int = 0

    def counts(self) -> tuple[int, int, int]:
        """How many devices were created, updated and unchanged (listed or not)."""
        return (len(self.created) + self.more_created, len(self.updated) + self.more_updated,
                len(self.unchanged) + self.more_unchanged)

    def merge(self, other: ImportReport) -> None:
        """Add `other`'s devices and warnings to this report."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.warnings += other.warnings
        self.more_created += other.more_created
        self.more_updated += other.more_updated
        self.more_unchanged += other.more_unchanged

    def summary(self) -> str:
        created, updated, unchanged = self.counts()
        return f"{created} created, {updated} updated, {unchanged} unchanged"


def _record_from_facts(facts: DeviceFacts) -> dict[str, Any]:
    return {
        "vendor": facts.vendor,
        "serial": facts.serial,
        "os_family": facts.os_family,
        "model": facts.model,
        "platform": facts.platform,
        "platform_stated": facts.platform_stated,
        "hostname": facts.hostname or None,
        "running_version": facts.version_text or None,
        "licensed_feature_set": facts.feature_set or UNKNOWN_FEATURE_SET,
        "image_file": facts.image_file or None,
        "purchase_date": None,
        "notes": None,
    }


def _record_from_csv(row: CsvDevice, platform: str) -> dict[str, Any]:
    return {
        "vendor": row.vendor,
        "serial": row.serial,
        "os_family": row.os_family,
        "model": row.model,
        "platform": platform,
        "platform_stated": bool(row.platform),
        "hostname": row.hostname or None,
        "running_version": row.running_version or None,
        "licensed_feature_set": row.licensed_feature_set or UNKNOWN_FEATURE_SET,
        "image_file": None,
        "purchase_date": row.purchase_date,
        "notes": row.notes or None,
    }



class DeviceImport:
    """One import fed in chunks: each chunk checked and written at once, one report and
    one audit event at the end (`finish`).

    Memory is that of a chunk (plus the report's one line per device), so a fleet
    CSV of a million rows streams. Nothing is committed here: a chunk refused later
    (another organisation's serial, a bad row) makes the caller roll back the whole
    transaction, so an import still goes in whole or not at all.
    """

    def __init__(self, session: Session, organization_id: int, source: str, actor: str,
                 *, keep: int | None = None) -> None:
        """`keep`: list at most that many devices of each kind in the report, count the rest
        (the CLI shows the first 50; a million `DeviceChange`s would be 300 MB)."""
        if source not in SOURCES:
            raise InvalidInput(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
        self.session = session
        self.organization_id = organization_id
        self.source = source
        self.actor = actor
        self.now = utcnow()
        self.report = ImportReport()
        self.keep = keep
        # warning -> (first device it was said of, how many)
        self._warnings: dict[str, tuple[str, int]] = {}
        self._grown = 0  # rows inserted since the planner last counted them
        self._counted = 0

    def _keep_statistics(self, inserted: int) -> None:
        """PostgreSQL: ANALYZE the device table each time this import has doubled it.

        The planner costs the next chunk's serial lookups on the table's last
        statistics; a first import of a million devices into an empty table left
        it planning sequential scans of a table it believed empty (100k devices:
        40 s, 1M: hours). Doubling keeps it to a handful of ANALYZEs per import.
        """
        self._grown += inserted
        if self._grown >= max(ANALYZE_AFTER, self._counted):
            analyze(self.session, Device.__tablename__)
            self._counted += self._grown
            self._grown = 0

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """Upsert one chunk of records (a few thousand): `Conflict` if another organisation
        holds one of its serials, before the chunk is written."""
        session, organization_id, source, now = (self.session, self.organization_id,
                                                 self.source, self.now)
        # Later records of one (vendor, serial) win: the last file read is the newest look.
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for record in records:
            latest[(record["vendor"], record["serial"])] = record
        if not latest:
            return
        refuse_serials_of_others(session, organization_id, list(latest))
        existing = existing_devices(session, organization_id, list(latest))
        report = self.report
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        seen_ids: list[int] = []
        returned: list[int] = []
        for key, record in latest.items():
            old = existing.get(key)
            if old is not None and old["platform_stated"] and not record["platform_stated"]:
                # The owner's word beats what this import derived: keep the stated family.
                record["platform"] = ""
            elif old is not None and record["platform"] == old["platform"]:
                # Stating the family already stored overrides nothing (an exported CSV
                # imported again stays unchanged, and later imports may still derive it).
                record["platform_stated"] = False
            if old is None:
                inserts.append(
                    {**record, "organization_id": organization_id, "source": source,
                     "first_seen": now, "last_seen": now}
                )
                report.created.append(DeviceChange(key[0], key[1], record["model"]))
                continue
            changes = {
                name: (old[name], record[name])
                for name in TRACKED_FIELDS
                if informative(name, record[name]) and record[name] != old[name]
            }
            if old["retired_at"] is not None:
                # Listed again, so in service again: keeping it retired would hide a running
                # box from every report. Another owner's claim was refused above.
                returned.append(old["id"])
                changes["in_service"] = ("no", "yes")
            if changes:
                updates.append(
                    {"id": old["id"], "source": source, "last_seen": now,
                     **{name: new for name, (_, new) in changes.items()
                        if name != "in_service"}}
                )
                model = changes.get("model", (None, old["model"]))[1]
                report.updated.append(DeviceChange(key[0], key[1], model, changes))
            else:
                seen_ids.append(old["id"])
                report.unchanged.append(DeviceChange(key[0], key[1], old["model"]))
        if is_postgres(session):
            copy_upsert_devices(session, organization_id, source, now, latest, existing)
            self._keep_statistics(len(inserts))
        else:
            write_devices(session, inserts, updates, seen_ids, source, now)
        return_to_service(session, returned)
        if self.keep is not None:
            report.more_created += max(len(report.created) - self.keep, 0)
            report.more_updated += max(len(report.updated) - self.keep, 0)
            report.more_unchanged += max(len(report.unchanged) - self.keep, 0)
            del report.created[self.keep:], report.updated[self.keep:]
            del report.unchanged[self.keep:]

    def warn(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        """Note (device, warning) pairs; `finish` says each distinct warning once."""
        for who, warning in pairs:
            if warning:
                first, count = self._warnings.get(warning, (who, 0))
                self._warnings[warning] = (first, count + 1)

    def finish(self) -> ImportReport:
        """The report of every chunk; one audit event if devices were created or changed."""
        report = self.report
        if any(report.counts()[:2]):
            _audit_import(self.session, self.organization_id, self.source, self.actor, report)
        report.warnings = _said_once(self._warnings)
        return report


def _upsert(
    session: Session, organization_id: int, records: Iterable[dict[str, Any]], source: str,
    actor: str,
) -> ImportReport:
    job = DeviceImport(session, organization_id, source, actor)
    job.add(records)
    return job.finish()


# Rows a PostgreSQL import inserts before it first refreshes the planner's statistics.
ANALYZE_AFTER = 20_000


AUDITED_SERIALS = 100


def _audit_import(
    session: Session, organization_id: int, source: str, actor: str, report: ImportReport
) -> None:
    # One event per import, not per device: a 100,000-row CSV stays one line.
    audit.record(
        session, actor=actor, organization_id=organization_id,
        action="inventory:devices:import", subject=f"{source} import",
        data={"created": report.counts()[0], "updated": report.counts()[1],
              "unchanged": report.counts()[2],
              "serials": [c.serial for c in (report.created + report.updated)][
                  :AUDITED_SERIALS]},
    )


def check_facts(facts: Sequence[DeviceFacts]) -> None:
    """Refuse facts that cannot be stored: `InvalidInput` naming their sources."""
    missing = [f for f in facts if not f.serial]
    if missing:
        names = ", ".join(dict.fromkeys(f.source_name for f in missing))
        raise InvalidInput(
            f"{names}: no serial number in the output (a virtual device, a security "
            "context, or IOS XR / Junos 'show version' alone): add the inventory output "
            "('show inventory', 'show chassis hardware') to the same file"
        )


def import_facts(
    session: Session, organization_id: int, facts: Sequence[DeviceFacts], source: str,
    *, actor: str = "system",
) -> ImportReport:
    """Upsert parsed devices by (organisation, vendor, serial).

    `source` is "show", "ssh" or "api". Facts without a serial number are
    refused (`InvalidInput` naming their source) before anything is written.
    Values the output did not show (empty, feature set "unknown") never
    overwrite stored ones. An import that creates or changes devices is one
    audit event (by `actor`).
    """
    check_facts(facts)
    report = _upsert(session, organization_id, (_record_from_facts(f) for f in facts), source,
                     actor)
    report.warnings = _platform_warnings(
        (f"{f.source_name}: {f.serial}", f.platform_warning) for f in facts
    )
    return report


def _platform_warnings(pairs: Iterable[tuple[str, str | None]]) -> list[str]:
    """One line per distinct warning (a fleet of one unknown model says it once), logged too."""
    tally: dict[str, tuple[str, int]] = {}
    for who, warning in pairs:
        if warning:
            first, count = tally.get(warning, (who, 0))
            tally[warning] = (first, count + 1)
    return _said_once(tally)


def _said_once(tally: dict[str, tuple[str, int]]) -> list[str]:
    out = []
    for warning, (first, count) in tally.items():
        more = f" and {count - 1} more" if count > 1 else ""
        out.append(f"{first}{more}: {warning}")
        log.warning("inventory import: %s (%d device(s))", warning, count)
    return out


def csv_platforms(
    rows: Sequence[CsvDevice], catalogue: Catalogue
) -> tuple[list[str], list[tuple[str, str | None]]]:
    """Each row's image family: its `platform` cell (checked) or derived from its model.

    `InvalidInput` names every row whose platform is not a family of the
    catalogue, before anything is written; the pairs are (row, warning).
    """
    platforms: list[str] = []
    warnings: list[tuple[str, str | None]] = []
    errors: list[str] = []
    for row in rows:
        if row.platform:
            try:
                platforms.append(require_family(catalogue, row.platform))
            except InvalidInput as exc:
                errors.append(f"row {row.row}, column {exc.message}")
            continue
        platform, warning = platform_for(catalogue, row.os_family, row.model, "",
                                         version_text=row.running_version)
        platforms.append(platform)
        warnings.append((f"row {row.row}: {row.serial}", warning))
    if errors:
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        raise InvalidInput("; ".join(errors[:10]) + more)
    return platforms, warnings


def import_csv_rows(
    session: Session, organization_id: int, rows: Sequence[CsvDevice], *, actor: str = "system",
    catalogue: Catalogue | None = None,
) -> ImportReport:
    """Upsert rows read by `csvio.read_devices_csv` (source "csv"); empty cells change nothing.

    A row's `platform` cell, when given, must be an image family of the
    hardware catalogue (`active_catalogue()` unless given) and overrides the
    one derived from the model.
    """
    return import_csv_chunks(session, organization_id,
                             (rows[i:i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)),
                             actor=actor, catalogue=catalogue)


def import_csv_chunks(
    session: Session, organization_id: int, chunks: Iterable[Sequence[CsvDevice]], *,
    actor: str = "system", catalogue: Catalogue | None = None, keep: int | None = None,
) -> ImportReport:
    """`import_csv_rows` for rows that come in chunks (`csvio.iter_devices_csv`): each chunk
    is checked and written before the next is read, so a large file streams.

    An error from a later chunk (`InvalidInput`, `Conflict`) leaves earlier chunks
    written in the caller's transaction: the caller rolls back, as it does on any error.
    `keep` lists only the first devices of each kind in the report (see `DeviceImport`).
    """
    known = catalogue or active_catalogue()
    job = DeviceImport(session, organization_id, "csv", actor, keep=keep)
    for rows in chunks:
        platforms, warnings = csv_platforms(rows, known)
        job.warn(warnings)
        job.add(_record_from_csv(r, p) for r, p in zip(rows, platforms, strict=True))
    return job.finish()
