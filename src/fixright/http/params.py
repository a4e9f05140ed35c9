"""Path and query parameter types every route shares.

Database keys and offsets are 64-bit signed integers on both databases. A
larger number reached the driver and failed there (`OverflowError`, a 500);
bounding the parameter makes it a 422 naming the parameter on the API and a
"not found" page in the UI.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_SQL_INT = 2**63 - 1  # the largest BIGINT / SQLite INTEGER

IdPath = Annotated[int, Path(ge=1, le=MAX_SQL_INT, description="Numeric id (1 to 2^63-1).")]
