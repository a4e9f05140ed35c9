"""Builds the demo portal (filled in as the domains land)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def load_demo(app: Any) -> Iterator[str]:
    """Load demo content into an empty database; yields lines to print."""
    yield "demo data: not available yet"
