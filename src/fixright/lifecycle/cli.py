"""`fixright lifecycle import FILE | list`."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import typer

from fixright.clikit import app_context, err_console
from fixright.lifecycle import service
from fixright.lifecycle.records import CSV_COLUMNS, read_lifecycle
from fixright.output import Format, emit
from fixright.safe_open import read_regular

lifecycle_app = typer.Typer(help="Lifecycle dates of hardware and image families (EoX).",
                            no_args_is_help=True)

SAMPLE = "cisco-eox-sample.json"


def sample_path() -> Path:
    """The shipped, sourced sample (a Cisco EoX answer); see lifecycle/data/README.md."""
    return Path(str(files("fixright.lifecycle").joinpath("data", SAMPLE)))


@lifecycle_app.command("import")
def import_(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help=(
        "CSV or JSON of lifecycle dates, or a Cisco EoX API answer ({\"EOXRecord\": [...]}). "
        "Formats: docs/hardware.md.")),
) -> None:
    """Import lifecycle dates (all-or-nothing; a PID or family already stored is replaced)."""
    records = read_lifecycle(read_regular(path), str(path))
    with app_context(ctx).session() as session:
        result = service.import_records(session, records, source=path.name, actor="cli")
    err_console.print(f"{path.name}: {result.created} lifecycle records added, "
                      f"{result.updated} replaced", highlight=False)


@lifecycle_app.command("list")
def list_(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """The stored lifecycle dates, one row per PID or image family."""
    with app_context(ctx).session(writes=False) as session:
        records = service.list_records(session)
    rows = [{name: getattr(r, name) for name in CSV_COLUMNS} for r in records]
    emit(rows, CSV_COLUMNS, fmt, title="Lifecycle dates")
