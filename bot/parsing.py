"""Reading what a member typed: the command lines of a message, their words (double quotes,
also “ ” „ « », group words), and `UsageError`, the sentence a parser raises about bad input."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, Translate

QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "”": "”"}


class UsageError(Exception):
    """Bad input: a translatable message (declared with N_) and its format arguments."""

    def __init__(self, message: str, **kwargs: Any):
        super().__init__(message)
        self.message = message
        self.kwargs = kwargs

    def render(self, _: Translate) -> str:
        return _(self.message).format(**self.kwargs)


def split_args(raw: str) -> tuple[str, ...]:
    """Split on whitespace; double quotes (also “ ” „ « ») group words. Apostrophes are text."""
    tokens: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        if raw[i].isspace():
            i += 1
            continue
        if raw[i] in QUOTES:
            closing = QUOTES[raw[i]]
            end = raw.find(closing, i + 1)
            if end < 0:
                raise UsageError(N_("A quote is not closed: {text}"), text=raw[i:][:40])
            tokens.append(raw[i + 1 : end])
            i = end + 1
        else:
            start = i
            while i < n and not raw[i].isspace() and raw[i] not in QUOTES:
                i += 1
            tokens.append(raw[start:i])
    return tuple(tokens)


def command_lines(body: str, prefix: str) -> list[str]:
    """The commands of a message: every line that starts with the prefix, without it."""
    lines = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith(prefix) and len(line) > len(prefix) and not line[len(prefix)].isspace():
            lines.append(line[len(prefix) :])
    return lines
