"""Every parser is total and fast: any text, up to the longest allowed command, gives a value or
a UsageError (parse_when: a When or a WhenError), never another exception, in well under a
second and in time that grows linearly with the text.

The command parsers are collected from the registry (every Command of commands.MODULES), so a
new command is covered without touching this file."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import commands
from bot.dispatch import MAX_COMMAND_LENGTH
from bot.features import Registry
from bot.parsing import UsageError
from bot.when import WhenError, parse_when

MAX = MAX_COMMAND_LENGTH
FAST = 0.5  # seconds: "well under a second" for the longest allowed command
SUN = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Luxembourg"))
LANGS = ["en", "fr", "de", "lb", "xx"]


def _parsers() -> list:
    """Each distinct parse function of the registry, named by the commands that use it."""
    by_parse: dict = {}
    for cmd in Registry(commands.MODULES).commands:
        by_parse.setdefault(cmd.parse, []).append(cmd.name)
    return [pytest.param(parse, id="|".join(names)) for parse, names in by_parse.items()]


PARSERS = _parsers()

# What members type, and what a hostile one would: date words and place markers of every
# language, ids in odd digits, quotes, options, separators, huge numbers, control characters.
# fmt: off
WORDS = [
    "at", "à", "au", "im", "bei", "beim", "in der", "um", "@", "by", "due", "due by", "bis",
    "bis zum", "avant le", "in", "dans", "for", "pendant", "für", "lang", "every", "tous les",
    "jeden", "alle", "next", "prochain", "nächsten", "last", "dernier", "letzten", "yesterday",
    "hier", "avant-hier", "gestern", "vorgestern", "today", "tomorrow", "demain", "morgen",
    "heute", "ce soir", "Monday", "lundi", "Montag", "mondays", "Tue", "mar.", "Di.", "December",
    "décembre", "Dezember", "of the month", "du mois", "de", "le", "the", "am", "pm", "a.m.",
    "h", "Uhr", "o'clock", "14:00", "10h", "10h30", "3pm", "15.30", "10.12.2026", "2026-12-10",
    "31/11", "12/3", "3rd", "1er", "3.", "noon", "midi", "halb", "quarter past", "et quart",
    "years", "days", "hours", "minutes", "weeks", "months", "ans", "Jahren", "9999999999",
    "99999999", "9000", "0", "00", "#3", "#", "¹", "²", "³", "٣", "１", "𝟑", "--tz",
    "Europe/Paris", "--tz=Mars/Olympus", "--closes", "--multi", "--secret", "--", "|", "-",
    "@bob:example.org", "@:", ",", ":", ";", ".", "(", ")", '"', "“", "”", "„", "«", "»", "'",
    "https://example.org/x", "http://", "none", "off", "yes", "oui", "maybe", "1d", "2h",
    "15m", "1h30m", "md", "json", "mine", "all", "\n", "\t", "\u200f", "\u202e", "\x00", " ",
]
# fmt: on
# Characters str.isdigit() accepts that int() refuses (superscripts, subscripts, circled,
# Ethiopic), and other scripts' digits that both accept.
ODD_DIGITS = "¹²³⁴⁵⁶⁷⁸⁹⁰₁₂₃①②፩፲٣१১１𝟑"
digits = st.text(st.sampled_from(ODD_DIGITS + "0123456789"), min_size=1, max_size=12) | st.text(
    st.characters(categories=["Nd", "No"]), min_size=1, max_size=12
)
token = st.sampled_from(WORDS) | digits | st.text(max_size=4)
soup = st.lists(token, max_size=40).map(" ".join)
short = st.lists(token, max_size=4).map(" ".join)
# A time phrase with an amount: "in 9000 years at 10:00", "for 9999999999 hours".
amount = st.tuples(
    st.sampled_from(["in", "dans", "every", "tous les", "for", "pendant", "für", ""]),
    st.integers(0, 10**12).map(str) | digits,
    st.sampled_from(["years", "ans", "Jahren", "months", "weeks", "days", "hours", "minutes"]),
    st.sampled_from(["at 10:00", "à 10h", "um 10 Uhr", "tomorrow 9:00", "", "lang"]),
).map(" ".join)


def _repeat(parts: tuple) -> str:
    """head, a unit repeated, tail: `length` characters in all (at most the longest command)."""
    head, unit, length, tail = parts
    unit = " ".join(unit) + " "
    room = max(0, min(length, MAX) - len(head) - len(tail) - 2)
    return f"{head} {(unit * (room // len(unit) + 1))[:room]} {tail}"[:MAX]


# An adversarial line: a few words repeated up to the longest allowed command.
repeated = st.tuples(short, st.lists(token, min_size=1, max_size=4), st.integers(1, MAX), short)
ids = st.tuples(st.sampled_from(["", "#", "##"]), digits, st.sampled_from(["", " md", " x"]))
texts = st.one_of(
    st.text(max_size=100),
    st.text(max_size=MAX),
    soup,
    amount,
    repeated.map(_repeat),
    ids.map("".join),
    digits,
)


def _timed(parse, text: str) -> float:
    """CPU seconds one parse took (another process's load does not count); a value or a
    UsageError/WhenError, nothing else."""
    began = time.process_time()
    try:
        parse(text)
    except (UsageError, WhenError) as error:
        assert str(error)  # a sentence to show, never an empty message
    return time.process_time() - began


@pytest.fixture(scope="module", autouse=True)
def _warm():
    """dateparser loads its language data on its first call: not the parsers' time."""
    parse_when("le 3 décembre à 15h", lang="fr", now=SUN)


FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("parse", PARSERS)
@FEW
@given(text=texts)
def test_every_command_parser_gives_a_value_or_a_usage_error(parse, text):
    assert _timed(parse, text) < FAST


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, lang=st.sampled_from(LANGS))
def test_parse_when_gives_a_when_or_a_when_error(text, lang):
    assert _timed(lambda t: parse_when(t, lang=lang, now=SUN), text) < FAST


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_parse_when_on_long_texts(lang):
    """Four times the longest command: still well under a second."""
    for head, unit, tail in ADVERSARIAL:
        text = head + " " + unit * (4 * MAX // len(unit)) + " " + tail
        assert _timed(lambda t: parse_when(t, lang=lang, now=SUN), text) < FAST


# Lines that made some parser quadratic (head, repeated part, tail): each marker, connecting
# word or rejected candidate used to restart a scan of the whole line.
ADVERSARIAL = [
    ("Test", "de 14h à ", ""),  # !meeting add: the date parser once per "à"
    ("Test", "at 10:00 ", "at the Ministry"),
    ("Treffen", "im 3 Uhr bei ", ""),
    ("", "at ", "x 10:00"),  # connecting words before a piece
    ("", "um am ", "x um 10 Uhr"),
    ("10:00 x", "at ", ""),  # connecting words at the end of the title
    ("10:00 x", "and ", ""),
    ("@bob:example.org draft", "by Friday by ", "by"),
    ("", "@bob:example.org, ", "do it"),
    ("", "a, ", "b do it"),
    ("", '"x" ', ""),
    ("", "1 pm ", ""),
    ("", "le 31 ", ""),
    ("", "12/3 ", ""),
    ("", "in 99999999 days ", ""),
    ("", "3 December ", ""),
    ('"Poll" "a" "b"', "--closes ", ""),
    ('"Plenary"', "tomorrow 10:00 | ", ""),
    ("3", " ", "x"),
]


def _line(head: str, unit: str, tail: str, length: int) -> str:
    return _repeat((head, (unit.strip(),), length, tail))


def _best(parse, text: str) -> float:
    return min(_timed(parse, text) for _ in range(7))


def _assert_linear(parse, head: str, unit: str, tail: str) -> None:
    """Four times the text takes about four times as long, not sixteen: 10x is allowed, and
    three tries, for a machine busy with something else."""
    long, brief = _line(head, unit, tail, MAX), _line(head, unit, tail, MAX // 4)
    for _attempt in range(3):
        slow, quick = _best(parse, long), _best(parse, brief)
        assert slow < FAST, (head, unit, tail, slow)
        if slow < 10 * quick + 0.003:
            return
    raise AssertionError(f"{unit!r}: {slow * 1000:.1f} ms for {MAX} chars, {quick * 1000:.1f} ms")


@pytest.mark.parametrize("parse", PARSERS)
def test_the_longest_command_parses_in_linear_time(parse):
    for head, unit, tail in ADVERSARIAL:
        _assert_linear(parse, head, unit, tail)


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_parse_when_is_linear_on_adversarial_lines(lang):
    def parse(text):
        return parse_when(text, lang=lang, now=SUN)

    for head, unit, tail in ADVERSARIAL:
        _assert_linear(parse, head, unit, tail)
