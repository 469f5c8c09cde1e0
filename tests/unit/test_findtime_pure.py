"""Find-a-time's pure parts: its argument parsers, the length said at the end of a phrase, the
ranking of slots (ties and the earliest first) and how the grid reads (the HTML table and its
plain-text lines). Every parser is also checked total and linear by test_parsers_total.py."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.findtime import MAYBE, NO, YES, SlotAnswers, _slot_line, _table, best_slots
from bot.parsing import UsageError
from bot.rooms import RoomSettings
from bot.when import split_length
from commands.findtime import FindTimeArgs, parse_book, parse_export, parse_findtime, parse_id
from storage.findtime_models import FindTimeSlot

ROOM = RoomSettings("en", "Europe/Luxembourg", "!")
T0 = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # Tuesday 14:00 in Luxembourg


# --- Parsers --------------------------------------------------------------------------------


def test_parse_findtime_slots_length_and_options():
    assert parse_findtime('"Plenary" Tuesday 14:00 | Wednesday 10:00-12:00') == FindTimeArgs(
        "Plenary", ("Tuesday 14:00", "Wednesday 10:00-12:00")
    )
    full = parse_findtime(
        "„Plénière“ mardi 14h | mercredi 10h pendant 1h30 --remind 1j --closes vendredi 18h"
    )
    assert full == FindTimeArgs(
        "Plénière",
        ("mardi 14h", "mercredi 10h"),
        timedelta(minutes=90),
        "vendredi 18h",
        timedelta(days=1),
    )
    # The length alone after the last bar; a length in the middle is that slot's own.
    alone = parse_findtime('"P" Tue 9:00 for 30 minutes | Wed 9:00 | 2 Stunden lang')
    assert alone.slots == ("Tue 9:00 for 30 minutes", "Wed 9:00")
    assert alone.length == timedelta(hours=2)
    # A title may hold what looks like an option.
    assert parse_findtime('"Q1 -- --closes" Tue 9:00 | Wed 9:00').title == "Q1 -- --closes"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Give the meeting's title in quotes, then the times separated by |."),
        (
            "Plenary Tue 9:00 | Wed 9:00",
            "Give the meeting's title in quotes, then the times separated by |.",
        ),
        ('"Plenary" Tue 9:00', "A find-a-time needs at least {min} slots; you gave {count}."),
        ('"Plenary" for 2h', "A find-a-time needs at least {min} slots; you gave {count}."),
        (
            '"Plenary" ' + " | ".join(["Tue 9:00"] * 13),
            "A find-a-time has at most {max} slots; you gave {count}.",
        ),
        ('"Plenary" Tue 9:00 || Wed 9:00', "A time between two | is missing."),
        ('"Plenary" Tue 9:00 | Wed 9:00 |', "A time between two | is missing."),
        (
            '"Plenary" Tue 9:00 | Wed 9:00 --closes',
            "Say when the find-a-time closes, e.g. --closes Friday 18:00.",
        ),
        (
            '"Plenary" Tue 9:00 | Wed 9:00 --remind 1d',
            "--remind needs a closing time: add --closes <when>, e.g. --closes Friday 18:00 --remind 1d.",
        ),
        (
            '"Plenary" Tue 9:00 | Wed 9:00 --closes Mon 9:00 --closes Tue 9:00',
            "“{option}” is given twice.",
        ),
        (
            '"Plenary" Tue 9:00 | Wed 9:00 --multi',
            "Unknown option {option}; the options are --closes <when> and --remind <duration>.",
        ),
        (
            '"' + "x" * 201 + '" Tue 9:00 | Wed 9:00',
            "The title is too long (at most {limit} characters).",
        ),
    ],
)
def test_parse_findtime_refuses(raw, message):
    with pytest.raises(UsageError) as error:
        parse_findtime(raw)
    assert error.value.message == message


def test_the_other_parsers():
    assert parse_id("#3") == 3
    assert parse_book("3") == (3, None) and parse_book("#3 2") == (3, 2)
    assert parse_export("3 CSV") == (3, "csv") and parse_export("#3 json") == (3, "json")
    for parse, raw in (
        (parse_id, ""),
        (parse_id, "1 2"),
        (parse_book, ""),
        (parse_book, "1 2 3"),
        (parse_book, "1 x"),
        (parse_book, "x"),
        (parse_export, "1"),
        (parse_export, "1 xlsx"),
        (parse_export, "x csv"),
    ):
        with pytest.raises(UsageError):
            parse(raw)


@pytest.mark.parametrize(
    ("phrase", "rest", "length"),
    [
        ("Thursday 9:00 for 2h", "Thursday 9:00", timedelta(hours=2)),
        ("jeudi 9h pendant 1h30", "jeudi 9h", timedelta(minutes=90)),
        ("Donnerstag 9 Uhr 2 Stunden lang", "Donnerstag 9 Uhr", timedelta(hours=2)),
        ("Thu 9:00, for 45 minutes  ", "Thu 9:00", timedelta(minutes=45)),
        ("for 90 minutes", "", timedelta(minutes=90)),
        ("Thursday 9:00", "Thursday 9:00", None),
        ("9:00 for 2h at home", "9:00 for 2h at home", None),  # not at the end
        ("Thu 9:00 for 0 minutes", "Thu 9:00 for 0 minutes", None),
        ("Thu 9:00 for 2 months", "Thu 9:00 for 2 months", None),  # no meeting's length
    ],
)
def test_split_length(phrase, rest, length):
    assert split_length(phrase) == (rest, length)


# --- Ranking and the grid ----------------------------------------------------------------------


def slot(number: int, hours_later: float = 0, minutes: int = 60) -> FindTimeSlot:
    start = T0 + timedelta(hours=hours_later)
    return FindTimeSlot(slot=number, start_at=start, end_at=start + timedelta(minutes=minutes))


def answered(number: int, hours_later: float, **answers: str) -> SlotAnswers:
    return SlotAnswers(slot(number, hours_later), {f"@{u}:x": a for u, a in answers.items()})


def test_best_is_most_yes_or_if_need_be_then_most_yes_then_earliest():
    one = answered(1, 0, a=YES, b=NO, c=NO)
    two = answered(2, 24, a=MAYBE, b=MAYBE, c=NO)  # 2 can come, 0 gladly
    three = answered(3, 48, a=YES, b=MAYBE, c=NO)  # 2 can come, 1 gladly: best
    assert best_slots([one, two, three]) == [three]
    # A tie on both counts: every tied slot, the earliest first, whatever its number.
    four = answered(4, -24, a=MAYBE, b=YES)
    assert best_slots([one, two, three, four]) == [four, three]
    # Nobody can come, or nobody answered: no best slot.
    assert best_slots([answered(1, 0, a=NO), answered(2, 1)]) == []
    assert best_slots([]) == []


def test_the_grid_as_a_table_and_as_lines():
    slots = [
        answered(1, 0, alice=YES, bob=NO),
        answered(2, 24, alice=MAYBE),
    ]
    people = ["@alice:x", "@bob:x"]
    names = {"@alice:x": "Alice <script>", "@bob:x": "Bob\u202e"}
    table = _table(slots, people, names, ROOM)
    assert table == (
        "<table><thead><tr><th>Slot</th>"
        '<th><a href="https://matrix.to/#/@alice:x">Alice &lt;script&gt;</a></th>'
        '<th><a href="https://matrix.to/#/@bob:x">Bob</a></th>'
        "<th>✓</th><th>(✓)</th><th>✗</th></tr></thead><tbody>"
        "<tr><td>1. Tue, 24 Nov 2026, 14:00–15:00 (Europe/Luxembourg)</td>"
        "<td>✓</td><td>✗</td><td>1</td><td>0</td><td>1</td></tr>"
        "<tr><td>2. Wed, 25 Nov 2026, 14:00–15:00 (Europe/Luxembourg)</td>"
        "<td>(✓)</td><td>·</td><td>0</td><td>1</td><td>0</td></tr>"
        "</tbody></table>"
    )
    assert [_slot_line(s, people, names, ROOM) for s in slots] == [
        "1. Tue, 24 Nov 2026, 14:00–15:00 (Europe/Luxembourg): 1 yes, 0 if need be, 1 no"
        " — Alice <script> ✓, Bob ✗",
        "2. Wed, 25 Nov 2026, 14:00–15:00 (Europe/Luxembourg): 0 yes, 1 if need be, 0 no"
        " — Alice <script> (✓)",
    ]
