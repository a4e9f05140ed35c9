"""task queue: procrastinate's tables, types and functions in their own schema (PostgreSQL only)

`fixright jobs worker` and `serve --with-jobs` on PostgreSQL take the jobs from
this queue (`fixright.jobs.queue`). The SQL is the one the installed
procrastinate ships (the `queue` extra, pulled in by `postgres`, pins its minor
release); it goes into the schema `procrastinate`, so fixright's own tables and
the models comparison never see it. SQLite has no queue: nothing to do.

Revision ID: 0020_task_queue
Revises: 0018_scale_indexes
"""

from __future__ import annotations

from alembic import op

from fixright.errors import ConfigurationError

revision = "0020_task_queue"
down_revision = "0018_scale_indexes"
branch_labels = None
depends_on = None

SCHEMA = "procrastinate"  # fixright.jobs.queue.QUEUE_SCHEMA; migrations never import the app


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        from procrastinate.schema import SchemaManager
    except ImportError:
        raise ConfigurationError(
            "a PostgreSQL database needs the queue extra (part of postgres): "
            "pip install 'fixright[postgres]'") from None
    # procrastinate's SQL names nothing by schema: create it with our schema first on the
    # search path, then put the path back, for the migrations after this one.
    driver = bind.connection.driver_connection
    assert driver is not None
    previous = driver.execute("SELECT current_setting('search_path')").fetchone()[0]
    driver.execute(f"CREATE SCHEMA {SCHEMA}")
    driver.execute(f"SET LOCAL search_path TO {SCHEMA}")
    # The driver connection directly: the file is many statements and has `%` signs.
    driver.execute(SchemaManager.get_schema())
    driver.execute("SELECT set_config('search_path', %s, true)", (previous,))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
