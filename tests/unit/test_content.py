"""Event content typed at the door: any JSON value gives fields of their type, never an error."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.content import MAX_ID, Content, Relation, identifier, text
from bot.dispatch import RoomEvent
from bot.msc3381 import POLL_RESPONSE, reference_of, selection_of

# Any JSON value, the keys the bot reads included, so nested objects hit the real fields.
KEYS = st.sampled_from(
    [
        "msgtype",
        "body",
        "format",
        "formatted_body",
        "m.relates_to",
        "rel_type",
        "event_id",
        "key",
        "m.in_reply_to",
        "m.new_content",
        "redacts",
        POLL_RESPONSE,
        "m.poll.response",
        "answers",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text()
    | st.sampled_from(
        ["m.text", "m.replace", "m.annotation", "m.reference", "$event", "\x00", "\ud800"]
        + ["org.matrix.custom.html", '!a <a href="https://matrix.to/#/@b:c">B</a>']
    )
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(), inner, max_size=6)
    ),
    max_leaves=30,
)
TEXT_FIELDS = ("msgtype", "body", "format", "formatted_body", "redacts")
RELATION_FIELDS = ("rel_type", "event_id", "key", "in_reply_to")


def is_clean(value: str | None) -> bool:
    """None, or text a database and a JSON encoder take: no NUL, no lone surrogate."""
    if value is None:
        return True
    value.encode("utf-8")
    return isinstance(value, str) and "\x00" not in value


def assert_typed(content: Content, nested: bool = True) -> None:
    assert isinstance(content, Content)
    for name in TEXT_FIELDS:
        assert is_clean(getattr(content, name)), name
    assert isinstance(content.relation, Relation)
    for name in RELATION_FIELDS:
        assert is_clean(getattr(content.relation, name)), name
    for name in ("event_id", "in_reply_to"):
        value = getattr(content.relation, name)
        assert value is None or 0 < len(value) <= MAX_ID
    answers = content.poll_answers
    assert answers is None or (
        isinstance(answers, tuple) and all(isinstance(a, str) and is_clean(a) for a in answers)
    )
    if content.new_content is not None:
        assert nested, "m.new_content is read one level deep"
        assert_typed(content.new_content, nested=False)


@given(JSON)
def test_any_json_value_reads_as_typed_content(raw):
    assert_typed(Content.read(raw))


@given(st.dictionaries(KEYS, JSON, max_size=8), JSON)
def test_any_object_with_the_read_keys_reads_as_typed_content(raw, redacts):
    content = Content.read(raw, redacts=redacts)
    assert_typed(content)
    assert reference_of(content) is None or isinstance(reference_of(content), str)
    selection = selection_of(content)
    assert selection is None or all(isinstance(a, str) for a in selection)


@given(JSON, st.sampled_from(["m.room.message", "m.reaction", "m.room.redaction", POLL_RESPONSE]))
def test_a_room_event_of_any_content_gives_text_to_commands(raw, event_type):
    event = RoomEvent(
        room_id="!r:x",
        event_id="$e",
        sender="@s:x",
        type=event_type,
        content=raw,
        ts=datetime(2026, 1, 1, tzinfo=UTC),
        room_encrypted=True,
        event_encrypted=True,
        sender_level=0,
    )
    assert isinstance(event.content, Content)
    assert isinstance(event.command_text(), str)


@given(st.text())
def test_text_keeps_valid_text_and_cleans_the_rest(value):
    cleaned = text(value)
    assert is_clean(cleaned)
    if "\x00" not in value and is_clean_unicode(value):
        assert cleaned == value


def is_clean_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_the_fields_as_clients_send_them():
    edit = Content.read(
        {
            "msgtype": "m.text",
            "body": "* fixed",
            "m.new_content": {"msgtype": "m.text", "body": "fixed", "m.new_content": {"body": "x"}},
            "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"},
        }
    )
    assert (edit.msgtype, edit.body, edit.relation.rel_type) == ("m.text", "* fixed", "m.replace")
    assert edit.relation.event_id == "$orig"
    assert edit.new_content == Content(msgtype="m.text", body="fixed")
    reply = Content.read(
        {
            "msgtype": "m.text",
            "body": "> q\n\na",
            "m.relates_to": {"m.in_reply_to": {"event_id": "$q"}},
        }
    )
    assert reply.relation == Relation(in_reply_to="$q")
    reaction = Content.read(
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$m", "key": "✅\ufe0f"}}
    )
    assert reaction.relation == Relation("m.annotation", "$m", "✅\ufe0f")
    html = Content.read({"format": "org.matrix.custom.html", "formatted_body": "<b>x</b>"})
    assert (html.format, html.formatted_body) == ("org.matrix.custom.html", "<b>x</b>")
    assert Content.read({"redacts": "$v11"}).redacts == "$v11"
    assert Content.read({}, redacts="$v10").redacts == "$v10"
    assert Content.read({POLL_RESPONSE: {"answers": ["a1", "a2"]}}).poll_answers == ("a1", "a2")
    assert Content.read({"m.poll.response": {"answers": []}}).poll_answers == ()


def test_the_wrong_json_types_read_as_absent():
    assert Content.read(["m.text"]) == Content()
    assert Content.read("body") == Content()
    poison = Content.read(
        {
            "msgtype": ["m.text"],
            "body": {"text": "x"},
            "m.relates_to": ["x"],
            "m.new_content": "x",
            "redacts": 5,
            POLL_RESPONSE: {"answers": ["a1", 2]},
        }
    )
    assert poison == Content()
    assert Content.read({"m.relates_to": "x"}).relation == Relation()
    assert Content.read({"m.relates_to": {"m.in_reply_to": "x"}}).relation == Relation()
    assert identifier("$" + "x" * MAX_ID) is None
    assert identifier("") is None
    assert text("a\x00b") == "ab"
    assert text("a\ud800b") == "a\ufffdb"
