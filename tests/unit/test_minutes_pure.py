"""The meeting state machine, the minutes values and the writers: pure."""

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest

from bot.i18n import translator
from bot.minutes.items import ActionEntry, Item, Kind, Line, Minutes, VoteEntry
from bot.minutes.meeting import LiveMeeting
from bot.minutes.people import Names, Person, unambiguous
from bot.minutes.writers import md_escape, minutes_json, render, safe_url
from bot.parsing import UsageError

T0 = datetime(2019, 12, 3, 13, 0, tzinfo=UTC)  # 14:00 in Luxembourg
A, B, C = "@a:example.org", "@b:example.org", "@c:example.org"


def item(seq, kind, text, author=A, minutes=0, **kw) -> Item:
    return Item(seq, kind, text, author, T0 + timedelta(minutes=minutes), **kw)


def meeting(*items: Item) -> LiveMeeting:
    return LiveMeeting(1, "Plenary", "running", A, (A,), items)


# --- The state machine ------------------------------------------------------------------------


def test_only_chairs_set_topics_and_end():
    live = meeting()
    live.may_record(Kind.INFO, B, False, "!info")
    with pytest.raises(UsageError) as refused:
        live.may_record(Kind.TOPIC, B, False, "!topic")
    assert refused.value.kwargs == {"command": "!topic", "chairs": A}
    live.may_record(Kind.TOPIC, B, True, "!topic")  # a room moderator acts as a chair
    with pytest.raises(UsageError):
        live.require_chair(B, False, "!endmeeting")
    live.add_chairs(A, False, [B], "!chair").require_chair(B, False, "!endmeeting")


def test_chairs_are_added_once_and_the_starter_stays():
    live = meeting().add_chairs(A, False, [B, B, C], "!chair")
    assert live.chairs == (A, B, C)
    assert live.remove_chairs(B, False, [C], "!unchair").chairs == (A, B)
    with pytest.raises(UsageError, match="stays a chair"):
        live.remove_chairs(B, False, [A], "!unchair")
    with pytest.raises(UsageError, match="is not a chair"):
        meeting().remove_chairs(A, False, [C], "!unchair")
    with pytest.raises(UsageError):
        meeting().add_chairs(B, False, [B], "!chair")


def test_undo_takes_the_latest_item_or_the_senders_own():
    live = meeting(
        item(1, Kind.INFO, "by a"), item(2, Kind.IDEA, "by b", B), item(3, Kind.INFO, "a")
    )
    assert live.undo_target(A, False).seq == 3
    assert live.undo_target(B, False).seq == 2
    with pytest.raises(UsageError, match="only chairs may undo others"):
        live.undo_target(C, False)
    with pytest.raises(UsageError, match="nothing to undo"):
        meeting().undo_target(A, False)


# --- Minutes as values ------------------------------------------------------------------------


def sample(**overrides) -> Minutes:
    action = ActionEntry(7, "Draft the note", (B, "MAEE"), "open", T0 + timedelta(days=10))
    fields = dict(
        id=3,
        room_id="!r:example.org",
        title="Plénière",
        started_by=A,
        started_at=T0,
        ended_at=T0 + timedelta(minutes=85),
        chairs=(A,),
        timezone="Europe/Luxembourg",
        language="fr",
        items=(
            item(2, Kind.INFO, "before any topic"),
            item(4, Kind.TOPIC, "Budget", minutes=5),
            item(5, Kind.AGREED, "Se réunir tous les 3-4 mois", minutes=6),
            item(6, Kind.ACTION, "Draft the note", minutes=7, action=action),
            item(8, Kind.LINK, "report", B, 9, url="https://example.org/r.pdf"),
        ),
        lines=(
            Line(1, T0, A, "!startmeeting Plénière"),
            Line(3, T0 + timedelta(minutes=2), C, None),
            Line(7, T0 + timedelta(minutes=8), B, "je m'en charge", edited=False),
        ),
    )
    fields.update(overrides)
    return Minutes(**fields)


def test_topics_attendees_and_actions_by_person():
    minutes = sample()
    topics = minutes.topics()
    assert [t.item.text if t.item else None for t in topics] == [None, "Budget"]
    assert [i.kind for i in topics[1].items] == [Kind.AGREED, Kind.ACTION, Kind.LINK]
    assert minutes.attendees == (A, C, B)
    assert [p for p, _a in minutes.actions_by_person()] == [B, "MAEE"]
    assert minutes.topic_of(3) is None and minutes.topic_of(7).text == "Budget"
    assert len(minutes.gaps) == 1 and minutes.duration == timedelta(minutes=85)


