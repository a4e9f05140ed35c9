"""`fixright devices import|list|export|parse|collect`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress

from fixright.clikit import app_context, console, err_console, fail
from fixright.errors import InvalidInput
from fixright.inventory import service
from fixright.inventory.collect import collect, load_targets
from fixright.inventory.csvio import CSV_COLUMNS, CsvDevice, read_devices_csv
from fixright.inventory.parse import (
    MAX_OUTPUT_CHARS,
    DeviceFacts,
    decode_output,
    parse_output,
    read_output,
)
from fixright.inventory.uploads import looks_like_csv
from fixright.output import Format, emit

devices_app = typer.Typer(help="Devices: import show outputs, CSV and SSH; list; export.",
                          no_args_is_help=True)

LIST_COLUMNS = ["id", "serial", "vendor", "os_family", "model", "platform", "running_version",
                "licensed_feature_set", "hostname", "source", "last_seen"]
FACT_COLUMNS = ["source_name", "vendor", "os_family", "model", "serial", "version_text",
                "platform", "feature_set", "hostname", "command", "read_by"]
# Progress bars only where there is something to wait for.
_PROGRESS_FROM = 20
_DETAIL_LINES = 50


@dataclass
class _Input:
    name: str
    data: bytes | None = None
    error: str = ""

    @property
    def is_csv(self) -> bool:
        # Files by their name; stdin by its header line.
        if self.name == "<stdin>":
            return looks_like_csv(self.name, self.data or b"")
        return self.name.lower().endswith(".csv")


def _read_inputs(paths: list[str]) -> list[_Input]:
    """Files, folders (recursively, hidden files skipped) and '-' for stdin, in order."""
    inputs: list[_Input] = []

    def add_file(path: Path) -> None:
        name = str(path)
        try:
            size = path.stat().st_size
            if size > MAX_OUTPUT_CHARS:
                inputs.append(_Input(name, error=(
                    f"{name}: {size // (1024 * 1024)} MB is far larger than any device's output "
                    f"(limit {MAX_OUTPUT_CHARS // (1024 * 1024)} MB)")))
                return
            inputs.append(_Input(name, path.read_bytes()))
        except OSError as exc:
            inputs.append(_Input(name, error=f"{name}: cannot read: {exc.strerror or exc}"))

    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read(MAX_OUTPUT_CHARS + 1)
            inputs.append(_Input("<stdin>", data))
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                inputs.append(_Input(raw, error=f"{raw}: folder holds no files"))
            for file in files:
                add_file(file)
        elif path.exists():
            add_file(path)
        else:
            inputs.append(_Input(raw, error=f"{raw}: no such file or folder"))
    return inputs


def _progress(total: int, what: str) -> Progress:
    return Progress(console=err_console, transient=True, disable=total < _PROGRESS_FROM)


def _read_all(
    inputs: list[_Input], platform: str | None
) -> tuple[list[DeviceFacts], list[CsvDevice], list[str]]:
    facts: list[DeviceFacts] = []
    rows: list[CsvDevice] = []
    failures: list[str] = []
    with _progress(len(inputs), "reading") as progress:
        task = progress.add_task("reading", total=len(inputs))
        for item in inputs:
            progress.advance(task)
            if item.error or item.data is None:
                failures.append(item.error)
                continue
            try:
                text = decode_output(item.data, item.name)
                if item.is_csv:
                    rows.extend(read_devices_csv(text, item.name))
                else:
                    found = parse_output(text, platform=platform, source_name=item.name)
                    service.check_facts(found)
                    facts.extend(found)
            except InvalidInput as exc:
                failures.append(exc.message)
    return facts, rows, failures


def _print_report(report: service.ImportReport) -> None:
    for change in report.updated[:_DETAIL_LINES]:
        details = "; ".join(f"{k} {old or '-'} -> {new}" for k, (old, new) in change.changes.items())
        console.print(f"updated {change.vendor} {change.serial}: {details}", highlight=False,
                      markup=False)
    if len(report.updated) > _DETAIL_LINES:
        console.print(f"... and {len(report.updated) - _DETAIL_LINES} more updated")
    for change in report.created[:_DETAIL_LINES]:
        console.print(f"created {change.vendor} {change.serial} {change.model}", highlight=False,
                      markup=False)
    if len(report.created) > _DETAIL_LINES:
        console.print(f"... and {len(report.created) - _DETAIL_LINES} more created")
    console.print(report.summary())


def _merge_reports(*reports: service.ImportReport) -> service.ImportReport:
    merged = service.ImportReport()
    for report in reports:
        merged.created += report.created
        merged.updated += report.updated
        merged.unchanged += report.unchanged
    return merged


def _list_failures(failures: list[str], header: str) -> None:
    err_console.print(f"[bold red]error:[/] {header}", highlight=False)
    for failure in failures:
        err_console.print(f"  {failure}", highlight=False, markup=False)


@devices_app.command("import")
def import_(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="Files, folders, or - for stdin. *.csv is CSV."),
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    platform: str | None = typer.Option(None, help="netmiko platform, e.g. cisco_ios: skip detection."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Import the readable files; list the rest (exit 1)."),
) -> None:
    """Import devices from show outputs and CSV files (all-or-nothing by default)."""
    facts, rows, failures = _read_all(_read_inputs(paths), platform)
    if failures and not skip_bad:
        _list_failures(failures, f"{len(failures)} input(s) could not be read; nothing was imported:")
        raise typer.Exit(2)
    app = app_context(ctx)
    if facts or rows:
        with app.session() as session:
            organization = service.resolve_organization(session, org)
            reports = []
            if facts:
                reports.append(service.import_facts(session, organization.id, facts, "show",
                                                         actor="cli"))
            if rows:
                reports.append(service.import_csv_rows(session, organization.id, rows, actor="cli"))
        _print_report(_merge_reports(*reports))
    if failures:
        _list_failures(failures, f"skipped {len(failures)} input(s):")
        raise typer.Exit(1)


@devices_app.command("list")
def list_(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    fmt: Format = typer.Option(Format.table, "--format"),
    search: str | None = typer.Option(None, help="Substring of serial, hostname, model, version."),
    os_family: str | None = typer.Option(None, "--os-family"),
    limit: int | None = typer.Option(None, min=0),
    retired: bool = typer.Option(False, "--retired", help="Include retired devices."),
) -> None:
    """List the organisation's devices (in service, unless --retired)."""
    app = app_context(ctx)
    with app.session() as session:
        organization = service.resolve_organization(session, org)
        devices = service.list_devices(session, organization.id, search=search,
                                       os_family=os_family, limit=limit,
                                       include_retired=retired)
        rows = [service.device_row(d) for d in devices]
    emit(rows, LIST_COLUMNS, fmt, title=f"Devices of {organization.slug}")


