"""logos for the sign-in sheets and certificates

Revision ID: 0601
Revises: 0600
Create Date: 2026-12-02 00:10:00

"""

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0601"
down_revision = "0600"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_report_logo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mimetype", sa.String(length=20), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", clusgo_events.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "removed_at", clusgo_events.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "kind IN ('event', 'partner')", name=op.f("ck_event_report_logo_kind_values")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_report_logo_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_report_logo")),
    )
    with op.batch_alter_table("event_report_logo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_report_logo_event_id"), ["event_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("event_report_logo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_report_logo_event_id"))
    op.drop_table("event_report_logo")
