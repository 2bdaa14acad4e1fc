"""certificates with verification codes; who issues and signs them, and who earns one

Revision ID: 0602
Revises: 0601
Create Date: 2026-12-02 00:50:00

"""

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0602"
down_revision = "0601"
branch_labels = None
depends_on = None

UTC = clusgo_events.models.base.UTCDateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("event_report_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issuer", sa.String(300), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("signatory_name", sa.String(200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("signatory_role", sa.String(200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("certificate_rule", sa.String(20), nullable=False, server_default="all")
        )
        batch_op.add_column(
            sa.Column("certificate_min_sessions", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.create_check_constraint(
            "certificate_rule_values", "certificate_rule IN ('all', 'at_least', 'by_hand')"
        )
    with op.batch_alter_table("event_report_settings", schema=None) as batch_op:
        for name in (
            "issuer",
            "signatory_name",
            "signatory_role",
            "certificate_rule",
            "certificate_min_sessions",
        ):
            batch_op.alter_column(name, server_default=None)
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_name", sa.String(length=300), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_certificate_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user.id"],
            name=op.f("fk_certificate_issued_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_certificate_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("code", name=op.f("uq_certificate_code")),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certificate_registration_id"), ["registration_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_registration_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_event_id"))
    op.drop_table("certificate")
    with op.batch_alter_table("event_report_settings", schema=None) as batch_op:
        batch_op.drop_constraint("certificate_rule_values", type_="check")
        for name in (
            "certificate_min_sessions",
            "certificate_rule",
            "signatory_role",
            "signatory_name",
            "issuer",
        ):
            batch_op.drop_column(name)
