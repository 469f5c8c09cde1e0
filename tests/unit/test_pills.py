"""People inserted as pills: the command text holds their user ids, read from formatted_body.

Exact cases are what clients send (Element Web's Markdown output, replies, stale HTML); the
properties hold for any string, and the walk stays linear on input built to make
html.parser quadratic."""

import html
import time

from hypothesis import given
from hypothesis import strategies as st
from nio import MatrixRoom

from bot.content import MAX_MENTIONS, Content, html_lines, pill_user, with_names, with_pills
from bot.sync import mentioned_names

ALICE, BOB = "@alice:example.org", "@bob:example.org"
HTML = "org.matrix.custom.html"


def pill(user: str, name: str) -> str:
    return f'<a href="https://matrix.to/#/{user}">{name}</a>'


def command_body(body: str, formatted_body: str | None, **extra) -> str:
    content = {"msgtype": "m.text", "body": body, **extra}
    if formatted_body is not None:
        content |= {"format": HTML, "formatted_body": formatted_body}
    return Content.read(content).command_body()


def test_element_web_pill_picked_from_the_completion():
    content = {
        "msgtype": "m.text",
        "body": "!action Alice Martin: send the report by Friday",
        "format": "org.matrix.custom.html",
        "formatted_body": (
            '!action <a href="https://matrix.to/#/@alice:example.org">Alice Martin</a>: '
            "send the report by Friday"
        ),
        "m.mentions": {"user_ids": ["@alice:example.org"]},
    }
    assert Content.read(content).command_body() == (
        "!action @alice:example.org: send the report by Friday"
    )


def test_the_links_a_pill_may_have():
    assert pill_user("https://matrix.to/#/@alice:example.org") == ALICE
    assert pill_user("https://matrix.to/#/@alice:example.org?via=example.org") == ALICE
    assert pill_user("https://matrix.to/#/%40alice%3Aexample.org") == ALICE
    assert pill_user("HTTPS://MATRIX.TO/#/@alice:example.org") == ALICE
    assert pill_user("http://matrix.to/#/@alice:example.org") == ALICE
    assert pill_user("matrix:u/alice:example.org") == ALICE
    assert pill_user("matrix:u/alice:example.org?action=chat") == ALICE
    assert pill_user("matrix://example.org/u/alice:example.org") == ALICE
    assert pill_user("https://matrix.to/#/@alice:[2001:db8::1]:8448") == "@alice:[2001:db8::1]:8448"
    assert pill_user("https://matrix.to/#/@bob:example.org?via=a&amp;via=b") == BOB
    # Rooms, events, other sites and broken ids name nobody.
    for href in (
        "https://matrix.to/#/!room:example.org/$event",
        "https://matrix.to/#/#room:example.org",
        "matrix:r/room:example.org",
        "https://example.org/#/@alice:example.org",
        "https://matrix.to/#/@alice",
        "https://matrix.to/#/@alice example.org",
        "https://matrix.to/#/@" + "a" * 300 + ":example.org",
        "",
    ):
        assert pill_user(href) is None, href


def test_pills_become_user_ids_on_every_command_line():
    body = "!chair Bob\n!action Alice Martin, Bob: send the report by Friday"
    formatted = (
        f"!chair {pill(BOB, 'Bob')}<br />"
        f"!action {pill(ALICE, 'Alice Martin')}, {pill(BOB, 'Bob')}: send the report by Friday"
    )
    assert command_body(body, formatted) == (
        f"!chair {BOB}\n!action {ALICE}, {BOB}: send the report by Friday"
    )
    # Paragraphs (a blank line typed), single quotes, a URL-encoded id, matrix: URIs.
    body = "!actions Alice\n\n!unchair Bob"
    formatted = (
        "<p>!actions <a href='https://matrix.to/#/%40alice%3Aexample.org?via=example.org'>"
        'Alice</a></p>\n<p>!unchair <a href="matrix:u/bob:example.org">Bob</a></p>\n'
    )
    assert command_body(body, formatted) == f"!actions {ALICE}\n\n!unchair {BOB}"


