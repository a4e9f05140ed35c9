"""inventory: device

Revision ID: 0002_inventory
Revises: 0001_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_inventory"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("vendor", sa.String(32), nullable=False),
        sa.Column("os_family", sa.String(32), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("platform", sa.String(64), nullable=False),
        sa.Column("hostname", sa.String(255), nullable=True),
        sa.Column("running_version", sa.String(100), nullable=True),
        sa.Column("licensed_feature_set", sa.String(100), nullable=False),
        sa.Column("image_file", sa.String(255), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"],
            name=op.f("fk_device_organization_id_organization"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint(
            "organization_id", "vendor", "serial",
            name=op.f("uq_device_organization_id_vendor_serial"),
        ),
    )
    op.create_index(
        "ix_device_org_family_version",
        "device",
        ["organization_id", "os_family", "running_version"],
    )


def downgrade() -> None:
    op.drop_index("ix_device_org_family_version", table_name="device")
    op.drop_table("device")