def test_every_format_says_the_same_in_the_room_language():
    minutes = sample()
    _ = translator("fr")
    md = render(minutes, "md", _).decode()
    txt = render(minutes, "txt", _).decode()
    html = render(minutes, "html", _).decode()
    for text in (md, txt, unescape(html)):
        assert "Procès-verbal" in text
        assert "mar. 3 déc. 2019, 14:00–15:25 (Europe/Luxembourg)" in text
        assert "Se réunir tous les 3-4 mois" in text
        assert "1 message n'a pas pu être déchiffré." in text
        assert "#7 Draft the note → @b:example.org, MAEE (échéance ven. 13 déc. 2019)" in text
    doc = json.loads(render(minutes, "json", _))
    assert doc["decisions"] == ["Se réunir tous les 3-4 mois"]
    assert doc["log"][1] == {
        "at": "2019-12-03T14:02:00+01:00",
        "sender": C,
        "sender_name": C,  # no name known: the user id
        "type": "gap",
        "body": None,
        "edited": False,
        "topic": None,
        "event_id": None,
    }
    assert doc["log"][2]["topic"] == "Budget"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.hrefs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]


EVIL = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![x](https://evil.example/pixel.png)",
    "</li></ul><h1>fake</h1>",
    "**bold** _it_ `code` ~~s~~ | a | b |",
    "&lt;b&gt;entity&lt;/b&gt;",
    "line one\n# heading\n- list\n> quote",
    "\x1b[31mred\x1b[0m \u202eevil\u202c",
    "{{ 7*7 }} {% raw %}",
]


@pytest.mark.parametrize("evil", EVIL)
def test_user_text_cannot_make_markup(evil):
    minutes = sample(
        title=evil,
        items=(
            item(1, Kind.TOPIC, evil),
            item(2, Kind.INFO, evil),
            item(3, Kind.LINK, evil, url="javascript:alert(1)"),
            item(4, Kind.ACTION, evil, action=ActionEntry(1, evil, (evil,), "open")),
        ),
        lines=(Line(5, T0, evil, evil),),
    )
    _ = translator("en")
    html = render(minutes, "html", _).decode()
    parser = _Tags()
    parser.feed(html)
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "dl", "dt"}
    allowed |= {"dd", "ul", "li", "p", "span", "ol", "time", "a", "header", "footer", "section"}
    allowed |= {"table", "thead", "tbody", "tr", "th", "td"}
    assert set(parser.tags) <= allowed
    assert parser.tags.count("h1") == 1 and "script" not in parser.tags
    assert all(h.startswith("https://") for h in parser.hrefs)
    assert "49" not in html  # no template evaluation of user text
    md = render(minutes, "md", _).decode()
    assert md_escape(evil) in md
    first = evil.splitlines()[0]
    if re.search(r"[<\[\]`*_|~&#]", first):
        assert first not in md  # never unescaped
    assert "(<javascript" not in md and not re.search(r"(?<!\\)\]\(javascript", md)
    for text in (html, md, render(minutes, "txt", _).decode()):
        assert "\x1b" not in text and "\u202e" not in text
    doc = json.loads(render(minutes, "json", _))
    assert doc["topics"][0]["items"][1]["url"] is None  # only http(s) links are kept


def test_markdown_escaping_and_links():
    assert (
        md_escape("a*b_c [d](e) <f> & `g` #h\nnext") == r"a\*b\_c \[d\](e) \<f\> \& \`g\` \#h next"
    )
    assert safe_url("https://example.org/a?b=c") == "https://example.org/a?b=c"
    for bad in ("javascript:alert(1)", "data:text/html,x", 'https://x/"><b>', "ftp://x"):
        assert safe_url(bad) is None


def test_json_schema_is_stable():
    doc = minutes_json(sample())
    assert list(doc) == [
        "schema",
        "id",
        "room_id",
        "title",
        "language",
        "timezone",
        "start",
        "end",
        "duration_seconds",
        "chairs",
        "chair_names",
        "attendees",
        "attendee_names",
        "people",
        "topics",
        "decisions",
        "register",
        "actions",
        "open_actions",
        "gaps",
        "log",
        "scheduled_meeting",
        "agenda",
        "errata",
        "approval",
    ]
    assert doc["schema"] == "wgbot.minutes/2"
    assert set(doc["actions"][0]) == {
        "id",
        "text",
        "assignees",
        "assignee_names",
        "status",
        "due",
        "due_has_time",
    }
    assert set(doc["topics"][1]["items"][0]) == {
        "kind",
        "text",
        "author",
        "author_name",
        "at",
        "url",
        "action",
        "decision",
        "vote",
    }
    assert set(doc["log"][0]) == {
        "at",
        "sender",
        "sender_name",
        "type",
        "body",
        "edited",
        "topic",
        "event_id",
    }
    assert set(doc["people"][0]) == {"user_id", "name", "organisation"}


def test_a_5000_message_meeting_renders():
    lines = tuple(Line(i, T0 + timedelta(seconds=i), B, f"message {i}") for i in range(5000))
    text = render(sample(lines=lines), "md", translator("en")).decode()
    assert text.count("message ") == 5000


# --- People by the names they had ----------------------------------------------------------------

