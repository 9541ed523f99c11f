"""What the administrators keep: the refusal reasons."""
from .blueprint import bp  # noqa: F401
