"""Numbers as the bot shows them, in every command that takes one, and time phrases that cannot
be used, as sentences."""

import pytest

from bot.args import echo, parse_number, when_error
from bot.i18n import translator
from bot.parsing import UsageError
from bot.when import WhenError
from commands import actions, meetings, minutes_export, polls

# str.isdigit() is True for all of these, and int() refuses them or reads another script.
ODD = ["¹", "²", "³", "#²", "1²", "①", "፩", "٣", "१", "１", "𝟑", "3\u0663"]


@pytest.mark.parametrize("token", ODD)
@pytest.mark.parametrize(
    ("parse", "noun"),
    [
        (meetings.parse_id, "a meeting"),
        (polls.parse_id, "a poll"),
        (actions.parse_id, "an action"),
        (actions.parse_ids, "an action"),
        (minutes_export.parse_export, "a meeting"),
    ],
)
def test_ids_are_ascii_digits(parse, noun, token):
    with pytest.raises(UsageError) as error:
        parse(token)
    assert error.value.render(translator("en")) == f"“{token}” is not {noun} number."


@pytest.mark.parametrize(
    "parse",
    [
        meetings.parse_move,
        meetings.parse_agenda,
        meetings.parse_rsvp,
        actions.parse_assign,
        actions.parse_due_change,
        actions.parse_id_and_text,
    ],
)
def test_ids_before_more_words_are_ascii_digits(parse):
    with pytest.raises(UsageError) as error:
        parse("² yes")
    assert "“²” is not a" in error.value.render(translator("en"))


def test_parse_number():
    assert parse_number("3", "{value}") == parse_number("#3", "{value}") == 3
    assert parse_number("999999999", "{value}") == 999_999_999
    for bad in ("", "#", "0", "00", "-1", "+1", "1.0", " 1", "1_000", "1000000000", "x" * 5000):
        with pytest.raises(UsageError):
            parse_number(bad, "{value}")


def test_when_errors_become_sentences_in_every_language():
    far = when_error(WhenError("in 9000 years at 10:00", "out_of_range"))
    assert far.render(translator("en")) == (
        "“in 9000 years at 10:00” is too far away: give a time within the next 100 years."
    )
    assert far.render(translator("fr")).startswith("« in 9000 years at 10:00 » est trop loin")
    assert far.render(translator("de")).startswith("„in 9000 years at 10:00“ liegt zu weit")
    unread = when_error(WhenError("x" * 4000)).render(translator("en"))
    assert len(unread) < 200 and "x" * 98 + "…" in unread
    assert echo("short") == "short"
