"""Where the real test data (`../shared/data`) is, wherever this checkout lives."""

from __future__ import annotations

import os
from pathlib import Path


def _find() -> Path:
    candidates = [
        os.environ.get("FIXRIGHT_SHARED_DATA"),
        str(Path(__file__).resolve().parents[2] / "shared" / "data"),  # beside the checkout
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path(candidates[1])  # missing: tests that need it skip with this path named


SHARED_DATA = _find()
SHOW = SHARED_DATA / "show"
