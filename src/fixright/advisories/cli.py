"""`fixright advisories import|list|kev|epss` and the top-level `fixright check`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fixright.advisories import cache, exploits, service
from fixright.advisories.checking import DETAIL_LINES as _DETAIL_LINES
from fixright.advisories.checking import list_lines as _list_lines
from fixright.advisories.checking import run_check
from fixright.changes.service import recheck
from fixright.clikit import app_context, console, err_console
from fixright.output import Format, emit
from fixright.safe_open import read_regular

advisories_app = typer.Typer(help="Security advisories: import and list; KEV and EPSS feeds.", no_args_is_help=True)

LIST_COLUMNS = ["advisory_id", "severity", "cvss", "cves", "published", "source", "affected",
                "title"]
# Imports of fewer files finish before a progress bar would say anything.
_PROGRESS_FROM = 50


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


def check(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Show outputs (files or folders) the inventory parser reads."),
    advisories: list[Path] = typer.Option(None, "--advisories", help="Advisory files or folders to use instead of the database."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (one row per device and advisory)."),
) -> None:
    """Which advisories affect these devices, and which release fixes them (no server needed)."""
    run_check(ctx, paths, advisories, fmt, load_planner=cache.load_planner)
