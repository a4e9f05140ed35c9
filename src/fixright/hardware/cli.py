"""`fixright hardware list|validate` and `fixright platforms check`.

Neither touches the database: the catalogue is the shipped data plus the
operator's file (`FIXRIGHT_HARDWARE_PATH`, or `--hardware-file`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from fixright.clikit import app_context, console
from fixright.errors import InvalidInput
from fixright.hardware.catalogue import Catalogue, Family
from fixright.hardware.compatibility import check
from fixright.hardware.load import catalogue_from_settings, read_file, shipped_catalogue
from fixright.output import Format, emit, to_json

hardware_app = typer.Typer(help="The hardware catalogue: image families and the hardware that runs them.",
                           no_args_is_help=True)
platforms_app = typer.Typer(help="Ask the hardware catalogue about a device.", no_args_is_help=True)

_FILES_HELP = "An operator hardware file applied after FIXRIGHT_HARDWARE_PATH (repeatable)."


def _catalogue(ctx: typer.Context, files: list[Path] | None) -> Catalogue:
    settings = app_context(ctx).settings
    return catalogue_from_settings(settings.hardware_path, files or [])


def _row(family: Family) -> dict[str, Any]:
    return {
        "family": family.id,
        "vendor": family.vendor,
        "os_family": family.os_family,
        "prefix": family.prefix,
        "image_globs": list(family.image_globs),
        "description": family.description,
        "models": list(family.models),
        "chassis": list(family.chassis),
        "components": list(family.components),
        "trains": list(family.trains),
        "last_release": family.last_release,
        "end_of_sw_maintenance": family.end_of_sw_maintenance,
        "origin": family.origin,
        "file": family.path,
        "overrides": family.replaced,
        "sources": list(family.sources),
        "notes": family.notes,
    }


@hardware_app.command("list")
def hardware_list(
    ctx: typer.Context,
    vendor: str | None = typer.Option(None, help="Only this vendor's families."),
    os_family: str | None = typer.Option(None, "--os-family", help="Only this OS's families."),
    overrides_only: bool = typer.Option(False, "--overrides", help="Only entries an operator file replaced."),
    files: list[Path] | None = typer.Option(None, "--hardware-file", help=_FILES_HELP),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """List image families, marking those an operator file overrides or adds."""
    catalogue = _catalogue(ctx, files)
    rows = [
        _row(f)
        for f in catalogue
        if (vendor is None or f.vendor == vendor.lower())
        and (os_family is None or f.os_family == os_family.lower())
        and (not overrides_only or f.origin == "override")
    ]
    columns = ["family", "vendor", "os_family", "models", "trains", "origin"]
    if fmt is Format.csv:
        columns += ["prefix", "chassis", "components", "last_release", "file", "overrides", "sources"]
    emit(rows, columns, fmt, title="Hardware families")
    if fmt is Format.table and catalogue.overrides:
        names = ", ".join(f"{f.id} ({f.path})" for f in catalogue.overrides)
        console.print(f"overridden by operator files: {names}", highlight=False)


@hardware_app.command("validate")
def hardware_validate(
    path: Path = typer.Argument(..., help="A hardware file (TOML, see docs/hardware.md)."),
) -> None:
    """Check a hardware file; exit 2 with one line naming file, line and field if it is wrong."""
    document = read_file(path)
    shipped = shipped_catalogue()
    replaced = sorted(key for key in document.families if key in shipped)
    added = len(document.families) - len(replaced)
    line = f"{path}: {len(document.families)} families valid ({added} new"
    line += f", {len(replaced)} overriding shipped: {', '.join(replaced)})" if replaced else ")"
    console.print(line, highlight=False, markup=False)


@platforms_app.command("check")
def platforms_check(
    ctx: typer.Context,
    model: str = typer.Option(..., "--model", help="The device's model / PID, e.g. WS-C3560CX-12PC-S."),
    image: str = typer.Option(..., "--image", help="The image file name."),
    components: list[str] | None = typer.Option(
        None, "--component", help="An installed supervisor or route processor PID (repeatable)."
    ),
    os_family: str | None = typer.Option(None, "--os-family", help="The device's OS, when known."),
    files: list[Path] | None = typer.Option(None, "--hardware-file", help=_FILES_HELP),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Can this model run this image? true, false, or null when the catalogue does not know."""
    if len(model) > 200 or len(image) > 1000:
        raise InvalidInput("--model or --image is too long")
    result = check(
        _catalogue(ctx, files), model=model, image=image, components=components or (),
        os_family=os_family.lower() if os_family else None,
    )
    if fmt is Format.json:
        console.print(to_json(result.as_dict()), markup=False, highlight=False)
        return
    emit([result.as_dict()], ["compatible", "image_family", "why"], fmt, title="Compatibility")
