"""`fixright check`: the one-shot a new user runs first.

Reads show outputs and says, per device, which advisories affect it and which
release fixes them. Run against a portal's database with an organisation, it
also says whether that owner may download the fix's images under the active
policy (a what-if: these checks are not written to the audit log).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from fixright.advisories.checking import run_check
from fixright.output import Format


# The database path only: SQLAlchemy, the models, the catalogue and policy code load
# when it is taken, so `check --advisories` starts without them (deliberate
# laziness, as in fixright.cli).
def _load_planner(session: Any) -> Any:
    from fixright.advisories.cache import load_planner

    return load_planner(session)


def _annotator(slug: str | None) -> Any:
    def annotate(session: Any, reports: list[dict[str, Any]]) -> None:
        from fixright.reports.whatif import annotate_downloads

        annotate_downloads(session, reports, slug)
    return annotate


def check(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Show outputs (files or folders) the inventory parser reads."),
    advisories: list[Path] = typer.Option(None, "--advisories", help="Advisory files or folders to use instead of the database."),
    org: str | None = typer.Option(None, "--org", help="Say whether this owner may download each fix (default: the only owner organisation)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv (one row per device and advisory)."),
) -> None:
    """Which advisories affect these devices, which release fixes them, and whether you may download it."""
    run_check(ctx, paths, advisories, fmt, load_planner=_load_planner,
              annotate=_annotator(org))
