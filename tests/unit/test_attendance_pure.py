"""Attendance and quorum, pure: organisation names, grouping, the quorum's arithmetic, the
parsers of the plenary's commands, and what every minutes format says about attendance."""

import json
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from bot.attendance import (
    Attendance,
    Excused,
    Present,
    QuorumState,
    describe_rule,
    describe_state,
    measure,
    organisation_key,
    read_organisation,
    required,
)
from bot.i18n import translator
from bot.minutes.agenda import ScheduledLink
from bot.minutes.items import Minutes
from bot.minutes.writers import render
from bot.parsing import UsageError
from commands.attendance import ApologiesArgs, QuorumArgs, parse_apologies, parse_here, parse_quorum
from commands.organisations import SetArgs, parse_clear, parse_org, parse_set
from storage.status import AttendanceWay, QuorumKind

A, B, C, D = "@a:example.org", "@b:example.org", "@c:example.org", "@d:example.org"
SPOKE, HERE = (AttendanceWay.SPOKE,), (AttendanceWay.HERE,)
EN, FR = translator("en"), translator("fr")


def person(user_id: str, name: str, organisation: str | None, ways=SPOKE) -> Present:
    return Present(user_id, name, organisation, ways)


# --- Organisation names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Amnesty International", "Amnesty International"),
        ('"Amnesty   International"', "Amnesty International"),
        ("«Frères des Hommes»", "Frères des Hommes"),
        ("„SOS Faim“", "SOS Faim"),
        ("\u202eCCDH\u202c", "CCDH"),
        ("ASTI\nOGBL", "ASTI OGBL"),
        ("A\x00B\tC\u2067D", "A B C D"),
        ("x" * 100, "x" * 100),
    ],
)
def test_organisation_names_are_one_clean_line(raw, name):
    assert read_organisation(raw) == name


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Say which organisation"),
        ('""', "Say which organisation"),
        ("\u202e \u2066", "Say which organisation"),
        ("x" * 101, "too long"),
        ('"ASTI', "A quote is not closed"),
        ('"ASTI" and more', "nothing after it"),
    ],
)
def test_bad_organisation_names(raw, message):
    with pytest.raises(UsageError) as error:
        read_organisation(raw)
    assert message in error.value.render(EN)


def test_organisations_compare_without_case_or_width():
    assert organisation_key("Amnesty") == organisation_key("amnesty") == "amnesty"
    assert organisation_key("ＡＳＴＩ") == organisation_key("asti")  # full-width letters
    assert organisation_key("Straße") == organisation_key("STRASSE")


# --- Grouping -------------------------------------------------------------------------------


def test_present_members_are_grouped_in_the_rooms_order_then_by_name():
    attendance = Attendance(
        present=(
            person(A, "zoé", "amnesty"),
            person(B, "Anne", "Amnesty"),
            person(C, "Carl", "SOS Faim"),
            person(D, "dan", None),
            person("@e:x", "Bea", "ASTI"),
            person("@f:x", "Émile", None),
        ),
        order=("MAEE", "Amnesty", "CCDH"),
    )
    groups = [(o, [p.name for p in people]) for o, people in attendance.by_organisation()]
    # The room's order first (MAEE and CCDH have nobody present), then the others by name;
    # "amnesty" and "Amnesty" are one organisation under the first spelling met.
    assert groups == [("amnesty", ["Anne", "zoé"]), ("ASTI", ["Bea"]), ("SOS Faim", ["Carl"])]
    assert [p.name for p in attendance.without_organisation] == ["dan", "Émile"]
    assert attendance.organisations == ("amnesty", "ASTI", "SOS Faim")
    assert attendance.is_present(D) and not attendance.is_present("@z:x")
    assert attendance.organisation_of(C) == "SOS Faim"
    assert attendance.organisation_of(D) is None


# --- Quorum ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "known", "needed"),
    [
        (QuorumKind.ORGANISATIONS, 3, 10, 3),
        (QuorumKind.MEMBERS, 5, 0, 5),
        (QuorumKind.PERCENT, 50, 13, 7),  # 6.5 rounds up
        (QuorumKind.PERCENT, 50, 12, 6),
        (QuorumKind.PERCENT, 100, 13, 13),
        (QuorumKind.PERCENT, 1, 13, 1),
        (QuorumKind.PERCENT, 50, 0, 1),  # no organisation known: still one needed
        (QuorumKind.PERCENT, 33, 3, 1),  # 0.99
        (QuorumKind.PERCENT, 34, 3, 2),  # 1.02
    ],
)
def test_the_quorum_required(kind, value, known, needed):
    assert required(kind, value, known) == needed


