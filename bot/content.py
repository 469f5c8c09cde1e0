"""Event content, typed once where events enter: past this point every field has its JSON type.

Anyone in a room (or anyone who can send into it in clear) chooses an event's content, so any
field may hold any JSON value: a list where an object belongs, a number for a string, nothing.
`Content.read` turns any value into a `Content` whose fields are a `str` (or the stated type) or
None, and never raises. Handlers read these fields, never the raw JSON.

Commands read `Content.command_body()`: the body, except that a person a member inserted as a
"pill" (a link to them in `formatted_body`) is there as their user id, not as the display name
the plain body holds. A client that sends no link (Element with Markdown off) still names the
person in `m.mentions`: then their display name, which only the room's state knows, is read as
their user id.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from bot.msc3381 import POLL_RESPONSE, STABLE_POLL_RESPONSE

# No Matrix id is this long (the spec caps event ids at 255 bytes); a longer one names nothing.
MAX_ID = 255
# Mentioned users read from a message: enough for any meeting, few enough to look each one up.
MAX_MENTIONS = 20
SURROGATE = re.compile("[\ud800-\udfff]")


def text(value: object) -> str | None:
    """A JSON string as valid text (no NUL, no lone surrogate: databases refuse both), else None."""
    if not isinstance(value, str):
        return None
    if value.isascii():
        return value.replace("\x00", "") if "\x00" in value else value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \ud800 escape can carry
        value = SURROGATE.sub("\ufffd", value)
    return value.replace("\x00", "")


def identifier(value: object) -> str | None:
    """A Matrix id (event, user): a non-empty string of sane length, else None."""
    found = text(value)
    return found if found and len(found) <= MAX_ID else None


def _object(value: object) -> Mapping[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class Relation:
    """`m.relates_to`: what an event refers to (edit, reaction, reference, thread, reply)."""

    rel_type: str | None = None
    event_id: str | None = None
    key: str | None = None  # a reaction's key (m.annotation)
    in_reply_to: str | None = None  # the event a reply answers (m.in_reply_to)

    @classmethod
    def read(cls, raw: object) -> Relation:
        relates = _object(raw)
        return cls(
            rel_type=text(relates.get("rel_type")),
            event_id=identifier(relates.get("event_id")),
            key=text(relates.get("key")),
            in_reply_to=identifier(_object(relates.get("m.in_reply_to")).get("event_id")),
        )


@dataclass(frozen=True)
class Content:
    """The fields of an event's content the bot reads, each of its type or None."""

    msgtype: str | None = None
    body: str | None = None
    format: str | None = None
    formatted_body: str | None = None
    relation: Relation = field(default_factory=Relation)
    # An edit's replacement content (`m.new_content`), read one level deep.
    new_content: Content | None = None
    # The event a redaction removes (in the content since room v11, at the top level before).
    redacts: str | None = None
    # A poll response's answers (MSC3381); None when they are not a list of strings: a spoilt vote.
    poll_answers: tuple[str, ...] | None = None
    # The users the message mentions (`m.mentions.user_ids`), as their client says.
    mentions: tuple[str, ...] = ()

    def command_body(self, names: Iterable[tuple[str, str]] = ()) -> str:
        """The text commands read: the body, with each pill of the HTML as its user id; without
        pills, each of `names` (a mentioned member's display name, their user id) typed as a
        whole word is that user id."""
        body = self.body or ""
        if self.format == HTML and self.formatted_body:
            found = with_pills(body, self.formatted_body)
            if found is not None:
                return found
        return with_names(body, names)

    @classmethod
    def read(cls, raw: object, *, redacts: object = None, nested: bool = True) -> Content:
        """Any JSON value as content; `redacts` is a redaction's top-level field, if any."""
        content = _object(raw)
        new_content = content.get("m.new_content")
        return cls(
            msgtype=text(content.get("msgtype")),
            body=text(content.get("body")),
            format=text(content.get("format")),
            formatted_body=text(content.get("formatted_body")),
            relation=Relation.read(content.get("m.relates_to")),
            new_content=(
                cls.read(new_content, nested=False)
                if nested and isinstance(new_content, Mapping)
                else None
            ),
            redacts=identifier(content.get("redacts")) or identifier(redacts),
            poll_answers=_poll_answers(content),
            mentions=_mentions(content),
        )


