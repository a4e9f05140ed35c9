"""changes, alerts, jobs: exposure snapshot, change events, alert subscriptions and deliveries, job lock and state

Revision ID: 0015_changes_alerts
Revises: 0012_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_changes_alerts"
down_revision = "0016_lifecycle_claims"
branch_labels = None
depends_on = None


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                   name=op.f(f"fk_{table}_organization_id_organization"),
                                   ondelete="CASCADE")


def _named_device_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("advisory_id", sa.String(200), nullable=False),
        sa.Column("hostname", sa.String(255), nullable=True),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("model", sa.String(100), nullable=True),
        sa.Column("version", sa.String(100), nullable=True),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("kev", sa.Boolean(), nullable=False),
        sa.Column("fix", sa.String(100), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "exposure_snapshot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        *_named_device_columns(),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        _org_fk("exposure_snapshot"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exposure_snapshot")),
        sa.UniqueConstraint("organization_id", "device_id", "advisory_id",
                            name=op.f("uq_exposure_snapshot_organization_id_device_id_advisory_id")),
    )
    op.create_index(op.f("ix_exposure_snapshot_organization_id"), "exposure_snapshot",
                    ["organization_id"])
    op.create_table(
        "change_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        *_named_device_columns(),
        sa.Column("cause", sa.String(200), nullable=False),
        _org_fk("change_event"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_event")),
    )
    op.create_index("ix_change_event_org_at", "change_event", ["organization_id", "at"])
    op.create_table(
        "alert_subscription",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("secret", sa.String(200), nullable=True),
        sa.Column("min_severity", sa.String(16), nullable=True),
        sa.Column("kev_only", sa.Boolean(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("digest", sa.String(16), nullable=False),
        sa.Column("event_cursor", sa.Integer(), nullable=False),
        sa.Column("date_cursor", sa.Date(), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _org_fk("alert_subscription"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscription")),
    )
    op.create_index(op.f("ix_alert_subscription_organization_id"), "alert_subscription",
                    ["organization_id"])
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["subscription_id"], ["alert_subscription.id"],
                                name=op.f("fk_alert_delivery_subscription_id_alert_subscription"),
                                ondelete="CASCADE"),
        _org_fk("alert_delivery"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_delivery")),
    )
    op.create_index(op.f("ix_alert_delivery_subscription_id"), "alert_delivery",
                    ["subscription_id"])
    op.create_index(op.f("ix_alert_delivery_organization_id"), "alert_delivery",
                    ["organization_id"])
    op.create_table(
        "job_lock",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_lock")),
    )
    op.create_table(
        "job_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_state")),
    )


def downgrade() -> None:
    op.drop_table("job_state")
    op.drop_table("job_lock")
    op.drop_index(op.f("ix_alert_delivery_organization_id"), table_name="alert_delivery")
    op.drop_index(op.f("ix_alert_delivery_subscription_id"), table_name="alert_delivery")
    op.drop_table("alert_delivery")
    op.drop_index(op.f("ix_alert_subscription_organization_id"), table_name="alert_subscription")
    op.drop_table("alert_subscription")
    op.drop_index("ix_change_event_org_at", table_name="change_event")
    op.drop_table("change_event")
    op.drop_index(op.f("ix_exposure_snapshot_organization_id"), table_name="exposure_snapshot")
    op.drop_table("exposure_snapshot")
