"""lifecycle_date (public lifecycle dates per PID or image family) and claim (security-fix
claims of an organisation, with their state)

Revision ID: 0016_lifecycle_claims
Revises: 0012_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_lifecycle_claims"
down_revision = "0014_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lifecycle_date",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("pid", sa.String(100), nullable=True),
        sa.Column("family", sa.String(64), nullable=True),
        sa.Column("vendor", sa.String(32), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("end_of_sale", sa.Date(), nullable=True),
        sa.Column("end_of_sw_maintenance", sa.Date(), nullable=True),
        sa.Column("end_of_security_support", sa.Date(), nullable=True),
        sa.Column("last_date_of_support", sa.Date(), nullable=True),
        sa.Column("bulletin_url", sa.String(500), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_date")),
        sa.UniqueConstraint("key", name=op.f("uq_lifecycle_date_key")),
    )
    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("advisory_id", sa.String(100), nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("packet", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_claim_organization_id_organization"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"],
                                name=op.f("fk_claim_device_id_device"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    op.create_index(op.f("ix_claim_organization_id"), "claim", ["organization_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_claim_organization_id"), table_name="claim")
    op.drop_table("claim")
    op.drop_table("lifecycle_date")
