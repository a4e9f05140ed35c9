"""`fixright devices import|list|export|parse|collect`."""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress

from fixright.changes.service import recheck
from fixright.clikit import app_context, console, err_console, fail
from fixright.errors import InvalidInput
from fixright.hardware import active_catalogue
from fixright.inventory import importing, queries, service
from fixright.inventory.collect import Overrides, collect, resolve
from fixright.inventory.csvio import CSV_COLUMNS, CsvDevice, iter_devices_csv
from fixright.inventory.hostfiles import parse_jump, read_hosts
from fixright.inventory.parse import (
    MAX_OUTPUT_CHARS,
    DeviceFacts,
    decode_output,
    parse_output,
    read_output,
)
from fixright.inventory.sources import read_source, sniff_source
from fixright.inventory.uploads import looks_like_csv
from fixright.output import Format, emit
from fixright.safe_open import read_regular, shown

devices_app = typer.Typer(help="Devices: import show outputs, CSV and SSH; list; export.",
                          no_args_is_help=True)

LIST_COLUMNS = ["id", "serial", "vendor", "os_family", "model", "platform", "running_version",
                "licensed_feature_set", "hostname", "source", "last_seen"]
FACT_COLUMNS = ["source_name", "vendor", "os_family", "model", "serial", "version_text",
                "platform", "feature_set", "hostname", "command", "read_by"]
# Progress bars only where there is something to wait for.
_PROGRESS_FROM = 20
_DETAIL_LINES = 50
# Devices of each kind a CSV import's report lists: the lines printed, the serials audited.
_KEPT = max(_DETAIL_LINES, importing.AUDITED_SERIALS)


class ImportFormat(enum.StrEnum):
    """What the import inputs are; `auto` tells each file by its name and first line."""

    auto = "auto"
    show = "show"
    csv = "csv"
    netbox = "netbox"
    nautobot = "nautobot"


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

    def kind(self, text: str, fmt: ImportFormat) -> str:
        """"show", "csv" (ours) or "netbox"/"nautobot" for this input's text."""
        if fmt is not ImportFormat.auto:
            return fmt.value
        if sniff_source(self.name, text) is not None:
            return "nautobot" if '"network_driver"' in text[:200000] else "netbox"
        return "csv" if self.is_csv else "show"


