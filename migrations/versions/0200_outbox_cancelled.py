"""an organiser can cancel a queued outbox message: status 'cancelled'

Revision ID: 0200
Revises: 0100
Create Date: 2026-12-02 00:00:00

"""

from alembic import op

revision = "0200"
down_revision = "0100"
branch_labels = None
depends_on = None

BEFORE = "status IN ('queued', 'sending', 'sent', 'failed')"
AFTER = "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')"


def _check(condition):
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_status_values"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_status_values"), condition)


def upgrade():
    _check(AFTER)


def downgrade():
    op.execute("UPDATE outbox_message SET status = 'failed' WHERE status = 'cancelled'")
    _check(BEFORE)
