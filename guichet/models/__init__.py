"""All models, imported here so Alembic and the app see every table."""
from . import list_version  # noqa: F401,E402  (keeps users.list_version moving)
from .audit import AuditEntry
from .auth_session import AuthSession
from .banking import BankAccount
from .beneficiaries import Beneficiary, SavedDecision
from .codes import SmsCode
from .decisions import Decision
from .invoices import (Attachment, ComplementRequest, Invoice, InvoiceEvent, InvoiceLine,
                       ReceiptCounter, RefusalReason, ReviewDecision, StaffNote)
from .outbox import OutboxMessage
from .rates import Rate
from .recovery_codes import RecoveryCode
from .register import RegisteredPerson
from .staff_invitation import StaffInvitation
from .tokens import UsedToken
from .transmission import BatchCounter, PaymentIssue, TransmissionBatch
from .types import utcnow
from .user import (ROLE_ADMIN, ROLE_INSURED, ROLE_REVIEWER, ROLE_TRANSMISSION, STAFF_ROLES,
                   User)

__all__ = ["AuditEntry", "BankAccount", "Beneficiary", "SavedDecision", "Decision", "Rate", "Attachment", "ComplementRequest", "Invoice",
           "InvoiceEvent", "InvoiceLine", "ReceiptCounter", "RefusalReason", "ReviewDecision", "StaffNote", "AuthSession", "SmsCode", "OutboxMessage",
           "RecoveryCode", "RegisteredPerson", "StaffInvitation",
           "UsedToken", "User", "utcnow", "ROLE_ADMIN", "ROLE_INSURED", "ROLE_REVIEWER", "ROLE_TRANSMISSION",
           "STAFF_ROLES", "BatchCounter", "PaymentIssue", "TransmissionBatch"]