def _mentions(content: Mapping[str, Any]) -> tuple[str, ...]:
    users = _object(content.get("m.mentions")).get("user_ids")
    if not isinstance(users, list):
        return ()
    found = (identifier(user) for user in users[:MAX_MENTIONS])
    return tuple(dict.fromkeys(user for user in found if user and USER_ID.fullmatch(user)))


def _poll_answers(content: Mapping[str, Any]) -> tuple[str, ...] | None:
    block = _object(content.get(POLL_RESPONSE, content.get(STABLE_POLL_RESPONSE)))
    answers = block.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        return None
    return tuple(text(a) or "" for a in answers)


# --- Pills: people linked in formatted_body ----------------------------------------------------

HTML = "org.matrix.custom.html"
# A user id as the spec writes it: @localpart:server, the server a name or [IPv6] with a port.
USER_ID = re.compile(r"@[!-9;-~]+:(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?")
# Every pill's link says "matrix" (a link whose scheme or host hides it in entities is no pill).
_PILL_HINT = re.compile("matrix", re.I)
_MATRIX_TO = re.compile(r"\s*https?://matrix\.to/#/([^?#]*)", re.I)
_MATRIX_URI = re.compile(r"\s*matrix:(?://[^/?#]*/)?u/([^/?#]*)", re.I)
# A tag: its name, then anything up to the next ">" that is no "<". Never scanning past the next
# "<" keeps the walk linear on any input ("<a<a<a…" costs html.parser quadratic time).
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])([^<>]*)>")
_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]{0,31};?)")
MAX_ENTITY = 40
_DECLARATION = re.compile(r"<[!?][^<>]*>")
_ATTRIBUTE = re.compile(r"""([^\s"'=/<>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+)))?""")
# Where str.splitlines breaks a line, so HTML text and body split alike.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Tags that start a line: a break, and the blocks Markdown renders a line or a paragraph into.
_BLOCKS = frozenset(
    "br p div li ul ol dl dt dd blockquote pre h1 h2 h3 h4 h5 h6 hr table thead tbody tfoot tr"
    " caption details summary".split()
)
_CELLS = frozenset({"td", "th"})
# What a line is compared on: the Markdown a client renders (emphasis, code, escapes, quote and
# list marks, headings) and the spacing it changes are left out, the words must be the same.
_MARKUP = re.compile(r"[\s*_`~\\#>+|=-]+")


def pill_user(href: str) -> str | None:
    """The user a link names: `https://matrix.to/#/@user:server` (maybe URL-encoded, maybe with
    `?via=`), or `matrix:u/user:server`; else None."""
    href = _ENTITY.sub(_character, href)
    if found := _MATRIX_TO.match(href):
        user = unquote(found.group(1))
    elif found := _MATRIX_URI.match(href):
        user = "@" + unquote(found.group(1))
    else:
        return None
    return user if len(user) <= MAX_ID and USER_ID.fullmatch(user) else None


@dataclass(frozen=True)
class Line:
    """A line of an HTML message: as a reader sees it (a pill shows a name) and as a command
    reads it (a pill is its user id)."""

    shown: str
    command: str
    pills: int = 0


