"""The models, one module per aggregate."""

from .attendance import ATTENDANCE_METHODS, ATTENDANCE_STATUSES, AttendanceRecord
from .audit import AuditEntry
from .certificate import Certificate
from .enums import (
    AttendanceMethod,
    AttendanceStatus,
    AuditSource,
    CertificateRule,
    EventStatus,
    Interest,
    InvitationStatus,
    LogoKind,
    MailJobKind,
    MailJobStatus,
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
from .mail_job import MailJob
from .message import ParticipantMessage
from .organisation import Organisation
from .outbox import DeliveryWorker, OutboxMessage, OutboxRelay
from .periodic import PeriodicRun
from .privacy import ConsentRecord, ErasureRequest, PrivacyNotice
from .registration import Registration, SessionSeat
from .report import ReportLogo, ReportSettings
from .respondent import Respondent
from .throttle import RateLimitCounter
from .user import ROLES, User

__all__ = [
    "AttendanceMethod",
    "AttendanceStatus",
    "AuditSource",
    "CertificateRule",
    "EventStatus",
    "Interest",
    "InvitationStatus",
    "LogoKind",
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
    "Certificate",
    "EVENT_STATUSES",
    "Event",
    "INVITATION_STATUSES",
    "Invitation",
    "Organisation",
    "OutboxMessage",
    "ParticipantMessage",
    "DeliveryWorker",
    "MailJob",
    "MailJobKind",
    "MailJobStatus",
    "OutboxRelay",
    "PeriodicRun",
    "ROLES",
    "ConsentRecord",
    "ErasureRequest",
    "PrivacyNotice",
    "Registration",
    "ReportLogo",
    "ReportSettings",
    "RateLimitCounter",
    "Respondent",
    "SessionSeat",
    "TrainingSession",
    "User",
    "session_trainers",
]
