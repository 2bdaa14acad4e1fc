"""an event's mails name a contact person (Reply-To) and the inviting association

Revision ID: 0301
Revises: 0300
Create Date: 2026-12-02 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0301"
down_revision = "0300"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(
            sa.Column("contact_name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("contact_email", sa.String(length=254), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("inviting_organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_event_inviting_organisation_id_organisation"),
            "organisation",
            ["inviting_organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(
            sa.Column("reply_to", sa.String(length=254), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("reply_to_name", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("event") as batch_op:
        batch_op.alter_column("contact_name", server_default=None)
        batch_op.alter_column("contact_email", server_default=None)
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.alter_column("reply_to", server_default=None)
        batch_op.alter_column("reply_to_name", server_default=None)


def downgrade():
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("reply_to_name")
        batch_op.drop_column("reply_to")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_event_inviting_organisation_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_column("inviting_organisation_id")
        batch_op.drop_column("contact_email")
        batch_op.drop_column("contact_name")