@dataclass
class _Read:
    facts: list[DeviceFacts] = field(default_factory=list)
    rows: list[CsvDevice] = field(default_factory=list)
    # (name, text) of fixright CSV files: read in chunks while importing, not held as rows.
    csv_texts: list[tuple[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # skipped rows, ignored columns


MAX_CSV_BYTES = 512 * 1024 * 1024


def _read_inputs(paths: list[str]) -> list[_Input]:
    """Files, folders (recursively, hidden files skipped) and '-' for stdin, in order."""
    inputs: list[_Input] = []

    def add_file(path: Path) -> None:
        name = str(path)
        # A fleet CSV holds one line per device: a million devices are about 50 MB.
        limit = MAX_CSV_BYTES if path.suffix.lower() == ".csv" else MAX_OUTPUT_CHARS
        try:
            size = path.lstat().st_size
            if size > limit:
                what = "a fleet CSV" if limit == MAX_CSV_BYTES else "any device's output"
                inputs.append(_Input(name, error=(
                    f"{name}: {size // (1024 * 1024)} MB is far larger than {what} "
                    f"(limit {limit // (1024 * 1024)} MB)")))
                return
            inputs.append(_Input(name, read_regular(path, limit=limit)))
        except InvalidInput as exc:
            inputs.append(_Input(name, error=exc.message))
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


def _read_all(inputs: list[_Input], platform: str | None,
              fmt: ImportFormat = ImportFormat.auto, *, check_csv: bool = False) -> _Read:
    """Every input read; CSV files kept as text for `_csv_chunks` (with `check_csv`, checked
    whole first: --skip-bad must know a bad file before anything is written)."""
    read = _Read()
    catalogue = active_catalogue()
    with _progress(len(inputs), "reading") as progress:
        task = progress.add_task("reading", total=len(inputs))
        for item in inputs:
            progress.advance(task)
            if item.error or item.data is None:
                read.failures.append(item.error)
                continue
            try:
                text = decode_output(item.data, item.name,
                                     limit=MAX_CSV_BYTES if item.is_csv else MAX_OUTPUT_CHARS)
                kind = item.kind(text, fmt)
                if kind in ("netbox", "nautobot"):
                    export = read_source(text, item.name, kind, default_platform=platform)
                    read.rows.extend(export.rows())
                    read.notes += [f"{item.name}: {kind} export: ignored {what}"
                                   for what in export.ignored]
                    read.notes += [f"{item.name}: {line}"
                                   for line in export.skipped + export.warnings]
                    if not export.devices:
                        raise InvalidInput(f"{item.name}: no device of the export could be read "
                                           f"({len(export.skipped)} skipped)")
                elif kind == "csv":
                    if check_csv:
                        for _chunk in iter_devices_csv(text, item.name):
                            pass
                    read.csv_texts.append((item.name, text))
                else:
                    found = parse_output(text, platform=platform, source_name=item.name,
                                         catalogue=catalogue)
                    importing.check_facts(found)
                    read.facts.extend(found)
            except InvalidInput as exc:
                read.failures.append(exc.message)
    return read


def _csv_chunks(texts: list[tuple[str, str]], bad: list[str]) -> Iterator[list[CsvDevice]]:
    """The rows of each CSV in chunks; a bad file's message goes to `bad`, and from then on
    the remaining files are only checked (so every bad file is named), never imported."""
    for name, text in texts:
        try:
            if bad:
                for _chunk in iter_devices_csv(text, name):
                    pass
            else:
                yield from iter_devices_csv(text, name)
        except InvalidInput as exc:
            bad.append(exc.message)


def _print_report(report: importing.ImportReport) -> None:
    for change in report.updated[:_DETAIL_LINES]:
        details = "; ".join(f"{k} {old or '-'} -> {new}" for k, (old, new) in change.changes.items())
        console.print(f"updated {change.vendor} {change.serial}: {details}", highlight=False,
                      markup=False)
    created, updated, _unchanged = report.counts()
    if updated > _DETAIL_LINES:
        console.print(f"... and {updated - _DETAIL_LINES} more updated")
    for change in report.created[:_DETAIL_LINES]:
        console.print(f"created {change.vendor} {change.serial} {change.model}", highlight=False,
                      markup=False)
    if created > _DETAIL_LINES:
        console.print(f"... and {created - _DETAIL_LINES} more created")
    for warning in report.warnings[:_DETAIL_LINES]:
        err_console.print(f"warning: {warning}", highlight=False, markup=False)
    console.print(report.summary())


def _merge_reports(*reports: importing.ImportReport) -> importing.ImportReport:
    merged = importing.ImportReport()
    for report in reports:
        merged.merge(report)
    return merged


def _list_failures(failures: list[str], header: str) -> None:
    err_console.print(f"[bold red]error:[/] {header}", highlight=False)
    for failure in failures:
        # A file name may hold CR/LF: one failure stays one line.
        err_console.print(f"  {shown(failure)}", highlight=False, markup=False)


@devices_app.command("import")
def import_(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="Files, folders, or - for stdin. *.csv is CSV."),
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    platform: str | None = typer.Option(
        None, help="netmiko platform, e.g. cisco_ios: skip detection (for NetBox/Nautobot "
        "exports: the platform of devices that have none)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Import the readable files; list the rest (exit 1)."),
    fmt: ImportFormat = typer.Option(
        ImportFormat.auto, "--format",
        help="auto: NetBox/Nautobot JSON or CSV exports by their content, *.csv as fixright "
        "CSV, the rest as show outputs."),
) -> None:
    """Import devices from show outputs, CSV files and NetBox/Nautobot exports (all-or-nothing by default)."""
    read = _read_all(_read_inputs(paths), platform, fmt, check_csv=skip_bad)
    facts, rows, failures = read.facts, read.rows, read.failures
    if failures and not skip_bad:
        _list_failures(failures, f"{len(failures)} input(s) could not be read; nothing was imported:")
        raise typer.Exit(2)
    app = app_context(ctx)
    if facts or rows or read.csv_texts:
        with app.session() as session:
            organization = service.resolve_organization(session, org)
            reports = []
            if facts:
                reports.append(importing.import_facts(session, organization.id, facts, "show",
                                                         actor="cli"))
            if rows or read.csv_texts:
                bad: list[str] = []
                # One import (one report, one audit event) for the exports' rows and every CSV.
                chunks = chain([rows] if rows else [], _csv_chunks(read.csv_texts, bad))
                # The report lists what is printed (and audited); the rest is counted.
                reports.append(importing.import_csv_chunks(session, organization.id, chunks,
                                                           actor="cli", keep=_KEPT))
                if bad:
                    # Raised inside the session: the chunks already written are rolled back.
                    _list_failures(bad, f"{len(bad)} input(s) could not be read; "
                                   "nothing was imported:")
                    raise typer.Exit(2)
            recheck(session, [organization.id], cause="devices import (cli)")
        _print_report(_merge_reports(*reports))
    if read.notes:
        err_console.print(f"[yellow]note:[/] {len(read.notes)} remark(s) on the exports:",
                          highlight=False)
        for note in read.notes[:_DETAIL_LINES]:
            err_console.print(f"  {note}", highlight=False, markup=False)
        if len(read.notes) > _DETAIL_LINES:
            err_console.print(f"  ... and {len(read.notes) - _DETAIL_LINES} more", highlight=False)
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
        devices = queries.list_devices(session, organization.id, search=search,
                                       os_family=os_family, limit=limit,
                                       include_retired=retired)
        rows = [queries.device_row(d) for d in devices]
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
        rows = queries.export_rows(session, organization.id)
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
            result = read_output(text, platform=platform, source_name=item.name,
                                 catalogue=active_catalogue())
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
                for warning in (*fact.warnings, *filter(None, [fact.platform_warning])):
                    err_console.print(f"{item.name}: {fact.serial or fact.model}: {warning}",
                                      highlight=False, markup=False)
    data: list[dict[str, Any]] = [f.as_dict() for f in facts]
    if facts:
        emit(data, FACT_COLUMNS, fmt, title="Devices read")
    if failures:
        _list_failures(failures, f"{len(failures)} input(s) could not be read:")
        raise typer.Exit(2)


def _read_text(path: Path) -> str:
    try:
        return read_regular(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}")
        raise typer.Exit(2) from None  # not reached: fail() exits


def _sibling(hosts_file: Path, given: Path | None, name: str) -> tuple[str, str]:
    """(text, name) of a Nornir groups/defaults file: the given one, or the one beside hosts.yaml."""
    path = given or hosts_file.with_name(name)
    if given is None and not path.is_file():
        return "", name
    return _read_text(path), str(path)


@devices_app.command("collect")
def collect_cmd(
    ctx: typer.Context,
    hosts_file: Path = typer.Argument(
        ..., help="Hosts: fixright YAML, an Ansible YAML inventory or a Nornir hosts.yaml."),
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    workers: int = typer.Option(8, min=1, max=256, help="SSH sessions at once."),
    retries: int = typer.Option(2, min=0, max=10,
                                help="Tries again after a connection error (not after a refused login)."),
    key_file: str = typer.Option("", "--key-file", help="Private key for hosts that name none."),
    agent: bool = typer.Option(False, "--agent", help="Also offer the keys of the SSH agent."),
    jump_host: str = typer.Option("", "--jump-host",
                                  help="[user@]host[:port] to reach hosts that name none through."),
    ssh_config: str = typer.Option("", "--ssh-config",
                                   help="OpenSSH config file (ProxyCommand, ProxyJump...)."),
    groups: Path | None = typer.Option(None, "--groups",
                                       help="Nornir groups.yaml (default: beside the hosts file)."),
    defaults: Path | None = typer.Option(None, "--defaults",
                                         help="Nornir defaults.yaml (default: beside the hosts file)."),
) -> None:
    """Collect show version (+ inventory) over SSH and import the devices.

    Passwords come from environment variables (FIXRIGHT_SSH_USER, FIXRIGHT_SSH_PASSWORD,
    FIXRIGHT_SSH_ENABLE, FIXRIGHT_SSH_KEY_PASSPHRASE for Ansible and Nornir files).
    Hosts without a platform are autodetected.
    """
    text = _read_text(hosts_file)
    groups_text, groups_name = _sibling(hosts_file, groups, "groups.yaml")
    defaults_text, defaults_name = _sibling(hosts_file, defaults, "defaults.yaml")
    if jump_host:
        parse_jump(jump_host, "--jump-host")
    hosts = read_hosts(text, str(hosts_file), groups_text=groups_text, groups_name=groups_name,
                       defaults_text=defaults_text, defaults_name=defaults_name)
    for ignored in hosts.ignored:
        err_console.print(f"note: {hosts_file}: ignored {ignored}", highlight=False, markup=False)
    overrides = Overrides(key_file=key_file, allow_agent=agent, jump_host=jump_host,
                          ssh_config_file=ssh_config)
    targets, failed = resolve(hosts.hosts, overrides=overrides)
    app = app_context(ctx)
    with app.session() as session:  # fail on a bad --org before connecting anywhere
        organization_id = service.resolve_organization(session, org).id
    with Progress(console=err_console, transient=True, disable=not targets) as progress:
        task = progress.add_task(f"collecting from {len(targets)} host(s)", total=len(targets))
        results = collect(targets, workers=workers, retries=retries,
                          on_done=lambda _: progress.advance(task))
    failures = [f"{r.name}: {r.error}" for r in failed]
    facts: list[DeviceFacts] = []
    for result in results:
        if result.error:
            failures.append(f"{result.name}: {result.error}")
            continue
        try:
            found = parse_output(result.text, source_name=result.name,
                                 catalogue=active_catalogue())
            importing.check_facts(found)
            facts.extend(found)
        except InvalidInput as exc:
            failures.append(exc.message)
    if facts:
        with app.session() as session:
            _print_report(importing.import_facts(session, organization_id, facts, "ssh",
                                                actor="cli"))
            recheck(session, [organization_id], cause="devices collect (cli)")
    if failures:
        _list_failures(failures, f"{len(failures)} host(s) not imported:")
        raise typer.Exit(1)
