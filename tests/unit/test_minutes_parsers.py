"""Argument parsers of the minutes and action-item commands: pure."""

import pytest

from bot.parsing import UsageError
from commands.actions import due_candidates, parse_action, parse_assign, parse_listing
from commands.minutes import parse_link, parse_users
from commands.minutes_export import parse_export

A, B, C = "@a:example.org", "@b:example.org", "@c:example.org"


@pytest.mark.parametrize(
    "raw, assignees, text",
    [
        ("@b:example.org draft the note", (B,), "draft the note"),
        ("@b:example.org @c:example.org draft", (B, C), "draft"),
        ("MAEE prepare the explanatory note", ("MAEE",), "prepare the explanatory note"),
        ("MAEE, ASTI, @c:example.org: share it", ("MAEE", "ASTI", C), "share it"),
        ('"Frères des Hommes" collect testimonies', ("Frères des Hommes",), "collect testimonies"),
        ("«SOS Faim», @b:example.org relay", ("SOS Faim", B), "relay"),
        ("Marie: call the embassy by Friday", ("Marie",), "call the embassy by Friday"),
    ],
)
def test_action_arguments(raw, assignees, text):
    args = parse_action(raw)
    assert (args.assignees, args.text) == (assignees, text)


@pytest.mark.parametrize("raw", ["", "Marie", "@bob do it", "@b:example.org"])
def test_bad_action_arguments(raw):
    with pytest.raises(UsageError):
        parse_action(raw)


def test_due_words_are_found_last_first():
    text = "ask by email by Friday"
    assert [text[p:] for _s, p in due_candidates(text)] == ["Friday", "email by Friday"]
    assert [t[p:] for t in ["note avant le 3 décembre"] for _s, p in due_candidates(t)] == [
        "3 décembre"
    ]
    assert due_candidates("Bericht bis Freitag")[0][1] == len("Bericht bis ")
    assert due_candidates("nothing due here at all")[0][1] == len("nothing due ")


def test_other_parsers():
    assert parse_assign("3 MAEE, @b:example.org") == (3, ("MAEE", B))
    assert parse_assign("#4 @b:example.org @c:example.org") == (4, (B, C))
    assert parse_listing("").which == "open"
    assert parse_listing("überfällig").which == "overdue"
    assert parse_listing(B).person == B
    assert parse_export("") is None
    assert parse_export("#2 HTML") == parse_export("2 html")
    assert parse_export("2").form == "md"
    with pytest.raises(UsageError):
        parse_export("2 pdf")
    assert parse_link("https://e.org/x the report").text == "the report"
    with pytest.raises(UsageError):
        parse_link("javascript:alert(1)")
    assert parse_users(f"{A}, {B}") == (A, B)
    with pytest.raises(UsageError):
        parse_users("alice")
