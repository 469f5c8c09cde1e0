"""Confidentiality's pure parts: the flags `--chatham` and `--unattributed`, attendance as
counts, minutes naming nobody, a vote's count without people."""

from datetime import UTC, datetime

from bot.attendance import Attendance, Excused, Present
from bot.confidential import CHATHAM, counts_of, take_flag, unattributed, unnamed
from bot.minutes.items import Item, Kind, Line, Minutes, VoteEntry
from bot.votes import Count, nameless
from storage.status import AttendanceWay

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BOB, CAROL, DAN = "@bob:example.org", "@carol:example.org", "@dan:example.org"


def test_the_flag_is_a_word_anywhere_in_any_case_but_not_in_quotes():
    assert take_flag("Plenary --chatham", CHATHAM) == ("Plenary", True)
    assert take_flag("#3 --CHATHAM", CHATHAM) == ("#3", True)
    assert take_flag("--chatham Plenary  of May", CHATHAM) == ("Plenary of May", True)
    assert take_flag("Plenary", CHATHAM) == ("Plenary", False)
    assert take_flag('"Rules --chatham"', CHATHAM) == ('"Rules --chatham"', False)
    assert take_flag("Plenary --chathamx", CHATHAM) == ("Plenary --chathamx", False)
    assert take_flag('"unclosed --chatham', CHATHAM) == ('"unclosed', True)


def attendance() -> Attendance:
    way = (AttendanceWay.SPOKE,)
    return Attendance(
        present=(
            Present(BOB, "Bob", "MAEE", way),
            Present(CAROL, "Carol", "Amnesty", way),
            Present(DAN, "Dan", None, way),
        ),
        apologies=(Excused("@eve:example.org", "Eve", "Amnesty"), Excused("@f:x.org", "F", None)),
        order=("Amnesty", "MAEE"),
    )


def test_attendance_becomes_counts_in_the_rooms_order_and_apologies_organisations():
    assert counts_of(attendance()) == [("Amnesty", 1), ("MAEE", 1), (None, 1)]
    plain = unnamed(attendance())
    assert plain.unnamed and {p.user_id for p in plain.present} == {""}
    assert [(o, len(p)) for o, p in plain.by_organisation()] == [("Amnesty", 1), ("MAEE", 1)]
    assert plain.apologies == (Excused(None, None, "Amnesty"),)


def test_minutes_naming_nobody_keep_what_was_said():
    minutes = Minutes(
        id=1,
        room_id="!r:x",
        title="Plenary",
        started_by=BOB,
        started_at=NOW,
        ended_at=NOW,
        chairs=(BOB,),
        timezone="UTC",
        language="en",
        items=(
            Item(1, Kind.INFO, "A fact", CAROL, NOW),
            Item(
                2,
                Kind.VOTE,
                "Adopt",
                BOB,
                NOW,
                vote=VoteEntry("adopted", 2, 0, 0, True, {"for": (DAN, "MAEE")}),
            ),
        ),
        lines=(Line(3, NOW, DAN, "Hello"),),
        attendance=attendance(),
    )
    plain = unattributed(minutes)
    assert (plain.started_by, plain.chairs, plain.attendees) == ("", (), ())
    assert [(i.text, i.author) for i in plain.items] == [("A fact", ""), ("Adopt", "")]
    assert plain.items[1].vote.voters == {"for": ("", "MAEE")}
    assert [(line.body, line.sender) for line in plain.lines] == [("Hello", "")]


def test_a_vote_counted_without_people():
    count = Count(
        {"for": (BOB, "MAEE"), "against": (CAROL,), "abstain": ()}, per_org=True, absent=(DAN,)
    )
    plain = nameless(count)
    assert plain.voters == {"for": ("", "MAEE"), "against": ("",), "abstain": ()}
    assert (plain.n("for"), plain.absent) == (2, ())