class _Text:
    """The lines of an HTML message being walked, without the reply fallback (`<mx-reply>`)."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.shown: list[str] = []
        self.command: list[str] = []
        self.pills = 0
        self.pill: str | None = None  # the user of the pill being read
        self.name: list[str] = []  # the text of the pill being read
        self.in_reply = 0
        self.had_reply = False

    def data(self, chunk: str) -> None:
        if self.in_reply or not chunk:
            return
        chunk = _ENTITY.sub(_character, chunk)
        if self.pill is not None:
            self.name.append(_LINE_BREAK.sub(" ", chunk))
            return
        first, *rest = _LINE_BREAK.split(chunk)
        self.shown.append(first)
        self.command.append(first)
        for piece in rest:
            self.newline()
            if piece:
                self.shown.append(piece)
                self.command.append(piece)

    def newline(self) -> None:
        if self.in_reply:
            return
        if self.pill is not None:  # a break inside a link: its name goes on, on one line
            self.name.append(" ")
            return
        shown = "".join(self.shown)
        if self.pills or shown.strip():  # blank lines are no line to compare
            self.lines.append(Line(shown, "".join(self.command), self.pills))
        self.shown, self.command, self.pills = [], [], 0

    def tag(self, name: str, closing: bool, attributes: str) -> None:
        if name == "mx-reply":
            self.in_reply = max(0, self.in_reply - 1) if closing else self.in_reply + 1
            self.had_reply = True
        elif name == "a":
            self.end_pill()
            if not closing and not self.in_reply:
                self.pill = pill_user(_href(attributes))
        elif name in _BLOCKS:
            self.newline()
        elif name in _CELLS:
            self.data(" ")

    def end_pill(self) -> None:
        if self.pill is None:
            return
        self.shown.append("".join(self.name))
        self.command.append(self.pill)
        self.pills += 1
        self.pill, self.name = None, []

    def end(self) -> list[Line]:
        self.end_pill()
        self.newline()
        return self.lines


def _character(entity: re.Match[str]) -> str:
    """The character an entity names; a number too long to be one is U+FFFD, as in browsers
    (html.unescape would raise: Python converts no more than 4300 digits)."""
    return html.unescape(entity.group()) if len(entity.group()) <= MAX_ENTITY else "\ufffd"


def _href(attributes: str) -> str:
    for found in _ATTRIBUTE.finditer(attributes):
        if found.group(1).lower() == "href":
            return next((v for v in found.groups()[1:] if v is not None), "")
    return ""


def html_lines(source: str) -> tuple[list[Line], bool]:
    """The lines of an HTML message that are not blank, its reply fallback left out, and
    whether it had one.
    Total and linear on any string: what is not a tag is text, a comment left open ends it."""
    text = _Text()
    start = scan = 0  # where the text not yet handed over starts; where to look for a tag
    while (lt := source.find("<", scan)) >= 0:
        if source.startswith("<!--", lt):
            close = source.find("-->", lt + 4)
            text.data(source[start:lt])
            start = scan = len(source) if close < 0 else close + 3
        elif found := _TAG.match(source, lt) or _DECLARATION.match(source, lt):
            text.data(source[start:lt])
            if found.re is _TAG:
                text.tag(found.group(2).lower(), found.group(1) == "/", found.group(3))
            start = scan = found.end()
        else:  # a "<" that opens nothing is text
            scan = lt + 1
    text.data(source[start:])
    return text.end(), text.had_reply


def _words(line: str) -> str:
    return _MARKUP.sub("", line)


def without_reply_fallback(lines: list[str]) -> list[str]:
    """A reply's body without the quoted lines clients put before it ("> <@bob:x> …"), and the
    blank line after them."""
    start = 0
    while start < len(lines) and lines[start].startswith(">"):
        start += 1
    if 0 < start < len(lines) and not lines[start].strip():
        start += 1
    return lines[start:]


def with_pills(body: str, formatted_body: str) -> str | None:
    """The body with each line that holds pills read from the HTML, pills as user ids; None
    when the HTML has no pill, or says something else than the body.

    The HTML is used only when it says what the body says, line for line once Markdown and
    spacing are left aside: a client may send a stale formatted_body, and what is not a pill
    stays as the member typed it."""
    if not _PILL_HINT.search(formatted_body):  # most messages: no need to walk the HTML
        return None
    lines, had_reply = html_lines(formatted_body)
    if not any(line.pills for line in lines):
        return None
    typed = body.splitlines()
    if had_reply:
        typed = without_reply_fallback(typed)
    said = [i for i, line in enumerate(typed) if _words(line)]
    read = [line for line in lines if line.pills or _words(line.shown)]
    if len(said) != len(read):
        return None
    for i, line in zip(said, read, strict=True):
        if _words(typed[i]) != _words(line.shown):
            return None
        if line.pills:
            typed[i] = line.command
    return "\n".join(typed)


def with_names(body: str, names: Iterable[tuple[str, str]]) -> str:
    """The body with each display name, typed as a whole word (not inside a user id), as the
    user id it stands for; the longest name first where two overlap."""
    ids = {name: user for name, user in names if name.strip() and len(name) <= MAX_ID}
    if not ids:
        return body
    names_first = sorted(ids, key=len, reverse=True)
    # One pass, so an id put in is never read again as a name ("alice" in "@alice:x").
    pattern = re.compile(r"(?<![\w@:])(?:" + "|".join(map(re.escape, names_first)) + r")(?!\w)")
    return pattern.sub(lambda found: ids[found.group()], body)
