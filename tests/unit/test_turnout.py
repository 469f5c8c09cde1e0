"""What polls and find-a-time share: the --remind rule, the "not voted yet" line, and the CSV
cells a spreadsheet cannot take for a formula."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot.export import safe_cell, write_csv
from bot.i18n import translator
from bot.parsing import UsageError
from bot.turnout import length, not_voted_line, parse_remind, remind_at, require_closes

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
en = translator("en")


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("1d", timedelta(days=1)),
        ("2h 30m", timedelta(hours=2, minutes=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90 min", timedelta(minutes=90)),
        ("2 hours", timedelta(hours=2)),
        ("1 jour", timedelta(days=1)),
        ("3 heures", timedelta(hours=3)),
        ("2 Stunden", timedelta(hours=2)),
        ("1 Tag 2 Std", timedelta(days=1, hours=2)),
        ("1w", timedelta(weeks=1)),
        ("  45M ", timedelta(minutes=45)),
    ],
)
def test_remind_reads_a_length_of_time_in_every_language(phrase, expected):
    assert parse_remind(phrase) == expected


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("", "Say how long before the closing time to remind, e.g. --remind 1d."),
        ("soon", "“soon” is not a length of time; write e.g. 1d, 2h, 30m or 1h30m."),
        ("2", "“2” is not a length of time; write e.g. 1d, 2h, 30m or 1h30m."),
        ("1d tomorrow", "“1d tomorrow” is not a length of time; write e.g. 1d, 2h, 30m or 1h30m."),
        ("h2", "“h2” is not a length of time; write e.g. 1d, 2h, 30m or 1h30m."),
        ("0m", "“0m” is out of range: between 1 minute and 52 weeks."),
        ("53w", "“53w” is out of range: between 1 minute and 52 weeks."),
        ("99999w 99999w", "“99999w 99999w” is out of range: between 1 minute and 52 weeks."),
    ],
)
def test_a_remind_that_is_no_length_of_time_is_refused_clearly(phrase, message):
    with pytest.raises(UsageError) as error:
        parse_remind(phrase)
    assert error.value.render(en) == message


def test_remind_needs_a_closing_time():
    require_closes(None, None)
    require_closes(timedelta(hours=1), "Friday 18:00")
    with pytest.raises(UsageError) as error:
        require_closes(timedelta(hours=1), None)
    assert error.value.render(en) == (
        "--remind needs a closing time: add --closes <when>, e.g. --closes Friday 18:00 --remind 1d."
    )


def test_the_reminder_must_come_before_the_close_and_after_now():
    closes = NOW + timedelta(days=2)
    assert remind_at(timedelta(days=1), closes, NOW, "en") == NOW + timedelta(days=1)
    assert remind_at(timedelta(hours=47, minutes=59), closes, NOW, "en") == NOW + timedelta(
        minutes=1
    )
    for too_long in (timedelta(days=2), timedelta(days=3)):
        with pytest.raises(UsageError) as error:
            remind_at(too_long, closes, NOW, "en")
    assert error.value.render(en) == (
        "--remind 3 days is not shorter than the time left until the close (2 days); "
        "give a shorter one."
    )
    with pytest.raises(UsageError) as error:
        remind_at(timedelta(days=1), NOW + timedelta(hours=5, seconds=30), NOW, "de")
    assert "1 Tag" in error.value.render(translator("de"))


def test_lengths_in_words():
    assert length(timedelta(days=1, hours=2), "en") == "1 day 2 hours"
    assert length(timedelta(seconds=30), "en") == "30 seconds"
    assert length(timedelta(hours=3), "fr") == "3\u00a0heures"


def test_the_not_voted_line_names_people_as_pills_or_says_everyone_voted():
    line = not_voted_line(["@bob:example.org", "@carol:example.org"], en)
    assert line.plain == "Not voted yet: @bob:example.org, @carol:example.org"
    assert '<a href="https://matrix.to/#/@bob:example.org">' in line.html
    assert not_voted_line([], en) == "Everyone has voted."
    assert not_voted_line(["@bob:example.org"], en, final=True).plain == (
        "Did not vote: @bob:example.org"
    )
    assert not_voted_line([], en, final=True) == "Everyone voted."
    assert not_voted_line([], translator("fr")) != "Everyone has voted."


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Pizza", "Pizza"),
        ("a=b", "a=b"),
        (None, ""),
        (["=x"], '["=x"]'),
        ({"k": 1}, '{"k": 1}'),
    ],
)
def test_safe_cells_are_never_formulas(value, cell):
    assert safe_cell(value) == cell


def test_write_csv_neutralises_only_free_columns():
    out = io.StringIO()
    rows = [{"user_id": "@a:x", "answer": "=HYPERLINK(1)"}, {"user_id": "@b:x", "answer": None}]
    assert write_csv(("user_id", "answer"), rows, out, free=("answer",)) == 2
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["user_id", "answer"],
        ["@a:x", "'=HYPERLINK(1)"],
        ["@b:x", ""],
    ]
