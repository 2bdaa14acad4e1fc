"""the outbox key is a schema: kind (CHECK) and what a message refers to become columns; bodies
of sent messages are dropped

Revision ID: 0030
Revises: 0040
Create Date: 2026-12-02 10:00:00

The old rows say what they are about only inside their idempotency key
(``invitation:<event>:<respondent>``, ``reminder:<invitation>:<n>``,
``registration:<id>:<notice>:[session-<id>:]<n>``, ``cal:<uid>:<sequence>:<METHOD>:<to>``,
``certificate:<event>:<registration>``). The keys are parsed here, once, and the references
filled in (a reference to a row that no longer exists stays empty); from now on the code
reads the columns. The bodies of messages already sent carry invitation tokens, feed URLs
and check-in codes: they are dropped too.
"""

import re

import sqlalchemy as sa
from alembic import op

import clusgo_events.models.base

revision = "0030"
down_revision = "0040"
branch_labels = None
depends_on = None

KINDS = (
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
    "other",
)
REFERENCES = (
    ("event_id", "event"),
    ("invitation_id", "invitation"),
    ("registration_id", "registration"),
    ("session_id", "training_session"),
    ("respondent_id", "respondent"),
)

INVITATION = re.compile(r"invitation:(\d+):(\d+)")
REMINDER = re.compile(r"reminder:(\d+):\d+")
REGISTRATION = re.compile(r"registration:(\d+):[a-z]+:(?:session-(\d+):)?\d+")
CALENDAR = re.compile(r"cal:(.+?):\d+:[A-Z]+:.*")
CERTIFICATE = re.compile(r"certificate:(\d+):(\d+)")


def _lookups(conn):
    def rows(sql):
        return conn.execute(sa.text(sql)).all()

    found = {
        "events": {r[0] for r in rows("SELECT id FROM event")},
        "respondents": {r[0] for r in rows("SELECT id FROM respondent")},
        "event_uids": {r[0]: r[1] for r in rows("SELECT uid, id FROM event")},
        "session_uids": {
            r[0]: (r[1], r[2]) for r in rows("SELECT uid, id, event_id FROM training_session")
        },
        "sessions": {r[0] for r in rows("SELECT id FROM training_session")},
        "invitations": {
            r[0]: (r[1], r[2]) for r in rows("SELECT id, event_id, respondent_id FROM invitation")
        },
        "registrations": {r[0]: r[1] for r in rows("SELECT id, event_id FROM registration")},
    }
    found["invitation_of"] = {pair: id_ for id_, pair in found["invitations"].items()}
    return found


def references(key, found):
    """What an old key refers to, as column values (only rows that still exist)."""
    refs = {}
    if match := INVITATION.fullmatch(key):
        event_id, respondent_id = int(match[1]), int(match[2])
        if event_id in found["events"]:
            refs["event_id"] = event_id
        if respondent_id in found["respondents"]:
            refs["respondent_id"] = respondent_id
        if (event_id, respondent_id) in found["invitation_of"]:
            refs["invitation_id"] = found["invitation_of"][(event_id, respondent_id)]
    elif match := REMINDER.fullmatch(key):
        invitation_id = int(match[1])
        if invitation_id in found["invitations"]:
            event_id, respondent_id = found["invitations"][invitation_id]
            refs.update(invitation_id=invitation_id, event_id=event_id, respondent_id=respondent_id)
    elif match := REGISTRATION.fullmatch(key):
        registration_id = int(match[1])
        if registration_id in found["registrations"]:
            refs["registration_id"] = registration_id
            refs["event_id"] = found["registrations"][registration_id]
        if match[2] and int(match[2]) in found["sessions"]:
            refs["session_id"] = int(match[2])
    elif match := CALENDAR.fullmatch(key):
        uid = match[1]
        if uid in found["event_uids"]:
            refs["event_id"] = found["event_uids"][uid]
        elif uid in found["session_uids"]:
            refs["session_id"], refs["event_id"] = found["session_uids"][uid]
    elif match := CERTIFICATE.fullmatch(key):
        event_id, registration_id = int(match[1]), int(match[2])
        if event_id in found["events"]:
            refs["event_id"] = event_id
        if registration_id in found["registrations"]:
            refs["registration_id"] = registration_id
    return refs


def upgrade():
    utc = clusgo_events.models.base.UTCDateTime(timezone=True)
    with op.batch_alter_table("outbox_message") as batch_op:
        for column, table in REFERENCES:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("failed_at", utc, nullable=True))
        batch_op.add_column(sa.Column("purged_at", utc, nullable=True))

    conn = op.get_bind()
    allowed = ", ".join(f"'{kind}'" for kind in KINDS)
    conn.execute(sa.text(f"UPDATE outbox_message SET kind = 'other' WHERE kind NOT IN ({allowed})"))
    found = _lookups(conn)
    updates = []
    for row in conn.execute(sa.text("SELECT id, idempotency_key FROM outbox_message")):
        refs = references(row.idempotency_key, found)
        if refs:
            updates.append({**{c: None for c, _ in REFERENCES}, **refs, "b_id": row.id})
    if updates:
        conn.execute(
            sa.text(
                "UPDATE outbox_message SET "
                + ", ".join(f"{c} = :{c}" for c, _ in REFERENCES)
                + " WHERE id = :b_id"
            ),
            updates,
        )
    # failed rows keep their bodies for OUTBOX_FAILED_BODY_DAYS from now; sent ones lose them
    conn.execute(
        sa.text("UPDATE outbox_message SET failed_at = :now WHERE status = 'failed'"),
        {"now": _now(conn)},
    )
    conn.execute(
        sa.text(
            "UPDATE outbox_message SET body_text = '', body_html = '', calendar_ics = NULL, "
            "attachments = '[]', purged_at = :now WHERE status = 'sent'"
        ),
        {"now": _now(conn)},
    )

    with op.batch_alter_table("outbox_message") as batch_op:
        for column, table in REFERENCES:
            batch_op.create_index(batch_op.f(f"ix_outbox_message_{column}"), [column], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_outbox_message_{column}_{table}"),
                table,
                [column],
                ["id"],
                ondelete="SET NULL",
            )
        batch_op.create_check_constraint(
            op.f("ck_outbox_message_kind_values"), f"kind IN ({allowed})"
        )


def _now(conn):
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if conn.dialect.name == "sqlite" else now


def downgrade():
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_values"), type_="check")
        for column, table in REFERENCES:
            batch_op.drop_constraint(
                op.f(f"fk_outbox_message_{column}_{table}"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_outbox_message_{column}"))
            batch_op.drop_column(column)
        batch_op.drop_column("purged_at")
        batch_op.drop_column("failed_at")
