"""delivery workers with a heartbeat: a dead worker's claims are taken over at once

Revision ID: 0201
Revises: 0200
Create Date: 2026-12-02 00:10:00

"""

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0201"
down_revision = "0200"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "delivery_worker",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=100), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column(
            "started_at", clusgo_events.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "heartbeat_at", clusgo_events.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_worker")),
    )


def downgrade():
    op.drop_table("delivery_worker")
