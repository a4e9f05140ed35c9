"""`fixright advisories import|list|kev|epss` and the top-level `fixright check`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fixright.advisories import exploits, service
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import match_devices
from fixright.advisories.records import newest_editions
from fixright.advisories.remediations import remediation_rows, remediations_by_advisory
from fixright.advisories.results import STATUS_AFFECTED, DeviceExposure, DeviceKey
from fixright.changes.service import recheck
from fixright.clikit import app_context, console, err_console
from fixright.errors import InvalidInput
from fixright.hardware import active_catalogue
from fixright.inventory.parse import decode_output, parse_output
from fixright.output import Format, emit
from fixright.safe_open import read_regular

advisories_app = typer.Typer(help="Security advisories: import and list; KEV and EPSS feeds.", no_args_is_help=True)

LIST_COLUMNS = ["advisory_id", "severity", "cvss", "cves", "published", "source", "affected",
                "title"]
_DETAIL_LINES = 12
# Imports of fewer files finish before a progress bar would say anything.
_PROGRESS_FROM = 50
# Files in a folder given to `check` that are not device output (test fixtures, data).
_NOT_OUTPUT = (".yml", ".yaml", ".json", ".csv", ".md")


def _list_lines(header: str, lines: list[str], *, error: bool = False) -> None:
    prefix = "[bold red]error:[/] " if error else ""
    err_console.print(f"{prefix}{header}", highlight=False)
    for line in lines[:_DETAIL_LINES]:
        err_console.print(f"  {line}", highlight=False, markup=False)
    if len(lines) > _DETAIL_LINES:
        err_console.print(f"  ... and {len(lines) - _DETAIL_LINES} more", highlight=False)


@advisories_app.command("import")
def import_(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="CSAF 2.0/2.1, CVRF 1.1/1.2 (.xml), openVuln or CVE JSON 5 files, or folders."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Import the readable files; list the rest (exit 1)."),
    lenient: bool = typer.Option(False, "--lenient", help="Import the sound parts of documents that break their standard; list what was dropped."),
    strict: bool = typer.Option(False, "--strict", help="Refuse the vendor quirks that are otherwise accepted with a warning (for validating your own documents)."),
) -> None:
    """Import advisories (all-or-nothing by default; a newer revision updates, an older one is ignored).

    Folders are searched for `*.json` and `*.xml`. A file whose advisory is
    stored already at the same revision is skipped unread. Vendor quirks (a
    date-time without zone, Fortinet's branch category `product`, undefined
    product ids, ...) are accepted and listed once per document; `--strict`
    refuses them; `--lenient` imports the sound parts of broken documents."""
    app = app_context(ctx)
    with app.session() as session, Progress(
        TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err_console, transient=True, disable=len(service.expand_paths(paths)) < _PROGRESS_FROM,
    ) as bar:
        task = bar.add_task("import", total=None)
        report = service.import_paths(
            session, paths, skip_bad=skip_bad, lenient=lenient, strict=strict, actor="cli",
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        if report.created or report.updated:
            recheck(session, cause="advisories import (cli)")
    by_file: dict[str, list[str]] = {}
    for name, warning in report.warnings:
        by_file.setdefault(name, []).append(warning.describe())
    for name, lines in by_file.items():
        _list_lines(f"{name}: accepted {len(lines)} vendor quirk(s) (--strict refuses them):", lines)
    for kind in ("created", "updated"):
        ids: list[str] = getattr(report, kind)
        for advisory_id in ids[:_DETAIL_LINES]:
            console.print(f"{kind} {advisory_id}", highlight=False, markup=False)
    if report.dropped:
        dropped: dict[str, list[str]] = {}
        for name, d in report.dropped:
            dropped.setdefault(name, []).append(f"{d.where}: {d.reason}")
        for name, lines in dropped.items():
            _list_lines(f"{name}: dropped {len(lines)} unsound part(s) (--lenient):", lines)
    for line in report.platform_warnings[:_DETAIL_LINES]:
        err_console.print(f"warning: {line}", highlight=False, markup=False)
    if report.unplaced:
        _list_lines(
            f"{len(report.unplaced)} product(s) could not be placed on a release (kept, not matched):",
            [f"{adv}: {u.product}: {u.reason}" for adv, u in report.unplaced],
        )
    console.print(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged",
        highlight=False,
    )
    if report.skipped:
        _list_lines(f"skipped {len(report.skipped)} file(s):", [m for _n, m in report.skipped], error=True)
        raise typer.Exit(1)


def _read_feed(path: Path) -> bytes:
    return read_regular(path)


@advisories_app.command("kev")
def kev(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="CISA's known_exploited_vulnerabilities.json."),
) -> None:
    """Import CISA's Known Exploited Vulnerabilities catalog (replaces the stored one)."""
    raw = _read_feed(path)
    with app_context(ctx).session() as session:
        result = exploits.import_kev(session, raw, str(path), actor="cli")
    console.print(f"KEV catalog {result.version or '?'}: {result.count} CVEs "
                  f"({result.added} added, {result.removed} removed)", highlight=False)


