"""what the delivery workers share about the relay: a slow-down pause, the next sending slot

Revision ID: 0202
Revises: 0201
Create Date: 2026-12-02 00:20:00

"""

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0202"
down_revision = "0201"
branch_labels = None
depends_on = None


def upgrade():
    utc = clusgo_events.models.base.UTCDateTime(timezone=True)
    op.create_table(
        "outbox_relay",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("paused_until", utc, nullable=True),
        sa.Column("pause_answer", sa.String(length=300), nullable=False),
        sa.Column("next_slot_at", utc, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_outbox_relay")),
    )


def downgrade():
    op.drop_table("outbox_relay")
