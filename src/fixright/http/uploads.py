"""Documents sent to an import route: multipart file(s), pasted text fields, or a raw body.

Import routes take a `DocumentsDep` and get `(name, bytes)` pairs: one per
uploaded file (named by its file name), one per non-empty `text` form field
(pasted output), or the whole request body (named by the `filename` query
parameter). No document is read past `max_bytes + 1`, so an oversized one is
refused by the service's own size check without being held in memory whole.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from starlette.datastructures import UploadFile

from fixright.errors import InvalidInput

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
MAX_DOCUMENTS = 1000
TEXT_FIELDS = ("text", "output", "paste")


def _body_name(filename: str | None, content_type: str, default: str) -> str:
    if filename:
        return filename
    if "csv" in content_type:
        return f"{default}.csv"
    if "json" in content_type:
        return f"{default}.json"
    return default


async def read_documents(
    request: Request, max_bytes: int = MAX_DOCUMENT_BYTES, filename: str | None = None
) -> list[tuple[str, bytes]]:
    """The documents of an import request, in the order sent; `InvalidInput` when there are none."""
    content_type = request.headers.get("content-type", "").lower()
    documents: list[tuple[str, bytes]] = []
    if content_type.startswith("multipart/form-data") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form(max_files=MAX_DOCUMENTS, max_fields=MAX_DOCUMENTS,
                                  max_part_size=max_bytes + 1)
        try:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    name = value.filename or key
                    data = await value.read(max_bytes + 1)
                    if data or value.filename:
                        documents.append((name, data))
                elif key in TEXT_FIELDS and value.strip():
                    documents.append((f"<{key}>", value.encode("utf-8")))
        finally:
            await form.close()
    else:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_bytes:
                break  # enough to be refused as too large; the rest is never held
        if body.strip():
            documents.append((_body_name(filename, content_type, "request-body"), bytes(body)))
    if not documents:
        raise InvalidInput(
            "nothing to import: send the file(s) as multipart/form-data, or the document "
            "itself as the request body"
        )
    return documents


async def documents_dependency(
    request: Request,
    filename: Annotated[
        str | None, Query(description="Name of a document sent as the raw request body.")
    ] = None,
) -> list[tuple[str, bytes]]:
    return await read_documents(request, filename=filename)


DocumentsDep = Annotated[list[tuple[str, bytes]], Depends(documents_dependency)]


def upload_body(description: str, raw_types: tuple[str, ...]) -> dict[str, Any]:
    """`openapi_extra` for a route taking `DocumentsDep`: how to send documents."""
    schema_raw = {"type": "string"}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "files": {"type": "array",
                                      "items": {"type": "string", "format": "binary"}},
                            "text": {"type": "string", "description": "Pasted document"},
                        },
                    }
                },
                **{t: {"schema": schema_raw} for t in raw_types},
            },
        }
    }