@advisories_app.command("epss")
def epss(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="FIRST's EPSS scores CSV (epss_scores-YYYY-MM-DD.csv, or .csv.gz)."),
) -> None:
    """Import FIRST EPSS scores (replaces the stored ones)."""
    raw = _read_feed(path)
    with app_context(ctx).session() as session:
        result = exploits.import_epss(session, raw, str(path), actor="cli")
    console.print(f"EPSS scores of {result.date or '?'} (model {result.version or '?'}): "
                  f"{result.count} CVEs", highlight=False)


@advisories_app.command("list")
def list_(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """List stored advisories, newest first."""
    app = app_context(ctx)
    with app.session() as session:
        rows = [
            {
                "advisory_id": a.advisory_id,
                "severity": a.severity,
                "cvss": a.cvss,
                "cves": list(a.cves or []),
                "published": a.published.date() if a.published else None,
                "source": a.source,
                "affected": len(a.affected),
                "unplaced": [u.product for u in a.unplaced],
                "url": a.url,
                "title": a.title,
            }
            for a in service.list_advisories(session)
        ]
    emit(rows, LIST_COLUMNS, fmt, title="Advisories")


# -- fixright check ------------------------------------------------------------------


def _output_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    failures: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in _NOT_OUTPUT
            )
            if not found:
                failures.append(f"{path}: folder holds no device output")
            files.extend(found)
        elif path.exists() or path.is_symlink():
            files.append(path)  # reading refuses links and special files, by name
        else:
            failures.append(f"{path}: no such file or folder")
    return files, failures


def _read_devices(paths: list[Path]) -> tuple[list[Any], list[str]]:
    files, failures = _output_files(paths)
    facts: list[Any] = []
    for file in files:
        try:
            text = decode_output(read_regular(file), str(file))
            facts.extend(parse_output(text, source_name=str(file), catalogue=active_catalogue()))
        except InvalidInput as exc:
            failures.append(exc.message)
        except OSError as exc:
            failures.append(f"{file}: cannot read ({exc.strerror})")
    return facts, failures


def _fix_text(version: Any, inferred: bool) -> str:
    if version is None:
        return "none known"
    return f"{version} (inferred)" if inferred else str(version)


def device_report(facts: Any, result: DeviceExposure) -> dict[str, Any]:
    """One device's facts, advisories and fixes as plain data (the JSON of `check`)."""
    e = result.exposure
    combined = e.combined_fix
    return {
        "source": facts.source_name,
        "hostname": facts.hostname,
        "vendor": facts.vendor,
        "model": facts.model,
        "serial": facts.serial,
        "platform": facts.platform,
        "os_family": facts.os_family,
        "version": facts.version_text,
        "train": e.version.train if e.version else None,
        "status": e.status,
        "reason": e.reason,
        "advisories": [
            {
                "advisory_id": h.advisory_id,
                "severity": h.severity,
                "cvss": h.cvss,
                "cves": list(h.cves),
                "matched": h.matched,
                "first_fixed": str(h.first_fixed.version) if h.first_fixed.version else None,
                "first_fixed_inferred": h.first_fixed.inferred,
                "first_fixed_reason": h.first_fixed.reason,
                "other_trains": list(h.first_fixed.other_trains),
                "url": h.url,
            }
            for h in e.advisories
        ],
        "combined_fix": None if combined is None or combined.version is None else str(combined.version),
        "combined_fix_inferred": bool(combined and combined.inferred),
        "combined_fix_reason": combined.reason if combined else None,
        "upgrade_targets": [t.as_dict() for t in e.upgrade_targets],
        "hardware": e.hardware,
        "image_families": list(e.image_families),
        "needs_review": list(dict.fromkeys(e.review)),
    }


def _print_device(report: dict[str, Any]) -> None:
    name = report["hostname"] or report["serial"] or report["source"]
    colour = {"affected": "red", "unknown": "yellow"}.get(report["status"], "green")
    console.print(
        f"[bold]{name}[/]  {report['vendor']} {report['model']} serial {report['serial'] or '-'}  "
        f"{report['os_family']} {report['version'] or '?'}  [{colour}]{report['status']}[/]",
        highlight=False,
    )
    if report["status"] != STATUS_AFFECTED:
        console.print(f"  {report['reason']}", highlight=False, markup=False)
    else:
        rows = [
            {
                "advisory": a["advisory_id"],
                "severity": a["severity"],
                "cves": a["cves"][:4] + (["..."] if len(a["cves"]) > 4 else []),
                "first fixed": _fix_text(a["first_fixed"], a["first_fixed_inferred"]),
                "why": a["first_fixed_reason"].split(": ", 1)[-1],
            }
            for a in report["advisories"]
        ]
        # A console of its own: it measures the terminal now, not when the module was imported.
        emit(rows, ["advisory", "severity", "cves", "first fixed", "why"], Format.table,
             drop=("cves", "why", "severity"))
        fix = _fix_text(report["combined_fix"], report["combined_fix_inferred"])
        console.print(f"  combined fix: {fix} - {report['combined_fix_reason']}", highlight=False,
                      markup=False)
        for target in report["upgrade_targets"]:
            console.print(f"  upgrade to {target['release']} ({target['kind']}): {target['why']}",
                          highlight=False, markup=False)
            for image in target.get("images", []):
                console.print(f"    image {image['filename']} {image['size']} bytes "
                              f"md5 {image['md5']}", highlight=False, markup=False)
    for line in report.get("downloads", []):
        verdict = "may download" if line["allowed"] else "may NOT download"
        console.print(f"  {verdict} {line['image']}: {line['why']}", highlight=False, markup=False)
    if report["needs_review"]:
        console.print(
            f"  review: {', '.join(report['needs_review'])} affect {report['os_family']} "
            "without listing releases", highlight=False, markup=False,
        )
    console.print()


def run_check(
    ctx: typer.Context,
    paths: list[Path],
    advisories: list[Path] | None,
    fmt: Format,
    annotate: Callable[[Any, list[dict[str, Any]]], None] | None = None,
) -> None:
    """The body of `fixright check`; `annotate(session, reports)` may add to each report
    (the portal adds whether the owner may download the fix) when the database is used."""
    if fmt is Format.jsonl:
        raise InvalidInput("--format must be table, json or csv for check")
    facts, failures = _read_devices(paths)
    if not facts:
        _list_lines("no device could be read:", failures or ["no input"], error=True)
        raise typer.Exit(2)
    keys = [DeviceKey(i, f.os_family, f.version_text, f.platform or None, f.model or None)
            for i, f in enumerate(facts)]
    if advisories:
        results, _skipped = service.read_paths(advisories)
        records = newest_editions([r for result in results for r in result.advisories])
        index = AdvisoryIndex(records, catalogue=active_catalogue())
        _warn_if_empty(index)
        hardware = active_catalogue()
        results_by_device = match_devices(index, keys, hardware=hardware)
        reports = [device_report(f, results_by_device[i]) for i, f in enumerate(facts)]
    else:
        with app_context(ctx).session() as session:
            planner = service.load_planner(session)
            index = planner.index
            _warn_if_empty(index)
            results_by_device = planner.match_devices(keys)
            reports = [device_report(f, results_by_device[i]) for i, f in enumerate(facts)]
            if annotate is not None:
                annotate(session, reports)
    _add_remediations(reports, index)
    if fmt is Format.json:
        emit([], [], fmt, json_data=reports)
    elif fmt is Format.csv:
        emit(check_rows(reports), CHECK_COLUMNS, fmt, console=console)
    else:
        for report in reports:
            _print_device(report)
    if failures:
        _list_lines(f"{len(failures)} input(s) could not be read:", failures, error=True)
        raise typer.Exit(2)


CHECK_COLUMNS = ["source", "hostname", "serial", "vendor", "model", "os_family", "version",
                 "status", "advisory_id", "severity", "cves", "first_fixed",
                 "first_fixed_inferred", "combined_fix", "may_download", "reason"]


def check_rows(reports: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """`check` as flat rows for CSV: one per device and advisory, one for a device with none.

    `may_download` is yes when the portal's policy grants at least one image of
    the fix, no when it grants none, empty when nobody asked the portal.
    """
    for report in reports:
        device = {key: report.get(key) for key in CHECK_COLUMNS[:8]}
        lines = report.get("downloads")
        device["combined_fix"] = report.get("combined_fix")
        device["may_download"] = ("" if not lines else
                                  "yes" if any(line["allowed"] for line in lines) else "no")
        hits = report.get("advisories") or []
        if not hits:
            yield device | {"reason": report.get("reason")}
        for hit in hits:
            yield device | {
                "advisory_id": hit["advisory_id"], "severity": hit["severity"],
                "cves": hit["cves"], "first_fixed": hit["first_fixed"],
                "first_fixed_inferred": "yes" if hit["first_fixed_inferred"] else "no",
                "reason": hit["first_fixed_reason"],
            }


def _add_remediations(reports: list[dict[str, Any]], index: AdvisoryIndex) -> None:
    """Each advisory hit gets `remediations: [{category, text, url}]` for the device's family."""
    found = remediations_by_advisory(index.records)
    for report in reports:
        for hit in report["advisories"]:
            hit["remediations"] = remediation_rows(found.get(hit["advisory_id"], ()), report["os_family"])


def _warn_if_empty(index: AdvisoryIndex) -> None:
    if not index.records:
        err_console.print(
            "note: no advisories loaded: import some with `fixright advisories import PATH` "
            "or pass --advisories PATH", highlight=False,
        )


def check(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Show outputs (files or folders) the inventory parser reads."),
    advisories: list[Path] = typer.Option(None, "--advisories", help="Advisory files or folders to use instead of the database."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (one row per device and advisory)."),
) -> None:
    """Which advisories affect these devices, and which release fixes them (no server needed)."""
    run_check(ctx, paths, advisories, fmt)
