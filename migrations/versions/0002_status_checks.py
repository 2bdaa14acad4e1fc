"""statuses and closed value sets become CHECK constraints

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column, allowed values): the StrEnums of clusgo_events/models/enums.py as they are
# at this revision (a later change of an enum ships its own migration)
CHECKS = [
    ("event", "status", ("draft", "published", "cancelled")),
    ("event", "invite_interest", ("any", "event", "training")),
    ("training_session", "status", ("scheduled", "cancelled")),
    ("invitation", "status", ("queued", "sent", "failed", "accepted", "declined", "expired")),
    ("registration", "status", ("confirmed", "waitlisted", "cancelled")),
    ("session_seat", "status", ("confirmed", "waitlisted", "cancelled")),
    ("attendance_record", "status", ("present", "late", "excused", "absent")),
    ("attendance_record", "method", ("manual", "qr", "walk-in")),
    ("outbox_message", "status", ("queued", "sending", "sent", "failed")),
    ("user", "role", ("admin", "organiser", "trainer", "representative")),
    ("organisation", "kind", ("cluster", "association", "host")),
]


def _condition(column, allowed):
    return f"{column} IN ({', '.join(repr(v) for v in allowed)})"


def upgrade():
    for table, column, allowed in CHECKS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_{column}_values"), _condition(column, allowed)
            )


def downgrade():
    for table, column, _allowed in reversed(CHECKS):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}_values"), type_="check")