def test_organisations_count_organisations_and_members_count_people():
    attendance = Attendance(
        present=(
            person(A, "a", "MAEE"),
            person(B, "b", "maee"),
            person(C, "c", "ASTI"),
            person(D, "d", None),
        )
    )
    by_organisations = measure(QuorumKind.ORGANISATIONS, 3, attendance, 5)
    assert (by_organisations.present, by_organisations.required) == (2, 3)
    assert not by_organisations.reached
    by_members = measure(QuorumKind.MEMBERS, 4, attendance, 5)
    assert (by_members.present, by_members.reached) == (4, True)
    by_percent = measure(QuorumKind.PERCENT, 40, attendance, 5)
    assert (by_percent.present, by_percent.required, by_percent.reached) == (2, 2, True)


def test_quorum_sentences():
    assert describe_rule(QuorumKind.ORGANISATIONS, 1, EN) == "1 organisation"
    assert describe_rule(QuorumKind.MEMBERS, 7, FR) == "7 membres"
    assert describe_rule(QuorumKind.PERCENT, 50, EN) == "50% of the organisations known in the room"
    reached = QuorumState(QuorumKind.MEMBERS, 1, 1, 1)
    assert describe_state(reached, EN) == "Quorum reached: 1 member present, 1 required."
    missing = QuorumState(QuorumKind.ORGANISATIONS, 3, 3, 1)
    assert describe_state(missing, EN) == "No quorum: 1 organisation present, 3 required."
    assert describe_state(missing, FR) == (
        "Quorum non atteint : 1 organisation présente ; il en faut 3."
    )


# --- Parsers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("", None),
        ("3 organisations", QuorumArgs(QuorumKind.ORGANISATIONS, 3)),
        ("3 Organisationen", QuorumArgs(QuorumKind.ORGANISATIONS, 3)),
        ("1 organisation", QuorumArgs(QuorumKind.ORGANISATIONS, 1)),
        ("12 members", QuorumArgs(QuorumKind.MEMBERS, 12)),
        ("12 membres", QuorumArgs(QuorumKind.MEMBERS, 12)),
        ("50%", QuorumArgs(QuorumKind.PERCENT, 50)),
        ("50 %", QuorumArgs(QuorumKind.PERCENT, 50)),
        ("100%", QuorumArgs(QuorumKind.PERCENT, 100)),
        ("off", QuorumArgs(None)),
        ("OFF", QuorumArgs(None)),
    ],
)
def test_parse_quorum(raw, parsed):
    assert parse_quorum(raw) == parsed


@pytest.mark.parametrize(
    "raw", ["0", "0 members", "0%", "101%", "3", "3 apples", "%", "50%%", "off now", "1e3 members"]
)
def test_parse_quorum_refuses(raw):
    with pytest.raises(UsageError):
        parse_quorum(raw)


def test_parse_here_and_apologies():
    assert parse_here("") is None
    assert parse_here('for "ASTI"') == "ASTI"
    assert parse_here("pour Frères des Hommes") == "Frères des Hommes"
    assert parse_here("für OGBL") == "OGBL"
    for bad in ("for", "now", '"ASTI"'):
        with pytest.raises(UsageError):
            parse_here(bad)
    assert parse_apologies(f"{A}, {B} {A}") == ApologiesArgs(users=(A, B))
    assert parse_apologies('"CCDH"') == ApologiesArgs(organisation="CCDH")
    assert parse_apologies("Amnesty International") == ApologiesArgs(
        organisation="Amnesty International"
    )
    for bad in ("", "@a", f"{A} b", " ".join([A] * 21)):
        with pytest.raises(UsageError):
            parse_apologies(bad)


