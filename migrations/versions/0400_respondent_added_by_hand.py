"""respondents an organiser invited by hand are marked as such

Revision ID: 0400
Revises: 0450
Create Date: 2026-12-01 23:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0400"
down_revision = "0450"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("added_by_hand", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.drop_column("added_by_hand")
