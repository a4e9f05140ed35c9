"""The hand-written migrations and the SQLAlchemy models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import fixright.models  # noqa: F401
from fixright.db import Base


def test_models_match_migrations(engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    # Index-only differences from backend reflection quirks are still real drift; report all.
    assert diff == [], f"models and migrations differ: {diff}"


def test_one_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from fixright.db import migrations_path

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1
