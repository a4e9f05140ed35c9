"""Reading advisory documents from files and folders, one at a time.

`read_paths` reads everything (for `check --advisories`); the import reads
through `read_files`, which yields one document at a time so the service
stores each before reading the next (an openVuln API answer of thousands of
advisories comes in parts of `STREAM_BATCH`), and skips files whose advisory is
stored at the same revision after a cheap peek (`peek_identity`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from fixright.advisories.formats import peek_identity, read_document_parts
from fixright.advisories.records import ReadResult
from fixright.errors import InvalidInput
from fixright.safe_open import read_regular

# What a folder is searched for: JSON (CSAF, openVuln, CVE 5) and CVRF XML documents.
DOCUMENT_SUFFIXES = (".json", ".xml")
Progress = Callable[[int, int], None]
"""Called as (files done, files in all) while an import reads its files."""


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and every `*.json` and `*.xml` under each folder (sorted).
    Missing paths are bad input."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()))
        elif path.exists() or path.is_symlink():
            files.append(path)  # reading refuses links and special files, by name
        else:
            raise InvalidInput(f"{path}: no such file or folder")
    return files


def read_paths(
    paths: Sequence[Path], *, skip_bad: bool = False, lenient: bool = False, strict: bool = False
) -> tuple[list[ReadResult], list[tuple[str, str]]]:
    """Read every document; returns (results, skipped). Raises on the first bad file unless
    skip_bad; `strict` refuses vendor quirks."""
    skipped: list[tuple[str, str]] = []
    results = list(read_files(paths, skipped, [], skip_bad=skip_bad, lenient=lenient,
                               strict=strict))
    return results, skipped


def read_files(
    paths: Sequence[Path],
    skipped: list[tuple[str, str]],
    unchanged: list[tuple[str, str]],
    *,
    skip_bad: bool,
    lenient: bool,
    strict: bool,
    stored: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> Iterator[ReadResult]:
    """Each document read, one at a time (an import stores one before reading the next,
    so memory holds one document, not the archive). Appends to `skipped` the bad files
    (with skip_bad) and to `unchanged` the (file, advisory id) pairs left unread because
    `stored` (advisory id -> stored revision) holds their advisory at that revision: an
    archive imported again costs a peek per file (`peek_identity`), not a full read."""
    files = expand_paths(paths)
    for done, path in enumerate(files, 1):
        raw = read_regular(path)
        identity = peek_identity(raw) if stored else None
        if identity is not None and stored is not None and (
                stored.get(identity[0], "\0").strip() == identity[1].strip()):
            unchanged.append((str(path), identity[0]))
        else:
            try:
                parts = read_document_parts(raw, str(path), lenient=lenient, strict=strict)
                del raw  # decoded: the reader holds the text alone
                if skip_bad:
                    # A bad file is skipped whole: read all of it before storing any part.
                    parts = iter(list(parts))
            except InvalidInput as exc:
                if not skip_bad:
                    raise
                skipped.append((str(path), exc.message))
            else:
                yield from parts
        if progress is not None:
            progress(done, len(files))
