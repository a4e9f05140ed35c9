"""Imports every domain's tables so `Base.metadata` is complete (Alembic, tests)."""

from fixright.accounts import models as accounts  # noqa: F401
