"""`fixright report ...`: fleet reports as table, JSON or CSV.

`report_app` is shared: the advisories domain adds `exposure` and `fixes`
here, the contracts domain `coverage` and `policies`.
"""

from __future__ import annotations

import typer

from fixright.clikit import app_context, err_console
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit
from fixright.reports.exposure import (
    EXPOSURE_COLUMNS,
    FIX_COLUMNS,
    STATUS_TRIAGED,
    exposure_rows,
    fix_rows,
)

# Left out first when a terminal is narrow; what stays says what to do and to which device.
EXPOSURE_DROP = ("triage", "kev_due", "epss", "kev", "os_family", "model", "critical", "high",
                 "hostname", "status", "advisories", "advisory_ids", "combined_fix", "version")
FIX_DROP = ("upgrade_targets", "reason", "inferred", "cves", "os_family", "hostname",
            "combined_fix", "severity", "version", "first_fixed")

report_app = typer.Typer(help="Fleet reports: exposure, fixes, coverage, policies.",
                         no_args_is_help=True)


@report_app.command("exposure")
def exposure(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Per device: which advisories affect it and its combined fix."""

    # Rows stream from the database to stdout: the session stays open while they are written.
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        report = exposure_rows(session, organization.id)
        fleet = report.fleet
        if fmt is not Format.table:
            emit(report.rows, EXPOSURE_COLUMNS, fmt, title=f"Exposure of {organization.slug}")
            return
        rows = list(report.rows)
    emit(rows, EXPOSURE_COLUMNS, fmt, title=f"Exposure of {organization.slug}",
         drop=EXPOSURE_DROP)
    if fmt is Format.table:
        away = sum(1 for r in rows if r["status"] == STATUS_TRIAGED)
        err_console.print(
            f"{len(rows)} devices: {fleet.affected - away} affected, {away} triaged away, "
            f"{fleet.not_affected} not affected, "
            f"{fleet.unknown} unknown (version unreadable: never counted safe)", highlight=False,
        )


@report_app.command("fixes")
def fixes(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Per affected device and advisory: the first fixed release, and the combined fix."""

    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        # JSON keeps the targets structured; other formats get one readable cell.
        rows = fix_rows(session, organization.id, targets_as_text=fmt is not Format.json)
        emit(rows, FIX_COLUMNS, fmt, title=f"Fix plan of {organization.slug}", drop=FIX_DROP)


from fixright.reports.coverage import coverage_command  # noqa: E402

report_app.command("coverage")(coverage_command)

from fixright.reports.policies import policies_command  # noqa: E402

report_app.command("policies")(policies_command)

from fixright.reports.cliff import cliff_command  # noqa: E402

report_app.command("cliff")(cliff_command)

from fixright.reports.lifecycle import lifecycle_command  # noqa: E402

report_app.command("lifecycle")(lifecycle_command)

from fixright.reports.claims import claims_command  # noqa: E402

report_app.command("claims")(claims_command)