def test_parse_org_commands():
    assert parse_set(f'{A} "MAEE"') == SetArgs(A, "MAEE")
    assert parse_clear("") is None and parse_clear("me") is None
    assert parse_clear(A) == A
    assert parse_org("") is None
    for parser, bad in ((parse_set, ""), (parse_set, "MAEE"), (parse_clear, "x"), (parse_org, "x")):
        with pytest.raises(UsageError):
            parser(bad)


# --- The minutes ----------------------------------------------------------------------------

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> **x** [l](javascript:y) \u202eevil"


def test_every_format_shows_hostile_names_as_text():
    attendance = Attendance(
        present=(person(A, HOSTILE, HOSTILE, HERE), person(B, "Bob", None)),
        apologies=(Excused(C, "Carl", HOSTILE), Excused(None, None, "# CCDH")),
    )
    minutes = Minutes(
        id=1,
        room_id="!r:x",
        title="Plenary",
        started_by=B,
        started_at=T0,
        ended_at=T0,
        chairs=(B,),
        timezone="Europe/Luxembourg",
        language="en",
        attendance=attendance,
        quorum=QuorumState(QuorumKind.ORGANISATIONS, 2, 2, 1),
    )
    html = render(minutes, "html", EN).decode()
    assert "<script>" not in html and "&lt;script&gt;" in html and "\u202e" not in html
    markdown = render(minutes, "md", EN).decode()
    assert "\\<script\\>" in markdown and "\\*\\*x\\*\\*" in markdown
    assert "- \\# CCDH" in markdown
    assert "- No quorum: 1 organisation present, 2 required." in markdown
    text = render(minutes, "txt", EN).decode()
    assert " * Without organisation: Bob" in text and "\u202e" not in text
    doc = json.loads(render(minutes, "json", EN))
    assert doc["present"]["organisations"][0]["members"][0]["user_id"] == A
    assert doc["apologies"][1] == {"user_id": None, "name": None, "organisation": "# CCDH"}
    assert doc["quorum"]["reached"] is False


def test_minutes_without_attendance_say_nothing_of_it():
    minutes = Minutes(1, "!r:x", "Old", B, T0, T0, (B,), "Europe/Luxembourg", "en")
    assert "Attendance" not in render(minutes, "md", EN).decode()
    assert "present" not in json.loads(render(minutes, "json", EN))


class _Cells(HTMLParser):
    """The rows of the HTML minutes' attendance table, and the title block's text."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.where: list[str] = []
        self.header: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.where.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td") and self.rows:
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        while self.where and self.where.pop() != tag:
            pass

    def handle_data(self, data):
        if "header" in self.where and data.strip():
            self.header.append(data.strip())
        elif self.where and self.where[-1] in ("th", "td") and self.rows:
            self.rows[-1][-1] += data


def test_the_html_minutes_open_with_a_title_block_and_an_attendance_table():
    attendance = Attendance(
        present=(
            person(A, "Anne Muller", "MAEE – Direction politique", HERE),
            person(B, "Bob <b>Weber</b>", "ASTI"),
            person(C, "Carl", None),
            person(D, "Dora", "MAEE – Direction politique"),
        ),
        order=("MAEE – Direction politique", "ASTI"),
    )
    minutes = Minutes(
        id=4,
        room_id="!r:x",
        title="Plénière",
        started_by=A,
        started_at=T0,
        ended_at=T0,
        chairs=(A,),
        timezone="Europe/Luxembourg",
        language="fr",
        attendance=attendance,
        scheduled=ScheduledLink(2, "Plénière", T0, T0, place="MAEE, salle 2"),
    )
    html = render(minutes, "html", FR).decode()
    cells = _Cells()
    cells.feed(html)
    assert cells.header == [
        "Procès-verbal de la réunion n°4",
        "Plénière",
        "lun. 23 nov. 2026, 10:00–10:00 (Europe/Luxembourg)",
    ]
    present = cells.rows[cells.rows.index(["Organisation", "Présents"]) :]
    assert present[1:4] == [
        ["MAEE – Direction politique", "Anne Muller, Dora"],
        ["ASTI", "Bob <b>Weber</b>"],
        ["Sans organisation", "Carl"],
    ]
    assert "&lt;b&gt;Weber&lt;/b&gt;" in html
    assert ["Lieu", "MAEE, salle 2"] in cells.rows
    for form in ("md", "txt"):
        assert "Lieu" in render(minutes, form, FR).decode()
