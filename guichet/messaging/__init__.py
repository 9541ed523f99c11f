"""Outgoing e-mail and SMS, always through the outbox."""
from .outbox import deliver_due, queue_email, queue_sms

__all__ = ["deliver_due", "queue_email", "queue_sms"]
