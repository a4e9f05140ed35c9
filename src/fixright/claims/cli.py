"""`fixright claims create DEVICE ADVISORY | list | show | set-state | pdf`."""

from __future__ import annotations

from pathlib import Path

import typer

from fixright.claims import service
from fixright.claims.pdf import render_pdf
from fixright.clikit import app_context, err_console
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit, to_json

claims_app = typer.Typer(help="Security-fix claims for exposed devices the policy denies.",
                         no_args_is_help=True)
_ORG = typer.Option(None, "--org", help="Organisation slug (default: the only one).")
COLUMNS = ["id", "state", "serial", "pid", "advisory", "fix", "created", "sent", "decided"]


@claims_app.command("create")
def create(
    ctx: typer.Context,
    device: str = typer.Argument(..., help="Device id or serial."),
    advisory: str = typer.Argument(..., help="Advisory id, e.g. cisco-sa-20180328-smi2."),
    org: str | None = _ORG,
    pdf: Path | None = typer.Option(None, "--pdf", help="Also write the packet's PDF here."),
) -> None:
    """Draft a claim packet (JSON on stdout) for an exposed device the active policy denies."""
    with app_context(ctx).session() as session:
        organization = resolve_organization(session, org)
        claim = service.create_claim(session, organization.id, device, advisory, actor="cli")
        packet = dict(claim.packet)
        if pdf is not None:  # before the commit: a missing extra leaves no claim behind
            pdf.write_bytes(render_pdf(packet))
    typer.echo(to_json(packet))
    err_console.print(f"claim {packet['claim']} drafted", highlight=False)


@claims_app.command("list")
def list_(ctx: typer.Context, org: str | None = _ORG,
          fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """The organisation's claims, newest first."""
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        rows = [service.claim_row(c) for c in service.list_claims(session, organization.id)]
    emit(rows, COLUMNS, fmt, title=f"Claims of {organization.slug}")


@claims_app.command("show")
def show(ctx: typer.Context, claim_id: int = typer.Argument(...), org: str | None = _ORG,
         pdf: Path | None = typer.Option(None, "--pdf", help="Write the packet's PDF here.")
         ) -> None:
    """The claim's packet as JSON (and its PDF with --pdf)."""
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        claim = service.get_claim(session, organization.id, claim_id)
        packet = dict(claim.packet) | {"state": claim.state}
    if pdf is not None:
        pdf.write_bytes(render_pdf(packet))
    typer.echo(to_json(packet))


@claims_app.command("set-state")
def set_state(
    ctx: typer.Context,
    claim_id: int = typer.Argument(...),
    state: str = typer.Argument(..., help="sent, granted or refused."),
    note: str | None = typer.Option(None, "--note", help="e.g. the TAC case number."),
    org: str | None = _ORG,
) -> None:
    """Move a claim on: drafted -> sent -> granted | refused (audited)."""
    with app_context(ctx).session() as session:
        organization = resolve_organization(session, org)
        claim = service.set_state(session, organization.id, claim_id, state, actor="cli",
                                  note=note)
        err_console.print(f"claim {claim.id} is {claim.state}", highlight=False)
