"""Text read from a QR-bill, made safe to keep and to show: the payload comes from a supplier's
document, so any field may hold control characters, invisible formatting or far too much text."""
from __future__ import annotations

import unicodedata

# Unicode categories dropped from every text field: controls (C0, DEL, C1), invisible formatting
# (bidirectional overrides, zero-width characters), lone surrogates (which UTF-8 cannot encode),
# private-use and unassigned code points, and line or paragraph separators (a field is one line).
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def without_controls(value: str) -> str:
    """``value`` without the characters of :data:`_DROPPED_CATEGORIES`."""
    return "".join(char for char in value
                   if unicodedata.category(char) not in _DROPPED_CATEGORIES)


def clean_text(value: str, max_length: int | None = None) -> str:
    """A text field as Guichet keeps it: without controls, in NFC, stripped, and cut to
    ``max_length`` characters (SIX's maximum for the field) when it is longer.

    Controls go before normalising, so that a character and its accent kept apart by a control
    still compose; the cut is stripped again so that it never ends on a space."""
    text = unicodedata.normalize("NFC", without_controls(value)).strip()
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text