def test_lines_without_pills_stay_as_typed_and_markdown_is_no_mismatch():
    body = "Notes for *today*:\n- first\n!action Alice: check the **final** text"
    formatted = (
        "<p>Notes for <em>today</em>:</p>\n<ul>\n<li>first<br />"
        f"!action {pill(ALICE, 'Alice')}: check the <strong>final</strong> text</li>\n</ul>\n"
    )
    assert command_body(body, formatted) == (
        f"Notes for *today*:\n- first\n!action {ALICE}: check the final text"
    )


def test_entities_are_decoded_and_markup_is_not_text():
    body = '!action Alice & "Bob": compare <b> and <i>'
    formatted = (
        f"!action {pill(ALICE, 'Alice')} &amp; &quot;{pill(BOB, 'Bob')}&quot;: "
        "compare &lt;b&gt; and &#60;i&#x3e;<!-- a comment -->"
    )
    assert command_body(body, formatted) == f'!action {ALICE} & "{BOB}": compare <b> and <i>'


def test_the_reply_fallback_is_left_out():
    body = "> <@carol:example.org> who sends the report?\n\n!action Alice: send the report"
    formatted = (
        '<mx-reply><blockquote><a href="https://matrix.to/#/!r:example.org/$q">In reply to</a> '
        f"{pill('@carol:example.org', '@carol:example.org')}<br>who sends the report?"
        f"</blockquote></mx-reply>!action {pill(ALICE, 'Alice')}: send the report"
    )
    assert command_body(body, formatted) == f"!action {ALICE}: send the report"
    # A reply without a fallback (MSC2781) is an ordinary message.
    assert command_body("!chair Bob", f"!chair {pill(BOB, 'Bob')}") == f"!chair {BOB}"


def test_the_body_when_the_html_says_something_else():
    body = "!action Alice: send the report"
    # A stale formatted_body (the body was edited by a bridge, the HTML not).
    assert command_body(body, f"!action {pill(BOB, 'Bob')}: call the embassy") == body
    # A pill whose name is not what the body says.
    assert command_body(body, f"!action {pill(BOB, 'Bob')}: send the report") == body
    # One line more or less.
    assert command_body(body, f"!action {pill(ALICE, 'Alice')}: send<br>the report") == body
    # A reply fallback left open swallows everything.
    assert command_body(body, f"<mx-reply>!action {pill(ALICE, 'Alice')}: send the report") == body
    # No pill, no HTML format, no HTML: the body.
    assert command_body(body, "<b>!action</b> Alice: send the report") == body
    assert command_body(body, None) == body
    plain = Content.read({"msgtype": "m.text", "body": body, "formatted_body": pill(ALICE, "x")})
    assert plain.command_body() == body
    # Links that are no pills stay text.
    assert command_body(
        "!link https://example.org/r report",
        '!link <a href="https://example.org/r">https://example.org/r</a> report',
    ) == ("!link https://example.org/r report")


def test_malformed_html_is_read_as_a_browser_would_or_not_at_all():
    body = "!chair Bob"
    assert command_body(body, f'!chair <a href="https://matrix.to/#/{BOB}">Bob') == f"!chair {BOB}"
    assert command_body(body, f"!chair {pill(BOB, 'Bob')}</a></p></mx-reply>") == f"!chair {BOB}"
    nested = f'!chair <a href="https://example.org">{pill(BOB, "Bob")}'
    assert command_body(body, nested) == f"!chair {BOB}"
    assert command_body("!chair < Bob", f"!chair < {pill(BOB, 'Bob')}") == f"!chair < {BOB}"
    assert command_body(body, f'!chair <a href="https://matrix.to/#/{BOB}"Bob') == body
    assert command_body(body, f"!chair {pill(BOB, 'Bob')}<!-- never closed") == f"!chair {BOB}"
    # A long number as an entity is U+FFFD, not an error (html.unescape raises past 4300 digits).
    assert html_lines("&#" + "1" * 5000 + ";")[0][0].shown == "\ufffd"


