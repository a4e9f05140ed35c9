"""feeds: advisory feed sources and the state of each fetched document

Revision ID: 0014_feeds
Revises: 0012_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_feeds"
down_revision = "0012_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_source")),
        sa.UniqueConstraint("url", name=op.f("uq_feed_source_url")),
    )
    op.create_table(
        "feed_document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("feed_updated", sa.DateTime(timezone=True), nullable=True),
        sa.Column("etag", sa.String(400), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("tracking_id", sa.String(400), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["feed_source.id"],
                                name=op.f("fk_feed_document_source_id_feed_source"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_document")),
        sa.UniqueConstraint("source_id", "url", name=op.f("uq_feed_document_source_id_url")),
    )


def downgrade() -> None:
    op.drop_table("feed_document")
    op.drop_table("feed_source")
