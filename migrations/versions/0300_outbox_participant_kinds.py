"""the outbox knows the mails to participants: a test copy, the reminder, messages

Revision ID: 0300
Revises: 0051
Create Date: 2026-12-01 23:50:00

"""

from alembic import op

revision = "0300"
down_revision = "0051"
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
)
NEW = ("mail-test", "event-reminder", "participant-message")
AFTER = (*BEFORE, *NEW)


def _check(kinds):
    allowed = ", ".join(f"'{kind}'" for kind in (*kinds, "other"))
    return f"kind IN ({allowed})"


def upgrade():
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_values"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_kind_values"), _check(AFTER))


def downgrade():
    new = ", ".join(f"'{kind}'" for kind in NEW)
    op.execute(f"UPDATE outbox_message SET kind = 'other' WHERE kind IN ({new})")
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_values"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_kind_values"), _check(BEFORE))
