"""All models, imported here so Alembic and the app see every table."""
from .audit import AuditEntry
from .auth_session import AuthSession
from .codes import SmsCode
from .outbox import OutboxMessage
from .register import RegisteredPerson
from .tokens import UsedToken
from .types import utcnow
from .user import ROLE_ADMIN, ROLE_INSURED, ROLE_REVIEWER, STAFF_ROLES, User

__all__ = ["AuditEntry", "AuthSession", "SmsCode", "OutboxMessage", "RegisteredPerson",
           "UsedToken", "User", "utcnow", "ROLE_ADMIN", "ROLE_INSURED", "ROLE_REVIEWER",
           "STAFF_ROLES"]
