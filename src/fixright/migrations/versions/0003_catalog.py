"""catalog: release, image

Revision ID: 0003_catalog
Revises: 0001_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_catalog"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("vendor", sa.String(32), nullable=False),
        sa.Column("os_family", sa.String(32), nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("version_normalized", sa.String(200), nullable=False),
        sa.Column("version_key", sa.Text(), nullable=False),
        sa.Column("train", sa.String(64), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("deferred", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release")),
        sa.UniqueConstraint(
            "vendor", "os_family", "version_normalized",
            name=op.f("uq_release_vendor_os_family_version_normalized"),
        ),
    )
    op.create_index(op.f("ix_release_train"), "release", ["train"])
    op.create_table(
        "image",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("feature_set", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("sha512", sa.String(128), nullable=False),
        sa.Column("md5", sa.String(32), nullable=False),
        sa.Column("blob_key", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"], ["release.id"], name=op.f("fk_image_release_id_release")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image")),
        sa.UniqueConstraint("sha256", name=op.f("uq_image_sha256")),
    )
    op.create_index(op.f("ix_image_release_id"), "image", ["release_id"])
    op.create_index(op.f("ix_image_platform"), "image", ["platform"])
    op.create_index(op.f("ix_image_filename"), "image", ["filename"])


def downgrade() -> None:
    op.drop_table("image")
    op.drop_table("release")
