"""User text made safe for the minutes' writers (bot/minutes/writers.py, jsonform.py): control
and bidi-override characters dropped, Markdown escaped, only plain http(s) links kept."""

from __future__ import annotations

import re

# C0/C1 controls (but tab and newline), and the characters that reorder text on screen.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|#])")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.I)


def clean(text: str) -> str:
    """User text without control characters or bidi overrides."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without a regex
    return _UNSAFE.sub("", text)


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link, else None (no javascript:, data:, …)."""
    if url and _SAFE_URL.match(url):
        return url
    return None


def md_escape(text: str) -> str:
    """Text that Markdown shows as it is: on one line, every markup character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))
