"""the reminder before the event: days before, per event, and its outbox kind

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

BEFORE = (
    "invitation",
    "invitation-reminder",
    "registration_confirmed",
    "registration_waitlisted",
    "registration_promoted",
    "registration_cancelled",
    "calendar-invite",
    "calendar-withdraw",
    "calendar-update",
    "calendar-cancel",
    "certificate",
    "signup",
    "signup_existing",
    "password_reset",
    "mail-test",
)
AFTER = (*BEFORE, "event-reminder")


def _check(kinds):
    allowed = ", ".join(f"'{kind}'" for kind in (*kinds, "other"))
    return f"kind IN ({allowed})"


def upgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(
            sa.Column("reminder_days", sa.Integer(), nullable=False, server_default="2")
        )
    with op.batch_alter_table("event") as batch_op:
        batch_op.alter_column("reminder_days", server_default=None)
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_values"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_kind_values"), _check(AFTER))


def downgrade():
    op.execute("UPDATE outbox_message SET kind = 'other' WHERE kind = 'event-reminder'")
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_values"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_kind_values"), _check(BEFORE))
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("reminder_days")
