"""an event's settings for the funder's report

Revision ID: 0600
Revises: 0203
Create Date: 2026-12-01 23:55:00

"""

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0600"
down_revision = "0203"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_report_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("web_page", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("funder_line", sa.Boolean(), nullable=False),
        sa.Column(
            "updated_at", clusgo_events.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_report_settings_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_report_settings")),
        sa.UniqueConstraint("event_id", name=op.f("uq_event_report_settings_event_id")),
    )


def downgrade():
    op.drop_table("event_report_settings")
