"""Alembic environment: runs on the engine handed in by `fixright.db.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import fixright.models  # noqa: F401  (registers every table on Base.metadata)
from fixright.db import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
