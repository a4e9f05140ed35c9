"""`fixright images ...` and `fixright releases ...`."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from fixright.catalog import integrity, service
from fixright.catalog.backends import storage_from_url
from fixright.catalog.models import Image, Release
from fixright.catalog.storage import BlobStorage
from fixright.clikit import AppContext, app_context, console, err_console, fail
from fixright.errors import InvalidInput
from fixright.output import Format, emit
from fixright.safe_open import open_regular, shown

images_app = typer.Typer(help="Software images: add, list, verify.", no_args_is_help=True)
releases_app = typer.Typer(help="Software releases: list, defer.", no_args_is_help=True)


def _storage(app: AppContext) -> BlobStorage:
    settings = app.settings
    if settings.storage_url is None:
        settings.ensure_data_dir()
    return storage_from_url(settings.resolved_storage_url(), settings)


@contextmanager
def _progress() -> Iterator[Progress]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        yield progress


def _advance(progress: Progress, task: TaskID) -> Callable[[int], None]:
    return lambda n: progress.advance(task, n)


def _parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _image_row(image: Image) -> dict[str, Any]:
    release = image.release
    return {
        "id": image.id,
        "filename": image.filename,
        "vendor": release.vendor,
        "os_family": release.os_family,
        "version": release.version,
        "train": release.train,
        "kind": release.kind,
        "platform": image.platform,
        "feature_set": image.feature_set,
        "size": image.size,
        "sha256": image.sha256,
        "sha512": image.sha512,
        "md5": image.md5,
        "public": image.public,
        "published_at": image.published_at,
    }


@images_app.command("add")
def images_add(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Image files to add."),
    version: str | None = typer.Option(None, "--version", help="Release version, if the file name does not say."),
    platform: str | None = typer.Option(None, "--platform", help="Platform token (c2960x, cat9k, ex...)."),
    feature_set: str | None = typer.Option(None, "--feature-set", help="Feature set (universalk9, base...)."),
    kind: str | None = typer.Option(None, "--kind", help="feature, maintenance, rebuild or security."),
    md5: str | None = typer.Option(None, "--md5", help="The MD5 the vendor publishes; refused on mismatch."),
    sha512: str | None = typer.Option(None, "--sha512", help="The SHA-512 the vendor publishes."),
    sha256: str | None = typer.Option(None, "--sha256", help="An expected SHA-256."),
    public: bool = typer.Option(False, "--public", help="Anyone may download it."),
    release_date: str | None = typer.Option(None, "--release-date", help="YYYY-MM-DD."),
) -> None:
    """Add image files: one read computes SHA-256, SHA-512 and MD5 and stores the bytes.

    All files are added in one transaction: if one fails, no row is added.
    """
    if len(files) > 1 and (md5 or sha512 or sha256):
        fail("--md5, --sha512 and --sha256 describe one file; add files one at a time to check them")
    day = _parse_date(release_date, "--release-date")
    app = app_context(ctx)
    storage = _storage(app)
    lines: list[str] = []
    with app.session() as session, _progress() as progress:
        for path in files:
            handle = open_regular(path)
            size = os.fstat(handle.fileno()).st_size
            task = progress.add_task(shown(path.name), total=size)
            with handle:
                result = service.add_image(
                    session, storage, handle, filename=path.name, version=version,
                    platform=platform, feature_set=feature_set, kind=kind, expected_md5=md5,
                    expected_sha512=sha512, expected_sha256=sha256, public=public,
                    release_date=day, actor="cli",
                    progress=_advance(progress, task),
                )
            image = result.image
            verb = "added" if result.created else "exists:"
            lines.append(
                f"{verb} {image.filename}: {image.release.vendor} {image.release.os_family} "
                f"{image.release.version}, {image.platform} {image.feature_set}, "
                f"{image.size} bytes, sha256 {image.sha256}"
            )
    for line in lines:
        console.print(line, highlight=False, markup=False)


_IMAGE_COLUMNS = ("id", "filename", "vendor", "os_family", "version", "train", "kind", "platform",
                  "feature_set", "size", "sha256", "sha512", "md5", "public", "published_at")


@images_app.command("list")
def images_list(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format"),
    platform: str | None = typer.Option(None, "--platform"),
    os_family: str | None = typer.Option(None, "--os-family"),
) -> None:
    """List images (JSON and CSV include every digest)."""
    app = app_context(ctx)
    with app.session() as session:
        rows = [_image_row(i) for i in service.list_images(session, platform=platform,
                                                          os_family=os_family)]
    table_columns = ["id", "filename", "os_family", "version", "platform", "feature_set", "size",
                     "sha256", "public"]
    emit(rows, table_columns if fmt is Format.table else list(_IMAGE_COLUMNS), fmt, title="Images")


@images_app.command("verify")
def images_verify(ctx: typer.Context) -> None:
    """Re-hash every stored image; exit 1 if a blob is missing or corrupted."""
    app = app_context(ctx)
    storage = _storage(app)
    with app.session() as session:
        images = service.list_images(session)
        total = sum(i.size for i in images)
        with _progress() as progress:
            task = progress.add_task("verifying", total=total)
            problems = integrity.verify_blobs(
                session, storage, progress=lambda n: progress.advance(task, n)
            )
        orphans = integrity.orphan_blobs(session, storage)
    if orphans:
        # Not an error: a failed add leaves its blob (never a row without one).
        err_console.print(
            f"note: {len(orphans)} stored blob(s) belong to no image (left by an add that "
            f"failed after storing its bytes): {', '.join(o[:16] + '…' for o in orphans[:5])}",
            highlight=False,
        )
    stale = integrity.stale_temporary(storage, _STALE)
    if stale:
        megabytes = sum(t.size for t in stale) / (1024 * 1024)
        err_console.print(
            f"note: {len(stale)} temporary file(s) ({megabytes:.1f} MB) untouched for over an "
            f"hour, left by adds that were killed: {', '.join(t.name for t in stale[:5])}; "
            "remove them with `fixright images gc --older-than 1h`",
            highlight=False, markup=False,
        )
    if problems:
        rows = [
            {"id": p.image_id, "filename": p.filename, "problem": p.problem, "detail": p.detail,
             "sha256": p.sha256}
            for p in problems
        ]
        emit(rows, ["id", "filename", "problem", "detail", "sha256"], Format.table,
             title="Damaged images", console=err_console)
        err_console.print(f"{len(problems)} of {len(images)} images are missing or corrupted")
        raise typer.Exit(1)
    console.print(f"{len(images)} images verified: every blob is present and intact")


_STALE = timedelta(hours=1)
_DURATION = re.compile(r"(\d{1,9})\s*([smhdw])", re.ASCII)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """`90s`, `15m`, `2h`, `7d` or `1w` as a timedelta, else `InvalidInput`."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise InvalidInput(f"--older-than {text!r}: use a number and a unit, like 90s, 15m, 2h or 7d")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


