"""`fixright triage set|list`: record what was decided about an advisory on devices."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import typer

from fixright.changes.service import recheck
from fixright.clikit import app_context, console
from fixright.errors import InvalidInput
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit
from fixright.triage import service
from fixright.triage.export import FORMATS, export
from fixright.triage.states import JUSTIFICATIONS, STATES, check

triage_app = typer.Typer(help="Triage: per device and advisory, what was decided and why.",
                         no_args_is_help=True)
_ORG = typer.Option(None, "--org", help="Organisation slug (default: the only one).")
COLUMNS = ["serial", "hostname", "advisory_id", "state", "justification", "expires", "reason",
           "actor", "updated_at"]


def _date(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option} {text!r} is not an ISO date (YYYY-MM-DD)") from None


@triage_app.command("set")
def set_(
    ctx: typer.Context,
    advisory: str = typer.Argument(..., help="Advisory id, e.g. cisco-sa-20180328-smi2."),
    state: str = typer.Argument(..., help=f"One of {', '.join(STATES)}."),
    serial: list[str] = typer.Option([], "--serial", help="A device's serial (repeatable)."),
    os_family: str | None = typer.Option(None, help="Or every device of this OS family..."),
    version: str | None = typer.Option(None, help="...running this release..."),
    model_prefix: str | None = typer.Option(None, help="...whose model starts with this."),
    justification: str | None = typer.Option(
        None, help=f"For not_affected: {', '.join(JUSTIFICATIONS)}."),
    expires: str | None = typer.Option(None, help="For accepted_risk: review by YYYY-MM-DD."),
    reason: str = typer.Option(..., help="Why; stored and audited."),
    org: str | None = _ORG,
    today: str | None = typer.Option(None, help="Decide as of this date (default: today)."),
) -> None:
    """Record one decision for the named devices (all-or-nothing, audited)."""
    day = _date(today, "--today") or date.today()
    verdict = check(state, justification=justification, expires=_date(expires, "--expires"),
                    reason=reason, today=day)
    where = service.DeviceFilter(os_family=os_family, version=version, model_prefix=model_prefix)
    with app_context(ctx).session() as session:
        organization = resolve_organization(session, org)
        count = service.set_triage(session, organization.id, advisory_id=advisory,
                                   verdict=verdict, actor="cli", serials=serial, where=where)
        recheck(session, [organization.id], cause="triage (cli)", today=day)
    plural = "device" if count == 1 else "devices"
    console.print(f"{organization.slug}: {advisory} is {verdict.state} on {count} {plural}",
                  highlight=False)


@triage_app.command("list")
def list_(
    ctx: typer.Context,
    org: str | None = _ORG,
    fmt: Format = typer.Option(Format.table, "--format"),
    today: str | None = typer.Option(None, help="States as of this date (default: today)."),
) -> None:
    """The organisation's decisions, newest first (an expired acceptance reads `affected`)."""
    day = _date(today, "--today") or date.today()
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        findings, _total = service.list_findings(session, organization.id, day,
                                                 limit=service.MAX_DEVICES)
    emit([f.__dict__ for f in findings], COLUMNS, fmt, title=f"Triage of {organization.slug}")


@triage_app.command("export")
def export_(
    ctx: typer.Context,
    fmt: str = typer.Option(..., "--format", help=f"One of {', '.join(FORMATS)}."),
    org: str | None = _ORG,
    output: Path | None = typer.Option(None, "-o", "--output",
                                       help="Write the document here (default: stdout)."),
    today: str | None = typer.Option(None, help="States as of this date (default: today)."),
) -> None:
    """The organisation's triaged state as a CSAF 2.0 VEX or CycloneDX 1.6 VEX document."""
    day = _date(today, "--today")
    if fmt not in FORMATS:
        raise InvalidInput(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        document = export(session, organization, fmt, today=day)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {output}: {exc.strerror or exc}") from None
    console.print(f"{organization.slug}: {fmt} written to {output}", highlight=False)
