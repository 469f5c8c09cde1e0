"""The poll commands' argument parsers, and the phrase that schedules a slot of a find-a-time
poll of the earlier kind (find-a-time's own parsers: test_findtime_pure.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.parsing import UsageError
from bot.slots import slot_phrase
from bot.when import parse_when
from commands.polls import parse_id, parse_poll

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


# --- Parsers ------------------------------------------------------------------------------


def test_parse_poll():
    args = parse_poll(
        '"Lunch where?" "Pizza place" Canteen --multi --secret --closes tomorrow 18:00'
    )
    assert args.question == "Lunch where?"
    assert args.options == ("Pizza place", "Canteen")
    assert args.multi and args.secret
    assert args.closes == "tomorrow 18:00"
    plain = parse_poll("“Budget?” «Yes» „No“")
    assert (plain.question, plain.options, plain.multi, plain.secret, plain.closes) == (
        "Budget?",
        ("Yes", "No"),
        False,
        False,
        None,
    )
    later = parse_poll('"Q" "A" "B" --closes "next Tuesday 14:00" --multi')
    assert later.closes == "next Tuesday 14:00" and later.multi


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('"Q" "A"', "A poll needs at least {min} options; you gave {count}."),
        ("", "Give the question and the options, each in quotes."),
        (
            '"Q" ' + " ".join(f'"{n}"' for n in range(21)),
            "A poll has at most {max} options; you gave {count}.",
        ),
        ('"Q" "Yes" "yes "', "“{option}” is given twice."),
        ('"Q" "A" "B" --closes', "Say when the poll closes, e.g. --closes tomorrow 18:00."),
        (
            '"Q" "A" "B" --anonymous',
            "Unknown option {option}; the options are --multi, --secret, --closes <when> and --remind <duration>.",
        ),
        ('"Q" "A" "B', "A quote is not closed: {text}"),
    ],
)
def test_parse_poll_refuses(raw, message):
    with pytest.raises(UsageError) as error:
        parse_poll(raw)
    assert error.value.message == message


def test_parse_id():
    assert parse_id("3") == 3 and parse_id("#12") == 12
    for raw in ("", "x", "0", "1 2"):
        with pytest.raises(UsageError):
            parse_id(raw)


# --- Find-a-time: the phrase offered reads back as the slot --------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize(
    ("start", "minutes"),
    [
        (datetime(2026, 12, 3, 13, 0, tzinfo=UTC), 60),
        (datetime(2026, 12, 3, 13, 30, tzinfo=UTC), 90),
        (datetime(2026, 12, 31, 22, 30, tzinfo=UTC), 120),  # across midnight
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 60),  # 02:30 summer time, said twice locally
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 60),  # 02:30 winter time
    ],
)
def test_slot_phrase_reads_back_as_the_slot(language, start, minutes):
    end = start + timedelta(minutes=minutes)
    phrase, tz = slot_phrase(start, end, "Europe/Luxembourg", T0)
    back = parse_when(phrase, lang=language, tz=tz or "Europe/Luxembourg", now=T0)
    assert back.start == start
    assert (back.end or back.start + timedelta(hours=1)) == end
    assert back.title is None
