"""Reply values: user text cleaned and escaped, long messages split to fit, rooms served in turn."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.replies import MAX_ECHO, Reply, bold, code, fmt, mention, text
from bot.sender import MAX_CONTENT_BYTES, content_size, next_room, split_message

# What must never reach a chat reply: C0/C1 controls (but the newline) and bidi controls.
FORBIDDEN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CUT = "… (cut)"
OWN_TAGS = r'</?(b|code)>|<br>|<a href="https://matrix.to/#/@bob:example.org">|</a>'


@given(st.text())
def test_user_text_loses_controls_and_bidi_overrides_and_stays_escaped(value):
    for fragment, wrap in (
        (text(value), "{}"),
        (bold(value), "<b>{}</b>"),
        (code(value), "<code>{}</code>"),
    ):
        assert not FORBIDDEN.search(fragment.plain)
        assert not FORBIDDEN.search(fragment.html)
        assert fragment.html == wrap.format(html.escape(fragment.plain, quote=False))
    kept = value if len(value) <= MAX_ECHO else value[: MAX_ECHO - 1]
    assert text(value).plain.count("\n") == kept.count("\n")


@given(st.text(), st.text(), st.text())
def test_templates_mentions_and_lines_are_clean_too(value, name, line):
    reply = Reply.of(
        fmt("Title: {title}", title=value),
        mention("@bob:example.org", name or None),
        line,
        [line, code(value)],
    )
    for rendered in (reply.plain, reply.html):
        assert not FORBIDDEN.search(rendered)
    # Only the bot's own tags are markup; any "<" or "&" of the user's is escaped.
    assert not re.search(r"<|&(?!amp;|lt;|gt;)", re.sub(OWN_TAGS, "", reply.html))


def test_a_right_to_left_override_is_dropped_and_newlines_stay():
    reply = Reply.of(fmt("Meeting {title} added.", title="Budget \u202eevil\u202c\tplan\nday 2"))
    assert reply.plain == "Meeting Budget evil plan\nday 2 added."
    assert reply.html == "Meeting Budget evil plan\nday 2 added."


def test_an_echo_is_cut_but_a_line_of_the_bot_is_not():
    assert code("!" + "x" * 30_000).plain == "!" + "x" * (MAX_ECHO - 2) + "…"
    assert Reply.of("y" * 5000).plain == "y" * 5000


def message(body: str, formatted: str | None = None, **extra) -> dict:
    content = {"msgtype": "m.notice", "body": body, **extra}
    if formatted is not None:
        content |= {"format": "org.matrix.custom.html", "formatted_body": formatted}
    return content


def test_a_message_that_fits_is_left_alone():
    content = Reply.of("hello").content("$cmd")
    assert split_message(content, CUT) == [content]


def test_a_long_reply_is_split_between_lines_and_keeps_its_html():
    lines = [f"line {i} " + "é" * 90 for i in range(200)]
    reply = Reply.of(*([bold(line)] for line in lines), mentions=["@bob:example.org"])
    parts = split_message(reply.content("$cmd"), CUT)

    assert 2 < len(parts) <= 10
    assert all(content_size(part) <= MAX_CONTENT_BYTES for part in parts)
    assert "\n".join(p["body"] for p in parts) == reply.plain
    assert "<br>".join(p["formatted_body"] for p in parts) == reply.html
    assert all(p["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}} for p in parts)
    assert parts[0]["m.mentions"] == {"user_ids": ["@bob:example.org"]}
    assert all(p["m.mentions"] == {} for p in parts[1:])


def test_a_line_too_long_for_one_message_is_shortened_with_a_marker():
    body = "a" * 200_000
    parts = split_message(message(body, body), CUT)
    assert len(parts) == 1
    assert content_size(parts[0]) <= MAX_CONTENT_BYTES
    assert parts[0]["body"].startswith("aaa") and parts[0]["body"].endswith(" " + CUT)
    assert parts[0]["formatted_body"] == html.escape(parts[0]["body"], quote=False)


def test_a_huge_reply_stops_after_ten_messages_with_a_marker():
    body = "\n".join("b" * 1000 for _ in range(1000))
    parts = split_message(message(body), CUT)
    assert len(parts) == 10
    assert parts[-1]["body"].endswith("\n" + CUT)
    assert all(content_size(part) <= MAX_CONTENT_BYTES for part in parts)
    assert all("formatted_body" not in part for part in parts)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.text(max_size=3000), min_size=1, max_size=60),
    st.integers(min_value=2000, max_value=20_000),
)
def test_every_part_fits_and_nothing_is_lost_short_of_a_cut(lines, limit):
    reply = Reply.of(*([text(line), "!"] for line in lines))
    parts = split_message(reply.content("$cmd"), CUT, limit=limit, max_parts=1000)
    assert all(content_size(part) <= limit for part in parts)
    if not any(CUT in p["body"] for p in parts):
        assert "\n".join(p["body"] for p in parts) == reply.plain


def test_rooms_are_served_in_turn_and_each_room_in_order():
    heads = {"!flood": 1, "!quiet": 40}
    assert next_room(heads, {}) == "!flood"  # nobody served yet: the oldest message
    assert next_room(heads, {"!flood": 1}) == "!quiet"
    assert next_room(heads, {"!flood": 1, "!quiet": 2}) == "!flood"
    assert next_room({"!flood": 2, "!new": 90}, {"!flood": 3}) == "!new"
