"""`fixright policy show|list|set|check|compare`."""

from __future__ import annotations

from pathlib import Path

import typer

from fixright.clikit import app_context, console
from fixright.contracts.cli import parse_today
from fixright.entitlement import service
from fixright.entitlement.presets import PRESETS
from fixright.errors import InvalidInput
from fixright.inventory.service import resolve_organization
from fixright.output import Format, emit
from fixright.safe_open import read_regular

policy_app = typer.Typer(help="Entitlement policies: who may download which image.",
                         no_args_is_help=True)
_ORG = typer.Option(None, "--org", help="Organisation slug (default: the only one).")
_IMAGE = typer.Option(..., "--image", help="Image id or file name.")
_TODAY = typer.Option(None, "--today", help="Decide as of this ISO date.")


@policy_app.command("list")
def list_(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Presets and stored policies, and which one is active."""
    with app_context(ctx).session() as session:
        rows = service.list_policies(session)
        active, _ = service.active_policy(session)
    for row in rows:
        row["active"] = "yes" if row["name"] == active else ""
    emit(rows, ["name", "kind", "active", "description"], fmt, title="Policies")


@policy_app.command("show")
def show(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Policy name (default: the active one)."),
    toml: bool = typer.Option(False, "--toml", help="Print the TOML text."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """A policy in plain words: each grant and its conditions."""
    with app_context(ctx).session() as session:
        if name is None:
            name, policy = service.active_policy(session)
        else:
            policy = service.get_policy(session, name)
        text = service.policy_text(session, name)
    if toml:
        typer.echo(text, nl=False)
        return
    rows = [{"grant": g.name, "holds when": g.describe(), "description": g.description}
            for g in policy.grants]
    if fmt is Format.table:
        console.print(f"[bold]{policy.name}[/]: {policy.description}", highlight=False)
    emit(rows, ["grant", "holds when", "description"], fmt, title="Grants (any one allows)",
         json_data={"name": policy.name, "description": policy.description, "grants": rows})


@policy_app.command("set")
def set_(
    ctx: typer.Context,
    policy: str = typer.Argument(..., help=f"A preset ({', '.join(PRESETS)}), a stored "
                                           "policy name, or a FILE.toml"),
) -> None:
    """Make a policy the active one (a TOML file is validated and stored under its name)."""
    path = Path(policy)
    if policy.endswith(".toml") or path.is_file():
        try:
            argument = read_regular(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{policy}: not UTF-8 text (byte {exc.start})") from None
        if not argument.strip():
            raise InvalidInput(f"{policy}: empty file; a policy needs at least one [[grant]] table")
        source = str(path)
    else:
        argument, source = policy, "<policy>"
    with app_context(ctx).session() as session:
        row = service.set_active_policy(session, argument, actor="cli", source=source)
        name = row.name
    console.print(f"active policy: {name}", highlight=False)


@policy_app.command("check")
def check(
    ctx: typer.Context,
    org: str | None = _ORG,
    image: str = _IMAGE,
    policy: str | None = typer.Option(None, "--policy", help="Policy (default: the active one)."),
    today: str | None = _TODAY,
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """May the organisation download the image? The decision and its reasons (audited)."""
    day = parse_today(today)
    with app_context(ctx).session() as session:
        organization = resolve_organization(session, org)
        decision = service.decide(session, organization.id, image, actor="cli", policy=policy,
                                  today=day, organization=organization.slug)
    if fmt is Format.table:
        console.print(decision.explain(), highlight=False, markup=False)
    else:
        data = decision.to_dict()
        emit([data], list(data), fmt, json_data=data)


@policy_app.command("compare")
def compare(
    ctx: typer.Context,
    policies: list[str] = typer.Argument(None, help="Policies (default: every preset)."),
    org: str | None = _ORG,
    image: str = _IMAGE,
    today: str | None = _TODAY,
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """One image, several policies side by side (not audited: a what-if)."""
    day = parse_today(today)
    names = list(policies or PRESETS)
    with app_context(ctx).session() as session:
        organization = resolve_organization(session, org)
        decisions = service.compare(session, organization.id, image, names, today=day,
                                    organization=organization.slug)
    rows = []
    for d in decisions:
        why = d.reasons if d.allowed else [f.message for g in d.grants for f in g.failures][:1]
        rows.append({"policy": d.policy, "allowed": "yes" if d.allowed else "no",
                     "grant": d.grant, "device": d.device_serial,
                     "why": "; ".join(why), "hint": d.hint})
    emit(rows, ["policy", "allowed", "grant", "device", "why"], fmt,
         title=f"{decisions[0].image if decisions else image} for {organization.slug}",
         json_data=[d.to_dict() for d in decisions])
