"""The models, one module per aggregate."""

from .attendance import ATTENDANCE_METHODS, ATTENDANCE_STATUSES, AttendanceRecord
from .audit import AuditEntry
from .enums import (
    AttendanceMethod,
    AttendanceStatus,
    AuditSource,
    EventStatus,
    Interest,
    InvitationStatus,
    OrganisationKind,
    OutboxKind,
    OutboxStatus,
    RegistrationStatus,
    Role,
    SeatStatus,
    SessionStatus,
)
from .event import EVENT_STATUSES, Event, TrainingSession, session_trainers
from .invitation import INVITATION_STATUSES, Invitation
from .message import ParticipantMessage
from .organisation import Organisation
from .outbox import OutboxMessage
from .periodic import PeriodicRun
from .registration import Registration, SessionSeat
from .respondent import Respondent
from .throttle import RateLimitCounter
from .user import ROLES, User

__all__ = [
    "AttendanceMethod",
    "AttendanceStatus",
    "AuditSource",
    "EventStatus",
    "Interest",
    "InvitationStatus",
    "OrganisationKind",
    "OutboxKind",
    "OutboxStatus",
    "RegistrationStatus",
    "Role",
    "SeatStatus",
    "SessionStatus",
    "ATTENDANCE_METHODS",
    "ATTENDANCE_STATUSES",
    "AttendanceRecord",
    "AuditEntry",
    "EVENT_STATUSES",
    "Event",
    "INVITATION_STATUSES",
    "Invitation",
    "Organisation",
    "OutboxMessage",
    "ParticipantMessage",
    "PeriodicRun",
    "ROLES",
    "Registration",
    "RateLimitCounter",
    "Respondent",
    "SessionSeat",
    "TrainingSession",
    "User",
    "session_trainers",
]
