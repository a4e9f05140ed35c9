"""advisories: remediations and CVSS scores per advisory; KEV and EPSS per CVE

Revision ID: 0011_advisory_priority
Revises: 0010_hardware_families
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_advisory_priority"
down_revision = "0010_hardware_families"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("advisory") as batch:
        batch.add_column(sa.Column("remediations", sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("cvss_scores", sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))
    op.create_table(
        "kev_entry",
        sa.Column("cve", sa.String(32), nullable=False),
        sa.Column("vendor", sa.Text(), nullable=False),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("date_added", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("ransomware", sa.String(16), nullable=False),
        sa.Column("catalog_version", sa.String(40), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("cve", name=op.f("pk_kev_entry")),
    )
    op.create_table(
        "epss_score",
        sa.Column("cve", sa.String(32), nullable=False),
        sa.Column("epss", sa.Float(), nullable=False),
        sa.Column("percentile", sa.Float(), nullable=True),
        sa.Column("score_date", sa.Date(), nullable=True),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("cve", name=op.f("pk_epss_score")),
    )


def downgrade() -> None:
    op.drop_table("epss_score")
    op.drop_table("kev_entry")
    with op.batch_alter_table("advisory") as batch:
        batch.drop_column("cvss_scores")
        batch.drop_column("remediations")
