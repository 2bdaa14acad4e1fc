"""organisers' messages to participants stay on the event; their outbox kind

Revision ID: 0303
Revises: 0302
Create Date: 2026-12-02 00:20:00

"""

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0303"
down_revision = "0302"
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
    "event-reminder",
)
AFTER = (*BEFORE, "participant-message")


def _check(kinds):
    allowed = ", ".join(f"'{kind}'" for kind in (*kinds, "other"))
    return f"kind IN ({allowed})"


def upgrade():
    utc = clusgo_events.models.base.UTCDateTime(timezone=True)
    op.create_table(
        "participant_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("include_waitlisted", sa.Boolean(), nullable=False),
        sa.Column("main_language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("per_language", sa.JSON(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", utc, nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_participant_message_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_participant_message_session_id_training_session"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["user.id"],
            name=op.f("fk_participant_message_sent_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_message")),
    )
    with op.batch_alter_table("participant_message") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_message_event_id"), ["event_id"], unique=False
        )
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_values"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_kind_values"), _check(AFTER))


def downgrade():
    op.execute("UPDATE outbox_message SET kind = 'other' WHERE kind = 'participant-message'")
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_values"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_message_kind_values"), _check(BEFORE))
    with op.batch_alter_table("participant_message") as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_message_event_id"))
    op.drop_table("participant_message")
