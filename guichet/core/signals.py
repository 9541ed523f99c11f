"""Reactions across features go through these signals (blinker, as Flask and Indico use): the
feature where something happens sends, the features that care listen, and neither imports the
other. Receivers run inside the sender's unit of work, so what they write is committed with it.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

insured_logged_in = _signals.signal("insured-logged-in", doc="""
An insured person passed both login factors. Sender: the ``User``.""")

profile_changed = _signals.signal("profile-changed", doc="""
The account's profile (identity or address) changed. Sender: the ``User``.""")
