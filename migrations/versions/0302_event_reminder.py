"""the reminder before the event: how many days before, per event

Revision ID: 0302
Revises: 0301
Create Date: 2026-12-02 00:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0302"
down_revision = "0301"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(
            sa.Column("reminder_days", sa.Integer(), nullable=False, server_default="2")
        )
    with op.batch_alter_table("event") as batch_op:
        batch_op.alter_column("reminder_days", server_default=None)


def downgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("reminder_days")
