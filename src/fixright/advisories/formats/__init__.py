"""Advisory readers: CSAF 2.0/2.1, CVRF 1.1/1.2 (XML), Cisco openVuln JSON, CVE JSON 5. PURE.

    >>> from fixright.advisories.formats import read_document
    >>> result = read_document(raw_bytes, "cisco-sa-20180328-smi2.json")
    >>> result.advisories[0].advisory_id
    'cisco-sa-20180328-smi2'

`read_document` recognises the format from the document itself and returns a
`ReadResult` (advisories, and what a lenient read dropped), or raises
`InvalidInput` naming the source and the JSON path at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fixright.advisories.formats.csaf import read_csaf
from fixright.advisories.formats.cve5 import is_cve5, read_cve5
from fixright.advisories.formats.cvrf import is_cvrf, read_cvrf
from fixright.advisories.formats.openvuln import is_openvuln, read_openvuln, read_openvuln_stream
from fixright.advisories.records import ReadResult
from fixright.errors import InvalidInput
from fixright.jsontext import decode_text, load_json

# The largest document read whole (CSAF, CVE 5, CVRF: vendors' largest are a few MB).
# A document is held parsed while it is read, at about seven times its size (a
# 50 MB CSAF file peaks near 360 MB), so this limit is what bounds memory. An
# openVuln API answer is read one advisory at a time instead and has no limit.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024

__all__ = [
    "detect_format",
    "peek_identity",
    "read_csaf",
    "read_cve5",
    "read_cvrf",
    "read_document",
    "read_document_parts",
    "read_openvuln",
]


def detect_format(data: Any) -> str | None:
    """`csaf`, `openvuln`, `cve5`, or None for parsed JSON of another shape."""
    if isinstance(data, dict) and isinstance(data.get("document"), dict) and (
        "csaf_version" in data["document"] or "product_tree" in data
    ):
        return "csaf"
    if is_cve5(data):
        return "cve5"
    if is_openvuln(data):
        return "openvuln"
    return None


# CVRF's tracking block, its ID and Version, found without building the XML tree.
_CVRF_TRACKING = re.compile(rb"<(?:[\w.-]+:)?DocumentTracking\b(.*?)</(?:[\w.-]+:)?DocumentTracking>", re.S)
_CVRF_ID = re.compile(rb"<(?:[\w.-]+:)?ID\b[^>]*>([^<]*)</")
_CVRF_VERSION = re.compile(rb"<(?:[\w.-]+:)?Version>([^<]*)</")


# The openVuln API's answer: an object whose first member is the `advisories` array.
_OPENVULN_ANSWER = re.compile(rb'[ \t\n\r]*\{[ \t\n\r]*"advisories"[ \t\n\r]*:[ \t\n\r]*\[')


def is_openvuln_answer(raw: bytes | str) -> bool:
    """True for `{"advisories": [...` (UTF-8): read as a stream, one advisory at a time."""
    head = raw[:256].encode() if isinstance(raw, str) else raw[:256]
    return _OPENVULN_ANSWER.match(head) is not None


def peek_identity(raw: bytes | str) -> tuple[str, str] | None:
    """(advisory id, revision) of a CSAF or CVRF document, read cheaply; None otherwise.

    Lets an import skip a document stored already at that revision before
    reading it in full. CVRF is searched as text (no XML tree, no entities);
    CSAF is parsed as JSON but not validated. Anything unexpected gives None,
    and the document is then read in full.
    """
    data = raw.encode() if isinstance(raw, str) else raw
    if is_openvuln_answer(data):
        return None  # many advisories, no single identity; never parsed whole just to peek
    if is_cvrf(data):
        tracking = _CVRF_TRACKING.search(data)
        if tracking is None:
            return None
        found_id, version = _CVRF_ID.search(tracking[1]), _CVRF_VERSION.search(tracking[1])
        if found_id is None or version is None or b"&" in found_id[1] + version[1]:
            return None
        return found_id[1].decode("utf-8", "replace").strip(), version[1].decode("utf-8", "replace").strip()
    try:
        parsed = load_json(data, "")
    except InvalidInput:
        return None
    if detect_format(parsed) != "csaf":
        return None
    tracking = parsed["document"].get("tracking")
    if not isinstance(tracking, dict) or not isinstance(tracking.get("id"), str):
        return None
    return tracking["id"].strip(), str(tracking.get("version") or "").strip()


def read_document(
    raw: bytes | str, source_name: str, *, lenient: bool = False, strict: bool = False
) -> ReadResult:
    """Parse `raw` (JSON, or CVRF XML) and read it with the reader its shape calls for.

    Vendor quirks are accepted and listed in `ReadResult.warnings`; `strict`
    refuses them as errors; `lenient` drops the unsound parts of a broken
    document instead of refusing it.
    """
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            f"{source_name}: larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB; not read "
            "(an advisory document is a few MB; is this an archive of many?)"
        )
    if is_cvrf(raw):
        return read_cvrf(raw, source_name, lenient=lenient, strict=strict)
    # Deep nesting and over-long integers become InvalidInput there, not a traceback.
    data = load_json(raw, source_name)
    kind = detect_format(data)
    if kind == "csaf":
        return read_csaf(data, source_name, lenient=lenient, strict=strict)
    if kind == "cve5":
        return read_cve5(data, source_name, lenient=lenient, strict=strict)
    if kind == "openvuln":
        return read_openvuln(data, source_name, lenient=lenient)
    raise InvalidInput(
        f"{source_name}: $: not a CSAF 2.0, Cisco openVuln or CVE JSON 5 document"
    )


def read_document_parts(
    raw: bytes | str, source_name: str, *, lenient: bool = False, strict: bool = False
) -> Iterator[ReadResult]:
    """`read_document` in parts: an openVuln API answer `{"advisories": [...]}` is read one
    advisory at a time and comes as several `ReadResult`s of the same source (bounded
    memory for answers of thousands of advisories); any other document is one part.

    Bytes are decoded before this returns, so the caller may drop `raw` at once.
    A failure may come after some parts: store them in one transaction.
    """
    if is_openvuln_answer(raw):
        return read_openvuln_stream(decode_text(raw, source_name), source_name, lenient=lenient)
    return iter([read_document(raw, source_name, lenient=lenient, strict=strict)])
