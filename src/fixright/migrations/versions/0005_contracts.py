"""contracts: contract, coverage_line

Revision ID: 0005_contracts
Revises: 0001_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_contracts"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(100), nullable=True),
        sa.Column("service_level", sa.String(64), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("cost", sa.Numeric(14, 2), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"],
            name=op.f("fk_contract_organization_id_organization"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("organization_id", "number",
                            name=op.f("uq_contract_organization_id_number")),
    )
    op.create_index(op.f("ix_contract_organization_id"), "contract", ["organization_id"])
    op.create_table(
        "coverage_line",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("pid", sa.String(64), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("cost", sa.Numeric(14, 2), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"],
            name=op.f("fk_coverage_line_contract_id_contract"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"],
            name=op.f("fk_coverage_line_organization_id_organization"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_line")),
        sa.UniqueConstraint("contract_id", "serial",
                            name=op.f("uq_coverage_line_contract_id_serial")),
    )
    op.create_index("ix_coverage_line_organization_id_serial", "coverage_line",
                    ["organization_id", "serial"])


def downgrade() -> None:
    op.drop_table("coverage_line")
    op.drop_table("contract")
