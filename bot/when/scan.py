"""The phrase being read: pieces are cut out of a folded copy, what is left is the title."""

import re

from bot.when.words import _fold

# Longer than any connecting word ("à partir de") with a space: regexes that look for one
# just before a position search this far back only, so a phrase is read in linear time.
_REACH = 40
_TIDY = " ,;:-/|@."


class _Scan:
    """The phrase being read: matches are blanked out of a folded copy; the rest is the title."""

    def __init__(self, text: str, conn: re.Pattern):
        self.text, self.work, self.conn = text, _fold(text), conn
        self.shouted = not any(c.islower() for c in text)  # all capitals: "RÉUNION À 10H ET.."

    def take(self, rx: re.Pattern, ok=lambda m: True) -> re.Match | None:
        """First acceptable match of rx, blanked out together with connecting words before it."""
        for m in rx.finditer(self.work):
            if ok(m):
                start = self._connected(m.start())
                self.work = self.work[:start] + " " * (m.end() - start) + self.work[m.end() :]
                return m
        return None

    def take_all(self, rx: re.Pattern, ok=lambda m: True) -> list[re.Match]:
        """Every acceptable match of rx, blanked out in one pass (as take does with one)."""
        found = [m for m in rx.finditer(self.work) if ok(m)]
        if found:
            work = list(self.work)
            for m in found:
                start = self._connected(m.start())
                work[start : m.end()] = " " * (m.end() - start)
            self.work = "".join(work)
        return found

    def said(self, m: re.Match) -> str:
        """What the member typed where m matched."""
        return " ".join(self.text[m.start() : m.end()].split())

    def _connected(self, end: int) -> int:
        """Where the connecting words just before `end` ("on the", "à partir de") start."""
        start = end
        while True:
            space = start
            while space > 0 and self.work[space - 1].isspace():
                space -= 1
            c = self.conn.search(self.work, max(0, space - _REACH), space)
            if c is None:
                return start
            start = c.start()

    def title(self, edge: re.Pattern) -> str | None:
        """The original text minus the blanked pieces, with stray punctuation tidied away."""
        t = "".join(o if w != " " else " " for o, w in zip(self.text, self.work, strict=True))
        t = re.sub(r"\(\s*\)|\[\s*\]", " ", t)
        t = re.sub(r"\s+([,;:.!?])", r"\1", re.sub(r"\s+", " ", t))
        t = re.sub(r"([,;:])[,;:]+", r"\1", t).lstrip(_TIDY)
        folded, end = _fold(t), len(t)
        while True:  # drop trailing connecting words ("Meeting at", "Réunion le") one by one
            while end and t[end - 1] in _TIDY:
                end -= 1
            m = edge.search(folded, max(0, end - _REACH), end)
            if not m:
                return t[:end] or None
            end = m.start()