@devices_app.command("retire")
def retire(
    ctx: typer.Context,
    device: str = typer.Argument(..., help="Device id or serial."),
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
) -> None:
    """Take a device out of service; it keeps its history but leaves reports and policy."""
    with app_context(ctx).session() as session:
        organization = service.resolve_organization(session, org)
        found = service.find_device(session, organization.id, device)
        service.retire_device(session, organization.id, found.id, actor="cli")
        console.print(f"retired {found.vendor} {found.serial} (id {found.id})", highlight=False)


@devices_app.command("delete")
def delete(
    ctx: typer.Context,
    device: str = typer.Argument(..., help="Device id or serial."),
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
) -> None:
    """Delete a device for good (a mistaken import); the audit log keeps the deletion."""
    with app_context(ctx).session() as session:
        organization = service.resolve_organization(session, org)
        found = service.find_device(session, organization.id, device)
        name = f"{found.vendor} {found.serial} (id {found.id})"
        service.delete_device(session, organization.id, found.id, actor="cli")
    console.print(f"deleted {name}", highlight=False)


@devices_app.command("export")
def export(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    fmt: Format = typer.Option(Format.csv, "--format", help="csv (re-importable) or json."),
) -> None:
    """Export the organisation's devices in the documented CSV columns."""
    app = app_context(ctx)
    with app.session() as session:
        organization = service.resolve_organization(session, org)
        rows = service.export_rows(session, organization.id)
    emit(rows, list(CSV_COLUMNS), fmt, title=f"Devices of {organization.slug}")


@devices_app.command("parse")
def parse_cmd(
    paths: list[str] = typer.Argument(..., help="Files, folders, or - for stdin."),
    platform: str | None = typer.Option(None, help="netmiko platform, e.g. cisco_ios: skip detection."),
    fmt: Format = typer.Option(Format.table, "--format"),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Also list what was cleaned out of each paste, and warnings."),
) -> None:
    """Show what fixright reads from show outputs, without storing anything."""
    facts: list[DeviceFacts] = []
    failures: list[str] = []
    for item in _read_inputs(paths):
        if item.error or item.data is None:
            failures.append(item.error)
            continue
        try:
            text = decode_output(item.data, item.name)
            result = read_output(text, platform=platform, source_name=item.name)
        except InvalidInput as exc:
            failures.append(exc.message)
            continue
        facts.extend(result.facts)
        if verbose:
            for removed in result.removed:
                where = f"line {removed.line}" if removed.line else "text"
                err_console.print(f"{item.name}: {where}: removed {removed.kind}: {removed.text!r}",
                                  highlight=False, markup=False)
            for fact in result.facts:
                for warning in fact.warnings:
                    err_console.print(f"{item.name}: {fact.serial or fact.model}: {warning}",
                                      highlight=False, markup=False)
    data: list[dict[str, Any]] = [f.as_dict() for f in facts]
    if facts:
        emit(data, FACT_COLUMNS, fmt, title="Devices read")
    if failures:
        _list_failures(failures, f"{len(failures)} input(s) could not be read:")
        raise typer.Exit(2)


@devices_app.command("collect")
def collect_cmd(
    ctx: typer.Context,
    hosts_file: Path = typer.Argument(..., help="YAML list of hosts (see docs/inventory.md)."),
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    workers: int = typer.Option(8, min=1, max=256, help="SSH sessions at once."),
) -> None:
    """Collect show version (+ inventory) over SSH and import the devices."""
    try:
        text = hosts_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{hosts_file}: cannot read: {getattr(exc, 'strerror', None) or exc}")
    targets, failed = load_targets(text, str(hosts_file))
    app = app_context(ctx)
    with app.session() as session:  # fail on a bad --org before connecting anywhere
        organization_id = service.resolve_organization(session, org).id
    with Progress(console=err_console, transient=True, disable=len(targets) < 2) as progress:
        task = progress.add_task("collecting", total=len(targets))
        results = collect(targets, workers=workers, on_done=lambda _: progress.advance(task))
    failures = [f"{r.name}: {r.error}" for r in failed]
    facts: list[DeviceFacts] = []
    for result in results:
        if result.error:
            failures.append(f"{result.name}: {result.error}")
            continue
        try:
            found = parse_output(result.text, source_name=result.name)
            service.check_facts(found)
            facts.extend(found)
        except InvalidInput as exc:
            failures.append(exc.message)
    if facts:
        with app.session() as session:
            _print_report(service.import_facts(session, organization_id, facts, "ssh",
                                                actor="cli"))
    if failures:
        _list_failures(failures, f"{len(failures)} host(s) not imported:")
        raise typer.Exit(1)
