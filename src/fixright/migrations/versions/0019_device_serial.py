"""device: index on (vendor, serial), to find a serial in every organisation

An import refuses a serial that another organisation has in service; the
unique index (organization_id, vendor, serial) cannot answer that without
the organisation.

Revision ID: 0019_device_serial
Revises: 0012_access
"""

from __future__ import annotations

from alembic import op

revision = "0019_device_serial"
down_revision = "0015_changes_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_device_vendor_serial", "device", ["vendor", "serial"])


def downgrade() -> None:
    op.drop_index("ix_device_vendor_serial", table_name="device")