# --- Mentions without a pill (Element with Markdown off) -------------------------------------


def test_a_mentioned_members_display_name_is_their_user_id():
    """Element with Markdown off sends the pill's name in both body and HTML, no link: only
    m.mentions says who it is, and the room's state what they are called."""
    content = Content.read(
        {
            "msgtype": "m.text",
            "body": "!action Alice Martin, Bob: send the report by Friday",
            "format": HTML,
            "formatted_body": "!action Alice Martin, Bob: send the report by Friday",
            "m.mentions": {"user_ids": [ALICE, BOB]},
        }
    )
    assert content.mentions == (ALICE, BOB)
    names = [("Alice Martin", ALICE), ("Bob", BOB)]
    assert content.command_body(names) == f"!action {ALICE}, {BOB}: send the report by Friday"
    assert content.command_body() == content.body


def test_names_are_whole_words_outside_user_ids_and_pills_come_first():
    names = [("alice", ALICE), ("Alice Martin", "@am:example.org"), ("Bo", BOB)]
    body = "!action alice, Alice Martin, Bob, @alice:example.org: ask alice's team"
    assert with_names(body, names) == (
        f"!action {ALICE}, @am:example.org, Bob, @alice:example.org: ask {ALICE}'s team"
    )
    assert with_names("!chair Bob", []) == "!chair Bob"
    assert with_names("!chair Bob", [(" ", BOB), ("", BOB)]) == "!chair Bob"
    # An id is put in as it is, never read as a regular expression's group reference.
    assert with_names("!chair a\\1", [("a", "@a\\1:x")]) == "!chair @a\\1:x\\1"
    # A message with a pill is read from its HTML; the names are not needed.
    pilled = Content.read(
        {
            "msgtype": "m.text",
            "body": "!chair Bob",
            "format": HTML,
            "formatted_body": f"!chair {pill(BOB, 'Bob')}",
            "m.mentions": {"user_ids": [BOB]},
        }
    )
    assert pilled.command_body([("Bob", "@other:example.org")]) == f"!chair {BOB}"


def test_mentions_are_typed_at_the_door():
    def read(mentions):
        return Content.read({"m.mentions": mentions}).mentions

    assert read({"user_ids": [ALICE, ALICE, BOB]}) == (ALICE, BOB)
    assert read({"user_ids": [ALICE, 5, None, "alice", "@x", ["@y:z"], "@a b:c"]}) == (ALICE,)
    assert read({"user_ids": ALICE}) == ()
    assert read(["@a:b"]) == ()
    assert read({"room": True}) == ()
    many = [f"@u{i}:example.org" for i in range(100)]
    assert read({"user_ids": many}) == tuple(many[:MAX_MENTIONS])


def test_the_names_of_mentioned_members_come_from_the_room_unless_two_share_one():
    room = MatrixRoom("!r:example.org", "@bot:example.org")
    room.add_member(ALICE, "Alice Martin", None)
    room.add_member(BOB, "Bob", None)
    room.add_member("@bob2:example.org", "Bob", None)
    room.add_member("@nameless:example.org", None, None)
    mentioned = [ALICE, BOB, "@nameless:example.org", "@stranger:example.org"]
    assert mentioned_names(room, mentioned) == (("Alice Martin", ALICE),)
    assert mentioned_names(None, mentioned) == ()


