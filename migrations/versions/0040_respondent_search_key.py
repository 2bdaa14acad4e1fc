"""respondents carry a search key folded for case and diacritics, filled for existing rows

Revision ID: 0040
Revises: 0011
Create Date: 2026-12-01 22:00:00

"""

import sqlalchemy as sa
from alembic import op

from clusgo_events.models.respondent import search_key_for

revision = "0040"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 1000

respondent = sa.table(
    "respondent",
    sa.column("id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("contact_name", sa.String),
    sa.column("organisation_name", sa.String),
    sa.column("search_key", sa.Text),
)


def upgrade():
    with op.batch_alter_table("respondent") as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            respondent.c.id,
            respondent.c.email,
            respondent.c.contact_name,
            respondent.c.organisation_name,
        ).order_by(respondent.c.id)
    ).all()
    fill = (
        respondent.update()
        .where(respondent.c.id == sa.bindparam("row_id"))
        .values(search_key=sa.bindparam("key"))
    )
    for start in range(0, len(rows), BATCH):
        bind.execute(
            fill,
            [
                {
                    "row_id": row.id,
                    "key": search_key_for(row.email, row.contact_name, row.organisation_name),
                }
                for row in rows[start : start + BATCH]
            ],
        )
    with op.batch_alter_table("respondent") as batch_op:
        batch_op.alter_column("search_key", server_default=None)


def downgrade():
    with op.batch_alter_table("respondent") as batch_op:
        batch_op.drop_column("search_key")
