"""scheduled tasks remember when they last ran

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-01 22:00:00

"""

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "periodic_run",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column(
            "last_run_at", clusgo_events.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_result", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periodic_run")),
    )


def downgrade():
    op.drop_table("periodic_run")