@images_app.command("gc")
def images_gc(
    ctx: typer.Context,
    older_than: str = typer.Option(..., "--older-than", metavar="DURATION", help=(
        "Only what is untouched for this long (90s, 15m, 2h, 7d): younger files may belong "
        "to an add still running.")),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would go; remove nothing."),
) -> None:
    """Remove temporary files left by killed adds and blobs that belong to no image."""
    age = parse_duration(older_than)
    app = app_context(ctx)
    storage = _storage(app)
    # A write transaction: on SQLite no add is between storing its blob and its row meanwhile.
    with app.session() as session:
        report = integrity.collect_garbage(session, storage, age, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for temp in report.temporary:
        console.print(f"{verb} temporary file {temp.name} ({temp.size} bytes)",
                      highlight=False, markup=False)
    for key, size in report.orphans:
        console.print(f"{verb} orphan blob {key} ({size} bytes)", highlight=False, markup=False)
    console.print(f"{verb} {len(report.temporary)} temporary file(s) and {len(report.orphans)} "
                  f"orphan blob(s), {report.bytes} bytes", highlight=False, markup=False)


def _release_row(release: Release) -> dict[str, Any]:
    return {
        "id": release.id,
        "vendor": release.vendor,
        "os_family": release.os_family,
        "version": release.version,
        "version_normalized": release.version_normalized,
        "train": release.train,
        "kind": release.kind,
        "release_date": release.release_date,
        "deferred": release.deferred,
        "images": len(release.images),
    }


@releases_app.command("list")
def releases_list(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format"),
    os_family: str | None = typer.Option(None, "--os-family"),
    train: str | None = typer.Option(None, "--train"),
) -> None:
    """List releases by family and train, oldest first."""
    app = app_context(ctx)
    with app.session() as session:
        rows = [_release_row(r) for r in service.list_releases(session, os_family=os_family,
                                                              train=train)]
    columns = ["id", "vendor", "os_family", "version", "train", "kind", "release_date",
               "deferred", "images"]
    if fmt is not Format.table:
        columns.insert(4, "version_normalized")
    emit(rows, columns, fmt, title="Releases")


@releases_app.command("defer")
def releases_defer(
    ctx: typer.Context,
    version: str = typer.Argument(..., help="The release's version, in any spelling."),
    os_family: str | None = typer.Option(None, "--os-family", help="Needed when ambiguous."),
    undo: bool = typer.Option(False, "--undo", help="Clear the deferred mark."),
) -> None:
    """Mark a release deferred (withdrawn from recommendation), or clear the mark."""
    app = app_context(ctx)
    with app.session() as session:
        release = service.set_deferred(session, version, not undo, os_family=os_family)
        state = "deferred" if release.deferred else "no longer deferred"
        line = f"{release.vendor} {release.os_family} {release.version} is {state}"
    console.print(line, highlight=False, markup=False)