# --- Properties --------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "<",
        ">",
        "</",
        "<a",
        "<a ",
        'href="',
        "href='",
        "href=",
        "https://matrix.to/#/@alice:example.org",
        "matrix:u/bob:example.org",
        "%40",
        "?via=x",
        '"',
        "'",
        "</a>",
        "<br>",
        "<br/>",
        "<p>",
        "</p>",
        "<mx-reply>",
        "</mx-reply>",
        "<!--",
        "-->",
        "<!",
        "<?",
        "&",
        "&#",
        "&#x",
        "&amp;",
        "&lt",
        ";",
        "\n",
        "\r\n",
        "\u2028",
        " ",
        "!action ",
        "Alice",
        ":",
        ",",
        "\x00",
        "\ud800",
    ]
)
HTML_SOUP = st.lists(FRAGMENTS | st.text(max_size=5), max_size=40).map("".join)


@given(st.text(), st.text(), st.lists(st.tuples(st.text(), st.text()), max_size=3))
def test_any_strings_give_a_string(body, formatted, names):
    found = with_pills(body, formatted)
    assert found is None or isinstance(found, str)
    assert isinstance(with_names(body, names), str)
    content = Content.read({"body": body, "format": HTML, "formatted_body": formatted})
    assert isinstance(content.command_body(names), str)


@given(st.text(max_size=30), HTML_SOUP)
def test_any_html_soup_gives_a_string_and_ids_only_from_pills(body, formatted):
    result = with_pills(body, formatted)
    lines, _reply = html_lines(formatted)
    assert all(isinstance(line.command, str) for line in lines)
    if result is not None:
        assert isinstance(result, str)
        assert any(line.pills for line in lines)


NAMES = st.sampled_from(["Alice", "Alice Martin", "Bob", "Dr. Bob", "Ève", "<Carol>", "a&b"])
USERS = st.sampled_from([ALICE, BOB, "@eve:example.org", "@x_y.z=1/2:[::1]:8448"])
WORDS = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="<>&*_`\\"),
    min_size=1,
    max_size=12,
)


@given(st.lists(st.lists(st.tuples(NAMES, USERS) | WORDS, max_size=6), min_size=1, max_size=5))
def test_element_like_messages_read_as_the_body_with_ids_for_pills(message):
    """Body with names, HTML with links (escaped, lines joined by <br />, as Element sends
    them with Markdown on): the command text is the body with each pill's name as its id."""
    body, formatted, expected = [], [], []
    for line in message:
        body.append(" ".join(p[0] if isinstance(p, tuple) else p for p in line))
        formatted.append(
            " ".join(
                pill(p[1], html.escape(p[0])) if isinstance(p, tuple) else html.escape(p)
                for p in line
            )
        )
        expected.append(" ".join(p[1] if isinstance(p, tuple) else p for p in line))
    result = with_pills("\n".join(body), "<br />".join(formatted))
    if any(isinstance(p, tuple) for line in message for p in line):
        assert result is not None
        assert non_blank(result.splitlines()) == non_blank(expected)
    else:
        assert result is None


def non_blank(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


# Inputs that cost html.parser (Python 3.11) quadratic time: 6 s for 60 KB of "<a".
ADVERSARIAL = [
    "<" * 65_000,
    "<a" * 32_000,
    "</" * 32_000,
    "<a x" * 16_000,
    "<!--" * 16_000,
    "<!" * 32_000,
    "<?" * 32_000,
    "</a " * 16_000,
    "<br>" * 16_000,
    "\n" * 65_000,
    "&#" * 32_000,
    "&#" + "9" * 65_000,
    "<a " + 'href="' * 10_000 + ">",
    pill(ALICE, "A") * 1_500,
    (pill(ALICE, "A") + "<br>") * 1_200,
    '<a href="https://matrix.to/#/' + "%40" * 20_000 + '">x</a>',
]


def test_the_walk_is_fast_on_adversarial_html():
    """64 KiB (an event's limit) of each costs well under a second, however it is built."""
    body = "!action Alice: x\n" * 100
    for source in ADVERSARIAL:
        started = time.process_time()  # this process's time: other jobs on the machine do not count
        assert isinstance(html_lines(source)[0], list)
        with_pills(body, source + pill(ALICE, "Alice"))
        assert time.process_time() - started < 1.0, source[:20]
