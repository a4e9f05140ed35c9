"""scale indexes: device (organization_id, id), audit_event (organization_id, seq),
release (os_family, version_normalized)

Found with EXPLAIN at 100,000 devices (docs/operations.md, "Scale"): a page of
one organisation's devices or audit events walked the whole primary key when
other organisations own most rows, and the fix plan's release lookups by
(os_family, version) could not use the (vendor, ...) unique index.

Revision ID: 0018_scale_indexes
Revises: 0012_access
"""

from __future__ import annotations

from alembic import op

revision = "0018_scale_indexes"
down_revision = "0019_device_serial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_device_org_id", "device", ["organization_id", "id"])
    op.create_index("ix_audit_event_org_seq", "audit_event", ["organization_id", "seq"])
    op.create_index("ix_release_family_version", "release", ["os_family", "version_normalized"])


def downgrade() -> None:
    op.drop_index("ix_release_family_version", table_name="release")
    op.drop_index("ix_audit_event_org_seq", table_name="audit_event")
    op.drop_index("ix_device_org_id", table_name="device")
