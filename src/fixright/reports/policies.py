"""`fixright report policies`: what each policy means for a fleet, side by side."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import typer

from fixright.clikit import app_context, console
from fixright.contracts.cli import parse_today
from fixright.entitlement import service
from fixright.entitlement.fleet import SEVERITY_COLUMNS, PolicyOutcome, compare_policies
from fixright.entitlement.presets import PRESETS
from fixright.errors import InvalidInput
from fixright.inventory.service import resolve_organization
from fixright.output import emit

COLUMNS = ["policy", "exposed", "may_download", "blocked_pct", "only_via_contract",
           "contract_would_unlock", "no_known_fix", "triaged_away", "contract_cost_per_year",
           *[f"{s}_allowed" for s in SEVERITY_COLUMNS]]


def outcome_row(o: PolicyOutcome) -> dict[str, Any]:
    """One table row per policy (`{severity}_allowed` reads "allowed/exposed")."""
    row: dict[str, Any] = {
        "policy": o.policy, "exposed": o.exposed, "triaged_away": o.triaged_away,
        "may_download": o.allowed,
        "blocked_pct": round(100 * o.share_blocked, 1),
        "only_via_contract": o.only_via_contract,
        "contract_would_unlock": o.contract_would_unlock, "no_known_fix": o.no_known_fix,
        "contract_cost_per_year": ", ".join(
            f"{v} {k}" for k, v in sorted(o.contract_cost_per_year.items())) or "0",
    }
    for severity in SEVERITY_COLUMNS:
        done, total = o.by_severity.get(severity, (0, 0))
        row[f"{severity}_allowed"] = f"{done}/{total}"
    return row


def outcome_json(o: PolicyOutcome) -> dict[str, Any]:
    """The same facts as `outcome_row` for machines: numbers as numbers, costs per currency."""
    return {
        "policy": o.policy, "exposed": o.exposed, "triaged_away": o.triaged_away,
        "may_download": o.allowed,
        "blocked_pct": round(100 * o.share_blocked, 1),
        "only_via_contract": o.only_via_contract,
        "contract_would_unlock": o.contract_would_unlock, "no_known_fix": o.no_known_fix,
        "contract_cost_per_year": {k: float(v) for k, v in sorted(o.contract_cost_per_year.items())},
        "by_severity": {s: {"allowed": o.by_severity.get(s, (0, 0))[0],
                            "exposed": o.by_severity.get(s, (0, 0))[1]}
                        for s in SEVERITY_COLUMNS},
    }


def render_html(rows: list[dict[str, Any]], title: str) -> str:
    """A standalone page: the table and a horizontal bar per policy (share that may download)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in COLUMNS) + "</tr>"
        for r in rows)
    bars = "".join(
        f'<div class="bar"><span class="label">{html.escape(r["policy"])}</span>'
        f'<span class="fill" style="width:{100 - r["blocked_pct"]:.1f}%"></span>'
        f'<span class="value">{100 - r["blocked_pct"]:.1f}% may download</span></div>'
        for r in rows)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}}
td:first-child,th:first-child{{text-align:left}}
.bar{{display:flex;align-items:center;margin:.3rem 0}}
.label{{width:14rem}}.fill{{display:inline-block;height:1.2rem;background:#2a7ab0;max-width:30rem}}
.value{{margin-left:.5rem}}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Of the devices exposed to at least one advisory, the share that may download the release
that fixes all of them, under each policy. Devices triaged as not affected (or fixed) for
every advisory that matches them are not exposed: the triaged_away column counts them.</p>
<div style="width:46rem">{bars}</div>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
</body></html>
"""


def policies_command(
    ctx: typer.Context,
    policies: list[str] = typer.Argument(None, help="Policies to compare (default: presets)."),
    org: str | None = typer.Option(None, "--org", help="Organisation slug (default: the only one)."),
    today: str | None = typer.Option(None, "--today", help="As of this ISO date."),
    fmt: str = typer.Option("table", "--format", help="table, json, csv or html."),
) -> None:
    """Per policy: exposed devices, how many may download their fix, via contract, cost."""
    if fmt not in ("table", "json", "csv", "html"):
        raise InvalidInput(f"--format {fmt!r}: use table, json, csv or html")
    day: date = parse_today(today)
    names = list(policies or PRESETS)
    with app_context(ctx).session(writes=False) as session:
        organization = resolve_organization(session, org)
        chosen = [service.get_policy(session, name) for name in names]
        outcomes = compare_policies(session, organization.id, chosen, today=day)
    rows = [outcome_row(o) for o in outcomes]
    title = f"Policies for {organization.slug} on {day}"
    if fmt == "html":
        typer.echo(render_html(rows, title), nl=False)
        return
    if fmt == "json":
        emit([], COLUMNS, fmt, json_data=[outcome_json(o) for o in outcomes])
        return
    emit(rows, COLUMNS, fmt, title=title, drop=(
        "low_allowed", "medium_allowed", "only_via_contract", "blocked_pct", "high_allowed",
        "critical_allowed", "contract_cost_per_year"))
    if fmt == "table":
        console.print("{severity}_allowed = allowed/exposed, by each device's worst advisory",
                      highlight=False)
