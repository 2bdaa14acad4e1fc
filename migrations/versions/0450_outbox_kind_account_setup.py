"""the outbox knows the account set-up mail (an admin's link to choose a password)

Revision ID: 0450
Revises: 0602
Create Date: 2026-12-02 00:10:00

"""

from alembic import op

revision = "0450"
down_revision = "0602"
branch_labels = None
depends_on = None

BEFORE = (
    "invitation", "invitation-reminder", "registration_confirmed", "registration_waitlisted",
    "registration_promoted", "registration_cancelled", "calendar-invite", "calendar-withdraw",
    "calendar-update", "calendar-cancel", "certificate", "signup", "signup_existing",
    "password_reset", "mail-test", "event-reminder", "participant-message",
)  # fmt: skip
#: every kind of models.enums.OutboxKind, in its order ("other" included again)
AFTER = (*BEFORE, "account_setup", "other")


def _check(kinds):
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_values"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_outbox_message_kind_values"), f"kind IN ({allowed})"
        )


def upgrade():
    _check(AFTER)


def downgrade():
    op.execute("UPDATE outbox_message SET kind = 'other' WHERE kind = 'account_setup'")
    _check(BEFORE)
