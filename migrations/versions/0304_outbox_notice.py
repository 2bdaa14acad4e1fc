"""an outbox message says which registration notice it carries (a calendar mail may)

Revision ID: 0304
Revises: 0303
Create Date: 2026-12-02 00:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0304"
down_revision = "0303"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(
            sa.Column("notice", sa.String(length=20), nullable=False, server_default="")
        )
    # the notices queued before: their kind says it
    op.execute(
        "UPDATE outbox_message SET notice = substr(kind, 14) WHERE kind LIKE 'registration\\_%' "
        "ESCAPE '\\'"
    )
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.alter_column("notice", server_default=None)


def downgrade():
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("notice")
