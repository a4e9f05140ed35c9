"""Path and query parameter types every route shares.

Database keys and offsets are 64-bit signed integers on both databases. A
larger number reached the driver and failed there (`OverflowError`, a 500);
bounding the parameter makes it a 422 naming the parameter on the API and a
"not found" page in the UI.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request

from fixright.errors import InvalidInput

MAX_SQL_INT = 2**63 - 1  # the largest BIGINT / SQLite INTEGER

IdPath = Annotated[int, Path(ge=1, le=MAX_SQL_INT, description="Numeric id (1 to 2^63-1).")]


def refuse_nul(request: Request) -> None:
    """Refuse a NUL character in any query or path parameter (422 naming it).

    PostgreSQL cannot hold NUL in text, so a `search=%00` reached the driver
    and failed there (a 500) while SQLite answered; no real value contains one.
    """
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if isinstance(value, str) and "\x00" in value:
            raise InvalidInput(f"parameter {name!r}: contains a NUL character")
