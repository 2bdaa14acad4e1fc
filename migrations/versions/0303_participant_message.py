"""organisers' messages to participants stay on the event

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


def downgrade():
    with op.batch_alter_table("participant_message") as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_message_event_id"))
    op.drop_table("participant_message")
