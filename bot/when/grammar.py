"""The regexes a phrase is read with, built from the word tables for a room language."""

import re
from functools import lru_cache

from bot.when.iso import _ISO
from bot.when.words import (
    _FALSE_FRIENDS,
    DAY,
    MONTH,
    NUM,
    ORD,
    WEEKDAY,
    _spellings,
    _vocab,
)
from bot.when.zones import _ZONE_LOCAL, DE_ADJ, PLACE, ZONE_ABBR, ZONE_WORD


def _alt(words) -> str:
    """Regex alternation of folded words, longest first; never matches if there are none.

    Written as a trie ("mon(?:day|tag)?" rather than "monday|montag|mon"): at each position
    of a phrase a list of hundreds of words costs a few character tests, not hundreds."""
    trie: dict = {}
    for word in words:
        node = trie
        for c in " ".join(word.split()):
            node = node.setdefault(c, {})
        node[""] = {}
    return "(?:" + _trie(trie) + ")" if trie else "(?!)"


def _trie(node: dict) -> str:
    """Regex of a trie node: its branches, optional if a word ends here (longer ones first)."""
    branches = [
        (r"\s+" if c == " " else re.escape(c)) + _trie(child)
        for c, child in sorted(node.items())
        if c
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


@lru_cache(maxsize=8)
def _patterns(lang: str) -> dict:
    """Compiled regexes for a room language (only abbreviations depend on it)."""
    keys = "num unit half approx part this this_wd next after_next post_next next_week every"
    keys += " recur for for_after in from to at hour_mark before after noon midnight part_prep"
    keys += " last post_last other alt dom conn nth of_month from_day now zone_in en_huit"
    v = {k: _alt(_vocab(k)) for k in keys.split()}
    tables = {"ord": ORD, "place": PLACE, "de_adj": DE_ADJ, "zone_word": ZONE_WORD}
    v |= {k: _alt(table) for k, table in tables.items()}
    v["zone_abbr"], v["zone_local"] = _alt(ZONE_ABBR), _alt(_spellings(_ZONE_LOCAL, 0, {}))
    v["day"] = _alt(w for w in DAY if w not in _FALSE_FRIENDS.get(lang, ()))
    v["sure_day"] = _alt(w for w in DAY if not any(w in f for f in _FALSE_FRIENDS.values()))
    v["hour"] = _alt(w for w, n in NUM.items() if n == int(n) and 1 <= n <= 24 and len(w) > 2)
    v["wd"] = _alt(WEEKDAY) + "|" + _alt(_vocab("wd_abbr", (lang,))) + r"(?=\.|\s*\d)"
    v["month"] = _alt(MONTH)
    v["month_first"] = _alt(n for n in MONTH if len(n) > 3 or lang == "en")
    v["anchor_day"] = _alt(w for w, n in DAY.items() if n >= 0)

    def amount(p):
        return (
            rf"(?<!\w)(?:(?P<{p}hh>\d{{1,2}})\s*h\s*(?P<{p}mm>[0-5]\d)(?:\s*(?:min|mn))?"
            rf"|(?P<{p}n>\d+(?:[.,]\d+)?|{v['num']})[\s-]*(?P<{p}u>{v['unit']})"
            rf"(?P<{p}half>\s+{v['half']})?)(?!\w)"
        )

    def clock(p):
        return (
            rf"(?:(?<![\w-])(?P<{p}noon>{v['noon']})|(?P<{p}midnight>{v['midnight']})"
            rf"|(?:(?P<{p}before>{v['before']})\s+)?(?<![\w.:/])(?P<{p}h>\d{{1,2}}|{v['hour']})"
            rf"(?:(?P<{p}sep>[:.])(?P<{p}m>[0-5]\d)(?::[0-5]\d)?)?"
            rf"(?:\s*(?P<{p}mark>{v['hour_mark']})(?:\s*(?P<{p}m2>[0-5]\d))?"
            rf"|\s*(?P<{p}mer>[ap])\.?m\.?(?!\s+(?:{v['wd']}|{v['next']}|\d)))?)"
            rf"(?:\s+(?P<{p}after>{v['after']}))?"
            rf"(?:\s+(?:{v['part_prep']}\s+)?(?!{v['day']}(?!\w))(?P<{p}part>{v['part']}))?"
            rf"(?!\w)"
        )

    def anchor(p):
        """The day an amount is counted from: today, tomorrow, now, a weekday."""
        return (
            rf"(?:(?P<{p}aday>{v['anchor_day']})|(?P<{p}anow>{v['now']})"
            rf"|(?P<{p}awd>{v['wd']}))"
        )

    def day(words):
        return (
            rf"(?<!\w)(?:(?P<day>{words})(?:\s+(?P<part>{v['part']}))?"
            rf"|(?P<this>{v['this']})\s+(?P<part2>{v['part']}))(?!\w)"
        )

    rx = {
        "iso": _ISO,
        "anc": (
            rf"(?<!\w)(?:{amount('f')}\s+(?P<ffrom>{v['from_day']})\s*"
            rf"(?:(?P<fnext>{v['next']})\s+)?{anchor('f')}"
            rf"|(?:d')?{anchor('g')}\s+(?:(?:{v['in']})\s+{amount('g')}"
            rf"|en\s+(?P<gen>{v['en_huit']})))(?!\w)"
        ),
        "zone": (
            rf"(?<![\w/])(?:(?:{v['zone_in']})\s+)?(?:(?P<zword>{v['zone_word']})"
            rf"|(?<!une\s)(?<!\d\s)(?:l')?heure\s+(?:de\s+la\s+|de\s+l'|de\s+|d'|du\s+|des\s+)?"
            rf"(?P<zfr>{v['place']})"
            rf"|(?P<zen>{v['place']})\s+(?:local\s+)?time|(?P<zde>{v['de_adj']})\s+(?:orts)?zeit"
            rf"|(?:local\s+)?time\s+in\s+(?P<zin>{v['place']})"
            rf"|(?:orts)?zeit\s+(?:in\s+)?(?P<zdein>{v['place']})|(?P<zlocal>{v['zone_local']})"
            rf"|(?P<zabbr>{v['zone_abbr']})"
            rf"(?:\s*(?P<zoff>[+-])\s*(?P<zoh>\d{{1,2}})(?::?(?P<zom>[0-5]\d))?)?"
            rf"|(?P<ziana>[a-z]+(?:[_-][a-z]+)*(?:/[a-z]+(?:[_-][a-z]+)*){{1,2}}))(?![\w/])"
        ),
        "nth": (
            rf"(?<!\w)(?:{v['every']}\s+)?(?P<nth>{v['nth']})\s+(?P<wd>{v['wd']})s?\.?\s+"
            rf"(?:{v['of_month']})(?!\w)"
        ),
        "recur": (
            rf"(?<!\w)(?:(?P<every>{v['every']})\s+(?:(?P<other>{v['other']})\s+)?"
            rf"(?:(?P<n>\d+|{v['num']})\s+)?(?P<u>{v['unit']})"
            rf"|(?:{v['num']}\s+)?(?P<au>{v['unit']})\s+{v['alt']}\s+(?P<an>\d+|{v['num']})"
            rf"|(?P<wdevery>{v['every']})(?=\s+(?:{v['wd']})))(?!\w)"
        ),
        "recur_adj": rf"(?<!\w)(?P<adj>{v['recur']})(?!\w)",
        "rel": rf"(?<!\w)(?:{v['in']})\s+(?:{v['approx']}\s+)?{amount('r')}",
        "dur": (
            rf"(?<!\w)(?:(?:{v['for']})\s*:?\s+(?:{v['approx']}\s+)?|{v['approx']}\s+)"
            rf"{amount('d')}|{amount('e')}\s+{v['for_after']}\b"
        ),
        "weekday": (
            rf"(?<!\w)(?:(?P<next>{v['next']})\s+|(?P<this>{v['this_wd']})\s+"
            rf"|(?P<next2>{v['after_next']})\s+|(?P<last>{v['last']})\s+)?"
            rf"(?:(?P<nw>{v['next_week']})\s+)?(?P<wd>{v['wd']})\.?"
            rf"(?:(?P<pl>s)(?!\w)|\s*(?P<part>{v['part']}))?"
            rf"(?:\s+(?P<post>{v['post_next']})|\s+(?P<post_last>{v['post_last']})"
            rf"|\s+(?P<nw2>{v['next_week']}))?(?!\w)"
        ),
        "numdate": (
            r"(?<![\w.:/])(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})|(?P<d>\d{1,2})"
            r"(?P<s>[./])(?P<mo>\d{1,2})(?:(?P=s)(?P<y>\d{4}|\d{2}))?(?P<dot>\.)?)(?![\w:/]|\.\d)"
        ),
        "monthdate": (
            rf"(?<![\w.:])(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|e|\.)?\s*|(?P<dw>{v['ord']})\s+)"
            rf"(?:of\s+)?(?P<mon>{v['month']})\.?(?:,?\s+(?P<y>\d{{4}}))?(?!\w)|(?<!\w)"
            rf"(?P<mon2>{v['month_first']})\.?\s+(?:the\s+)?(?:(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"|(?P<dw2>{v['ord']}))(?:,?\s+(?P<y2>\d{{4}}))?(?![\w:])"
        ),
        "dom": (
            rf"(?<!\w)(?:(?:{v['dom']})\s+(?P<d>\d{{1,2}})(?:er|\.)?|(?P<d2>\d{{1,2}})"
            rf"(?:st|nd|rd|th))(?!\w)(?!\s*(?:{v['hour_mark']}|[ap]\.?m|[:.]\d|-))"
        ),
        "range": (
            rf"(?<!\w)(?:(?P<from>{v['from']})\s+)?{clock('a')}"
            rf"(?P<rsep>\s*-\s*|\s+{v['to']}\s+){clock('b')}(?!\s*{v['month']})"
        ),
        "day": day(v["day"]),
        "sure_day": day(v["sure_day"]),
        "time": rf"(?:(?<!\w)(?P<intro>{v['at']})\s+)?{clock('t')}",
        "conn": rf"(?<!\w)(?:{v['conn']})\s*\Z",
        "for_end": rf"(?<!\w)(?:{v['for']})\s*:?\s*\Z",
        "edge": rf"(?:^|\s)(?:{v['conn']}|and|et|und|or|ou|oder)$",
    }
    return {k: re.compile(p) for k, p in rx.items()}
