"""audit entries say where a change came from and which event it belongs to

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=10), nullable=False, server_default="web"))
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_entry_event_id"), ["event_id"], unique=False)
        batch_op.create_check_constraint(
            op.f("ck_audit_entry_source_values"), "source IN ('web', 'cli', 'worker')"
        )
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.alter_column("source", server_default=None)


def downgrade():
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_entry_source_values"), type_="check")
        batch_op.drop_index(batch_op.f("ix_audit_entry_event_id"))
        batch_op.drop_column("event_id")
        batch_op.drop_column("source")
