"""`fixright check`: read show outputs, match them against advisories, print the result.

Shared by the top-level `fixright check` (which adds download verdicts) and the
advisories CLI. Reading advisories from files needs no database, so this module
imports none: `fixright check --advisories DIR` starts without SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

from fixright.advisories.documents import read_paths
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import match_devices
from fixright.advisories.records import newest_editions
from fixright.advisories.remediations import remediation_rows, remediations_by_advisory
from fixright.advisories.results import STATUS_AFFECTED, DeviceExposure, DeviceKey
from fixright.clikit import app_context, console, err_console
from fixright.errors import InvalidInput
from fixright.hardware import active_catalogue
from fixright.inventory.parse import decode_output, parse_output
from fixright.output import Format, emit
from fixright.safe_open import read_regular

DETAIL_LINES = 12
# Files in a folder given to `check` that are not device output (test fixtures, data).
_NOT_OUTPUT = (".yml", ".yaml", ".json", ".csv", ".md")


def list_lines(header: str, lines: list[str], *, error: bool = False) -> None:
    """Print `header` and at most DETAIL_LINES of `lines` on stderr."""
    prefix = "[bold red]error:[/] " if error else ""
    err_console.print(f"{prefix}{header}", highlight=False)
    for line in lines[:DETAIL_LINES]:
        err_console.print(f"  {line}", highlight=False, markup=False)
    if len(lines) > DETAIL_LINES:
        err_console.print(f"  ... and {len(lines) - DETAIL_LINES} more", highlight=False)



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
    *,
    load_planner: Callable[[Any], Any],
    annotate: Callable[[Any, list[dict[str, Any]]], None] | None = None,
) -> None:
    """The body of `fixright check`. Without `advisories` files, the database's
    advisories: `load_planner(session)` (`cache.load_planner`, passed in so that
    this module imports no database code) and `annotate(session, reports)`, which
    may add to each report (whether the owner may download the fix)."""
    if fmt is Format.jsonl:
        raise InvalidInput("--format must be table, json or csv for check")
    facts, failures = _read_devices(paths)
    if not facts:
        list_lines("no device could be read:", failures or ["no input"], error=True)
        raise typer.Exit(2)
    keys = [DeviceKey(i, f.os_family, f.version_text, f.platform or None, f.model or None)
            for i, f in enumerate(facts)]
    if advisories:
        results, _skipped = read_paths(advisories)
        records = newest_editions([r for result in results for r in result.advisories])
        index = AdvisoryIndex(records, catalogue=active_catalogue())
        _warn_if_empty(index)
        hardware = active_catalogue()
        results_by_device = match_devices(index, keys, hardware=hardware)
        reports = [device_report(f, results_by_device[i]) for i, f in enumerate(facts)]
    else:
        with app_context(ctx).session() as session:
            planner = load_planner(session)
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
        list_lines(f"{len(failures)} input(s) could not be read:", failures, error=True)
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
