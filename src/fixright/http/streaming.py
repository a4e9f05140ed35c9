"""Streamed exports: rows read in batches from their own session, sent as CSV or JSON Lines.

A request's session (`deps.get_session`) closes when the endpoint returns,
before a streamed body is sent; an export therefore reads through a session
of its own, opened when the first chunk is asked for and closed after the
last (or when the client goes away). It only reads: a server killed halfway
leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from fixright.output import csv_chunks, json_lines_chunks

EXPORT_FORMATS = "^(csv|jsonl)$"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}

Rows = Callable[[Session], Iterator[Mapping[str, Any]]]


def _body(request: Request, rows: Rows, columns: Sequence[str], fmt: str) -> Iterator[bytes]:
    state = request.app.state
    factory = getattr(state, "read_session_factory", None) or state.session_factory
    with factory() as session:
        source = rows(session)
        chunks = csv_chunks(source, columns) if fmt == "csv" else json_lines_chunks(source)
        for chunk in chunks:
            yield chunk.encode()


def export_response(request: Request, rows: Rows, columns: Sequence[str], fmt: str,
                    filename: str) -> StreamingResponse:
    """A streamed download of `rows(session)` in `fmt` (csv or jsonl), named `filename`."""
    return StreamingResponse(
        _body(request, rows, columns, fmt), media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )
