"""advisories: advisory, advisory_affected, advisory_fixed, advisory_unplaced

Revision ID: 0004_advisories
Revises: 0001_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_advisories"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None


def _child(name: str, *columns: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("advisory_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["advisory_id"], ["advisory.id"],
            name=op.f(f"fk_{name}_advisory_id_advisory"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(op.f(f"ix_{name}_advisory_id"), name, ["advisory_id"])


def upgrade() -> None:
    op.create_table(
        "advisory",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("advisory_id", sa.String(120), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("cvss", sa.Float(), nullable=True),
        sa.Column("cves", sa.JSON(), nullable=False),
        sa.Column("bug_ids", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.String(64), nullable=False),
        sa.Column("vendor", sa.String(120), nullable=False),
        sa.Column("not_affected", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advisory")),
        sa.UniqueConstraint("advisory_id", name=op.f("uq_advisory_advisory_id")),
    )
    _child(
        "advisory_affected",
        sa.Column("os_family", sa.String(32), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("version", sa.String(80), nullable=True),
        sa.Column("version_normalized", sa.String(80), nullable=True),
        sa.Column("introduced", sa.String(80), nullable=True),
        sa.Column("fixed", sa.String(80), nullable=True),
        sa.Column("last_affected", sa.String(80), nullable=True),
        sa.Column("train", sa.String(80), nullable=True),
        sa.Column("platforms", sa.JSON(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_advisory_affected_family_version",
        "advisory_affected",
        ["os_family", "version_normalized"],
    )
    _child(
        "advisory_fixed",
        sa.Column("os_family", sa.String(32), nullable=False),
        sa.Column("train", sa.String(80), nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
    )
    _child(
        "advisory_unplaced",
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("os_family", sa.String(32), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("advisory_unplaced")
    op.drop_table("advisory_fixed")
    op.drop_table("advisory_affected")
    op.drop_table("advisory")
