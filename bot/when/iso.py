"""ISO 8601 date-times in a phrase: 2026-12-03T15:00, with seconds, Z or an offset, the basic
20261203T150000Z; with a space instead of T only when seconds or an offset follow."""

import re
from datetime import tzinfo
from zoneinfo import ZoneInfo

from bot.when.zones import _offset

_ISO = (
    r"(?<![\w.:/+-])(?P<isy>\d{4})(?P<isdash>-?)(?P<ism>\d{2})(?P=isdash)(?P<isd>\d{2})"
    r"(?P<isep>t|\s+)(?P<ish>\d{2})(?P<iscolon>:?)(?P<ismi>[0-5]\d)"
    r"(?:(?P=iscolon)(?P<iss>[0-5]\d)(?:[.,]\d{1,9})?)?"
    r"(?P<isz>z|(?P<isoff>[+-])(?P<isoh>0\d|1[0-4])(?::?(?P<isom>[0-5]\d))?)?"
    r"(?![\w:+]|[.,]?\d)"
)


def _iso_ok(m: re.Match) -> bool:
    """2026-12-03T15:00 always; with a space only with dashes, colons and seconds or a zone
    (else a date and a time, which may start a range); the basic 20261203T1500Z only with its
    T; hours up to 23."""
    if m.group("isep") != "t":
        extended = m.group("isdash") and m.group("iscolon")
        if not (extended and (m.group("iss") or m.group("isz"))):
            return False
    return int(m.group("ish")) <= 23


def _iso_zone(m: re.Match) -> tuple[tzinfo, str | None] | None:
    """The zone of an ISO time's Z or offset; None if it has none."""
    if m.group("isz") == "z":
        return ZoneInfo("UTC"), "UTC"
    if m.group("isoff"):
        return _offset(m.group("isoff"), m.group("isoh"), m.group("isom"))
    return None
