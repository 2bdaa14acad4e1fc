"""background mail jobs: "Send N invitations" answers at once, the worker renders and queues

Revision ID: 0203
Revises: 0202
Create Date: 2026-12-02 00:30:00

"""

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0203"
down_revision = "0202"
branch_labels = None
depends_on = None


def upgrade():
    utc = clusgo_events.models.base.UTCDateTime(timezone=True)
    op.create_table(
        "mail_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("started_at", utc, nullable=True),
        sa.Column("finished_at", utc, nullable=True),
        sa.CheckConstraint(
            "kind IN ('invitations', 'reminders')", name=op.f("ck_mail_job_kind_values")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_mail_job_status_values"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_mail_job_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user.id"],
            name=op.f("fk_mail_job_requested_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_job")),
    )
    with op.batch_alter_table("mail_job") as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_job_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_job_status"), ["status"], unique=False)


def downgrade():
    op.drop_table("mail_job")
