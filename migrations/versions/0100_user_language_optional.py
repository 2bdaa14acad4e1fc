"""an account's language is optional: until its owner chooses, the browser's decides

Revision ID: 0100
Revises: 0500
Create Date: 2026-12-02 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0500"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.alter_column("language", existing_type=sa.String(length=5), nullable=True)


def downgrade():
    op.execute("UPDATE \"user\" SET language = 'en' WHERE language IS NULL")
    with op.batch_alter_table("user") as batch_op:
        batch_op.alter_column("language", existing_type=sa.String(length=5), nullable=False)
