"""merge the per-domain branches into one head

The domains were built side by side, one migration branch each off
0001_accounts; from here on there is one line of migrations again.

Revision ID: 0008_merge_domains
Revises: 0002_inventory, 0003_catalog, 0004_advisories, 0005_contracts, 0006_audit,
    0007_entitlement
"""

from __future__ import annotations

revision = "0008_merge_domains"
down_revision = (
    "0002_inventory",
    "0003_catalog",
    "0004_advisories",
    "0005_contracts",
    "0006_audit",
    "0007_entitlement",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
