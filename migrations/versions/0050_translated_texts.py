"""events and sessions carry their texts in up to five languages

Revision ID: 0050
Revises: 0030
Create Date: 2026-12-01 21:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(
            sa.Column("main_language", sa.String(length=5), nullable=False, server_default="en")
        )
        batch_op.add_column(sa.Column("texts", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("training_session") as batch_op:
        batch_op.add_column(sa.Column("texts", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("event") as batch_op:
        batch_op.alter_column("main_language", server_default=None)
        batch_op.alter_column("texts", server_default=None)
    with op.batch_alter_table("training_session") as batch_op:
        batch_op.alter_column("texts", server_default=None)


def downgrade():
    with op.batch_alter_table("training_session") as batch_op:
        batch_op.drop_column("texts")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("texts")
        batch_op.drop_column("main_language")
