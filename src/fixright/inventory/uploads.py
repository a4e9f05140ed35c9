"""Imports from uploaded or pasted documents (web UI and API), all-or-nothing.

The CLI reads files from disk; the portal gets (name, bytes) pairs. Both end
in the same service calls, and any unreadable document refuses the whole
import with every problem named.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from fixright.errors import InvalidInput
from fixright.hardware import active_catalogue
from fixright.inventory import importing
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.importing import ImportReport
from fixright.inventory.parse import MAX_OUTPUT_CHARS, DeviceFacts, decode_output, parse_output

MAX_UPLOAD_BYTES = MAX_OUTPUT_CHARS  # what the parser reads at most


def looks_like_csv(name: str, data: bytes) -> bool:
    """A `.csv` name, or a first line that is our CSV header."""
    if name.lower().endswith(".csv"):
        return True
    first = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].lower()
    return b"serial" in first and b"vendor" in first and b"," in first


def import_uploads(
    session: Session,
    organization_id: int,
    documents: Sequence[tuple[str, bytes]],
    *,
    platform: str | None = None,
    source: str = "api",
    actor: str = "system",
) -> ImportReport:
    """Parse every document (show output or CSV) and import them in one go.

    Raises `InvalidInput` listing each unreadable document (nothing is written).
    """
    if not documents:
        raise InvalidInput("nothing to import: give a file or paste some output")
    facts: list[DeviceFacts] = []
    csv_rows = []
    failures: list[str] = []
    catalogue = active_catalogue()
    for name, data in documents:
        if len(data) > MAX_UPLOAD_BYTES:
            failures.append(f"{name}: {len(data)} bytes is larger than the "
                            f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB limit")
            continue
        try:
            text = decode_output(data, name)
            if looks_like_csv(name, data):
                csv_rows.extend(read_devices_csv(text, name))
            else:
                found = parse_output(text, platform=platform, source_name=name,
                                     catalogue=catalogue)
                importing.check_facts(found)
                facts.extend(found)
        except InvalidInput as exc:
            failures.append(exc.message)
    if failures:
        raise InvalidInput("; ".join(failures))
    report = ImportReport()
    if facts:
        report.merge(importing.import_facts(session, organization_id, facts, source, actor=actor))
    if csv_rows:
        report.merge(importing.import_csv_rows(session, organization_id, csv_rows, actor=actor,
                                               catalogue=catalogue))
    return report
