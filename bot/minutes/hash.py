"""The SHA-256 of approved minutes: over their JSON export (bot/minutes/writers.py), canonical,
without what is not the minutes' content, so that every export gives the same until something
changes what they say (a redaction, lines removed by retention)."""

from __future__ import annotations

import hashlib
import json

from bot.minutes.items import Minutes
from bot.minutes.writers import minutes_json

# Left out: the approval itself, what is shown live (actions still open from earlier meetings)
# and the language the export was asked in.
UNHASHED = ("approval", "open_actions", "language")


def approved_sha256(minutes: Minutes) -> str:
    """The SHA-256 of the minutes' JSON export, canonical (sorted keys, no spaces, UTF-8),
    without the keys of UNHASHED: the same for every export until something changes them."""
    document = {k: v for k, v in minutes_json(minutes).items() if k not in UNHASHED}
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