NAMED = {
    A: Person("Anne Muller", "MAEE"),
    B: Person("Bob Weber", "ASTI"),
    C: Person("Chloé <i>Faber</i>\u202e"),
}


def test_people_are_named_with_their_organisation_in_every_format_ids_stay_in_json():
    minutes = sample(people=NAMED, chairs=(A, B))
    _ = translator("fr")
    md = render(minutes, "md", _).decode()
    txt = render(minutes, "txt", _).decode()
    html = render(minutes, "html", _).decode()
    page = unescape(re.sub(r"<[^>]+>", "", html))
    for text in (md.replace("\\", "").replace("**", ""), txt, page):
        assert "Anne Muller (MAEE), Bob Weber (ASTI)" in text  # the chairs
        assert "#7 Draft the note → Bob Weber (ASTI), MAEE" in text  # the action's owners
        assert "— Anne Muller (MAEE), 14:06" in text  # who recorded the decision
        assert "Bob Weber (ASTI): je m'en charge" in text
        assert "Chloé <i>Faber</i>" in text  # said as typed, without the bidi override
        assert "@a:example.org" not in text and "@b:example.org" not in text
    assert "&lt;i&gt;Faber&lt;/i&gt;" in html and "<i>" not in html
    assert "\u202e" not in md + txt + html
    doc = minutes_json(minutes)
    assert doc["chairs"] == [A, B] and doc["chair_names"] == ["Anne Muller", "Bob Weber"]
    assert doc["attendee_names"] == ["Anne Muller", "Chloé <i>Faber</i>", "Bob Weber"]
    assert doc["people"] == [
        {"user_id": A, "name": "Anne Muller", "organisation": "MAEE"},
        {"user_id": B, "name": "Bob Weber", "organisation": "ASTI"},
        {"user_id": C, "name": "Chloé <i>Faber</i>", "organisation": None},
    ]
    assert doc["actions"][0]["assignees"] == [B, "MAEE"]
    assert doc["actions"][0]["assignee_names"] == ["Bob Weber", "MAEE"]
    assert doc["topics"][1]["items"][0]["author_name"] == "Anne Muller"
    assert [line["sender_name"] for line in doc["log"]] == [
        "Anne Muller",
        "Chloé <i>Faber</i>",
        "Bob Weber",
    ]


def test_two_people_of_one_name_are_told_apart_by_their_ids():
    people = unambiguous({A: Person("Anne"), B: Person("anne", "SIP"), C: Person("Carl")})
    assert people[A].name == f"Anne ({A})" and people[B].name == f"anne ({B})"
    assert people[C].name == "Carl"
    assert Names(people).shown(B) == f"anne ({B}) (SIP)"
    assert Names(people).shown("@nobody:x") == "@nobody:x"


def test_votes_and_register_numbers_in_every_format():
    """A vote's outcome with its counts and an agreed item, each with its register number, in
    the Markdown, text, HTML and JSON; voters by name next to their ids in the JSON."""
    vote = VoteEntry("adopted", 3, 1, 0, voters={"for": (A, B, "SIP"), "against": (C,)})
    minutes = sample(
        people=NAMED,
        items=(
            item(1, Kind.TOPIC, "Budget"),
            item(2, Kind.AGREED, "Meet every 3-4 months", decision=3),
            item(3, Kind.VOTE, "Adopt the <b>budget</b>", decision=4, vote=vote),
            item(4, Kind.VOTE, "Move the office", vote=VoteEntry("tied", 1, 1, 0)),
        ),
    )
    _ = translator("en")
    page = unescape(re.sub(r"<[^>]+>", "", render(minutes, "html", _).decode()))
    markdown = render(minutes, "md", _).decode().replace("\\", "").replace("**", "")
    for text in (markdown, render(minutes, "txt", _).decode(), page):
        decisions = text.split("Decisions", 1)[1].split("Action items by person", 1)[0]
        assert "D3 Agreed: Meet every 3-4 months" in decisions
        assert "D4 Adopted: Adopt the <b>budget</b> (For 3, Against 1, Abstain 0)" in decisions
        assert "Tied: Move the office (For 1, Against 1, Abstain 0)" in decisions
        assert "Vote (D4): Adopt the <b>budget</b>: adopted (For 3, Against 1, Abstain 0)" in text
    doc = minutes_json(minutes)
    assert doc["register"][:2] == [
        {"number": "D3", "outcome": "agreed", "text": "Meet every 3-4 months"},
        {"number": "D4", "outcome": "adopted", "text": "Adopt the <b>budget</b>"},
    ]
    voted = doc["topics"][0]["items"][1]
    assert voted["decision"] == "D4"
    assert voted["vote"]["voters"] == {"for": [A, B, "SIP"], "against": [C]}
    assert voted["vote"]["voter_names"] == {
        "for": ["Anne Muller", "Bob Weber", "SIP"],
        "against": ["Chloé <i>Faber</i>"],
    }
