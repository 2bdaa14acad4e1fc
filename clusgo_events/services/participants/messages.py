"""An organiser's message to the confirmed (and, if chosen, waiting-list) participants of an
event or of one of its sessions: per language, counted and previewed before it goes; it goes
through the outbox and stays on the event (:class:`ParticipantMessage`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Event, ParticipantMessage, Registration, SessionSeat, TrainingSession, User
from ...models.base import max_length
from ...models.enums import EventStatus, RegistrationStatus, SeatStatus
from .. import ServiceError, ValidationErrors, audit
from ..mailer import render_email
from ..outbox import keys
from ..registration.mail import queue_to_participant
from ..sender import Sender, senders_of
from ..transactions import lock_event
from ..urls import external_url


@dataclass
class Draft:
    """What the organiser wrote: ``subject`` and ``body`` per language (the event's main
    language required, the others optional), to whom."""

    subject: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)
    session_id: int | None = None
    include_waitlisted: bool = False


def _statuses(include_waitlisted: bool) -> tuple[list[str], list[str]]:
    registrations = [RegistrationStatus.CONFIRMED]
    seats = [SeatStatus.CONFIRMED]
    if include_waitlisted:
        registrations.append(RegistrationStatus.WAITLISTED)
        seats.append(SeatStatus.WAITLISTED)
    return [str(s) for s in registrations], [str(s) for s in seats]


def _recipients_query(event: Event, session: TrainingSession | None, include_waitlisted: bool):  # type: ignore[no-untyped-def]
    registrations, seats = _statuses(include_waitlisted)
    query = select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(registrations)
    )
    if session is not None:
        query = query.where(
            select(SessionSeat.id)
            .where(
                SessionSeat.registration_id == Registration.id,
                SessionSeat.session_id == session.id,
                SessionSeat.status.in_(seats),
            )
            .exists()
        )
    return query


def session_of(event: Event, session_id: int | None) -> TrainingSession | None:
    """The session of ``event`` a message is for (None: the whole event)."""
    if session_id is None:
        return None
    session = db.session.get(TrainingSession, session_id)
    if session is None or session.event_id != event.id:
        raise ServiceError(_l("Choose a training session of this event."), "session_id")
    return session


def recipient_counts(event: Event, draft: Draft) -> dict[str, int]:
    """How many would get ``draft``, per language (one query)."""
    sub = _recipients_query(
        event, session_of(event, draft.session_id), draft.include_waitlisted
    ).subquery()
    rows = db.session.execute(select(sub.c.language, func.count()).group_by(sub.c.language))
    return {language: count for language, count in rows}


def check(event: Event, draft: Draft) -> Draft:
    """``draft`` trimmed and checked: the main language's subject and text are required,
    each within its limit, languages among the app's."""
    languages = current_app.config["LANGUAGES"]
    main = event.main_language or "en"
    errors: dict[str, object] = {}
    clean = Draft(session_id=draft.session_id, include_waitlisted=draft.include_waitlisted)
    for name, limit in (
        ("subject", max_length(ParticipantMessage.subject)),
        ("body", max_length(ParticipantMessage.body)),
    ):
        values = {
            lang: " ".join(text.split()) if name == "subject" else text.strip()
            for lang, text in (getattr(draft, name) or {}).items()
            if lang in languages and text and text.strip()
        }
        for lang, text in values.items():
            if len(text) > limit:
                errors[f"{name}_{lang}"] = _l("At most %(n)s characters.", n=limit)
        if main not in values:
            errors[f"{name}_{main}"] = (
                _l("Write the subject in the event's main language.")
                if name == "subject"
                else _l("Write the message in the event's main language.")
            )
        setattr(clean, name, values)
    if errors:
        raise ValidationErrors(errors)
    session_of(event, draft.session_id)
    return clean


def render(
    event: Event, draft: Draft, language: str, *, name: str, sender: Sender
) -> tuple[str, str, str]:
    """Subject, text and HTML of ``draft`` as ``name`` reads it in ``language`` (a language
    the organiser left empty gets the main language's text)."""
    main = event.main_language or "en"
    session = session_of(event, draft.session_id)
    return render_email(
        "participant_message",
        language,
        lang=language,
        event=event,
        session=session,
        name=name,
        subject=draft.subject.get(language) or draft.subject.get(main, ""),
        body=draft.body.get(language) or draft.body.get(main, ""),
        sender=sender,
        my_url=external_url("registration.mine"),
    )


@dataclass(frozen=True)
class DraftPreview:
    """A draft before it goes: recipients per language and each such language's mail."""

    counts: dict[str, int]
    mails: list[tuple[str, str, str]]  # (language, subject, text)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def preview(event: Event, draft: Draft) -> DraftPreview:
    """``draft`` checked, counted and rendered in each language that has recipients (and the
    main one), with a stand-in name."""
    from .preview import country_of, stand_in_name

    draft = check(event, draft)
    counts = recipient_counts(event, draft)
    languages = [lang for lang in current_app.config["LANGUAGES"] if counts.get(lang)]
    main = event.main_language or "en"
    if main not in languages:
        languages.insert(0, main)
    senders = senders_of(event)
    mails = []
    for language in languages:
        subject, text, _html = render(
            event,
            draft,
            language,
            name=stand_in_name(language),
            sender=senders(country_of(language)),
        )
        mails.append((language, subject, text))
    return DraftPreview(counts, mails)


def send(event: Event, draft: Draft, by: User | None) -> ParticipantMessage:
    """Queue ``draft`` to each recipient in their language and keep it on the event."""
    event = lock_event(event.id)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("The event is cancelled: write to the participants another way."))
    draft = check(event, draft)
    session = session_of(event, draft.session_id)
    people = list(
        db.session.scalars(
            _recipients_query(event, session, draft.include_waitlisted).order_by(Registration.id)
        )
    )
    if not people:
        raise ServiceError(_l("Nobody would receive this message."))
    main = event.main_language or "en"
    message = ParticipantMessage(
        event=event,
        session=session,
        include_waitlisted=draft.include_waitlisted,
        main_language=main,
        sent_by=by,
        subject=draft.subject[main],
        body=draft.body[main],
        recipients=len(people),
    )
    for name in ("subject", "body"):
        message.set_texts(name, getattr(draft, name))
    db.session.add(message)
    db.session.flush()
    senders = senders_of(event)
    per_language: dict[str, int] = {}
    for registration in people:
        sender = senders(registration.country)
        mail = render(event, draft, registration.language, name=registration.name, sender=sender)
        queue_to_participant(
            registration, keys.participant_message(message, registration), sender, mail
        )
        per_language[registration.language] = per_language.get(registration.language, 0) + 1
    message.per_language = per_language
    db.session.flush()
    audit.record(
        "participants.message",
        message,
        {"recipients": len(people), "session": draft.session_id},
        event=event,
    )
    return message


def sent_messages(event: Event) -> list[ParticipantMessage]:
    """The messages sent to ``event``'s participants, newest first."""
    return list(
        db.session.scalars(
            select(ParticipantMessage)
            .where(ParticipantMessage.event_id == event.id)
            .options(
                selectinload(ParticipantMessage.sent_by), selectinload(ParticipantMessage.session)
            )
            .order_by(ParticipantMessage.sent_at.desc(), ParticipantMessage.id.desc())
        )
    )
