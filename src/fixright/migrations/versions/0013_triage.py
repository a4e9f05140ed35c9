"""triage: one decision per (device, advisory)

Revision ID: 0013_triage
Revises: 0011_advisory_priority
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_triage"
down_revision = "0011_advisory_priority"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("advisory_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("justification", sa.String(64), nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_triage_organization_id_organization"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"],
                                name=op.f("fk_triage_device_id_device"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["advisory_id"], ["advisory.id"],
                                name=op.f("fk_triage_advisory_id_advisory"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage")),
        sa.UniqueConstraint("device_id", "advisory_id",
                            name=op.f("uq_triage_device_id_advisory_id")),
    )
    op.create_index(op.f("ix_triage_organization_id"), "triage", ["organization_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_triage_organization_id"), table_name="triage")
    op.drop_table("triage")
