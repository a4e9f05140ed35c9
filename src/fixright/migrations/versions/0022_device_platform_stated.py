"""device.platform_stated: the owner gave the device's image family (CSV cell, API)

A platform stated by the owner overrides the one derived from model and image
file; before this column a later `show` import derived it again and replaced
what the owner had said. Existing rows are marked derived: which platforms were
stated before cannot be told any more.

Revision ID: 0022_device_platform_stated
Revises: 0021_device_situation_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_device_platform_stated"
down_revision = "0021_device_situation_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("platform_stated", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.drop_column("platform_stated")
