"""Pure parts of the dispatcher: splitting, command lines, the registry, replies."""

import types

import pytest

import commands
from bot.features import Registry, command
from bot.i18n import N_, translator
from bot.parsing import UsageError, command_lines, split_args
from bot.replies import Reply, bold, code, fmt, mention


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        ("", ()),
        ("a b  c", ("a", "b", "c")),
        ('"two words" x', ("two words", "x")),
        ("“curly quotes” «guillemets» „German“", ("curly quotes", "guillemets", "German")),
        ("l'ordre du jour", ("l'ordre", "du", "jour")),
        ('say"hi" there', ("say", "hi", "there")),
        ('""', ("",)),
    ],
)
def test_split_args(raw, tokens):
    assert split_args(raw) == tokens


@pytest.mark.parametrize("raw", ['"unclosed', 'a "b c', "« ouvert", "„offen"])
def test_broken_quotes_are_a_usage_error(raw):
    with pytest.raises(UsageError) as caught:
        split_args(raw)
    assert caught.value.render(translator("en")).startswith("A quote is not closed")
    assert caught.value.render(translator("fr")).startswith("Un guillemet n'est pas fermé")


def test_command_lines_one_per_line():
    body = "hello\n!help\n  !settings  \n! not a command\nsome !text\n!"
    assert command_lines(body, "!") == ["help", "settings"]
    assert command_lines("?help", "?") == ["help"]


def test_registry_resolves_longest_name_and_aliases():
    @command("meeting add", help=N_("x"))
    async def add(ctx, args): ...

    @command("meeting", help=N_("x"), aliases=("meetings",))
    async def meeting(ctx, args): ...

    registry = Registry([types.SimpleNamespace(add=add, meeting=meeting)])
    assert registry.resolve("meeting add Plenary tomorrow")[0] is add
    assert registry.resolve("meeting add Plenary tomorrow")[2] == "Plenary tomorrow"
    assert registry.resolve("MEETING list")[0] is meeting
    assert registry.resolve("meetings")[0] is meeting
    assert registry.resolve("meeting")[2] == ""
    assert registry.resolve("nope x") == (None, "nope", "")
    assert registry.suggest("meetin")[0] == "meeting"


def test_registry_reads_a_number_between_the_words_of_a_name():
    @command("minutes amend", help=N_("x"))
    async def amend(ctx, args): ...

    @command("minutes", help=N_("x"))
    async def minutes(ctx, args): ...

    registry = Registry([types.SimpleNamespace(amend=amend, minutes=minutes)])
    assert registry.resolve("minutes 3 amend Bob  came   late") == (
        amend,
        "minutes amend",
        "3 Bob  came   late",
    )
    assert registry.resolve("minutes #3 AMEND x")[0:2] == (amend, "minutes amend")
    assert registry.resolve("minutes amend 3 x") == (amend, "minutes amend", "3 x")
    assert registry.resolve("minutes 3 amend") == (amend, "minutes amend", "3")
    # Not a number, or no such second word: the one-word command with the rest.
    assert registry.resolve("minutes 3 md") == (minutes, "minutes", "3 md")
    assert registry.resolve("minutes x amend y") == (minutes, "minutes", "x amend y")
    assert registry.resolve("minutes ² amend y")[0] is minutes


def test_registry_refuses_duplicate_names():
    @command("help", help=N_("x"))
    async def other_help(ctx, args): ...

    with pytest.raises(ValueError, match="'help' is declared twice"):
        Registry([*commands.MODULES, types.SimpleNamespace(h=other_help)])


def test_the_real_registry_builds():
    registry = Registry(commands.MODULES)
    assert {"help", "lang", "timezone", "settings"} <= {c.name for c in registry.commands}
    assert registry.get("aide") is registry.get("help")


def test_reply_escapes_user_text_and_mentions():
    reply = Reply.of(
        "<b>not bold</b> & co",
        [bold("Title"), " ", code("<script>")],
        fmt("Hello {who}, {what}", who=mention("@alice:example.org", "Alice <3"), what="<i>x</i>"),
        mentions=["@alice:example.org", "@alice:example.org"],
    )
    assert reply.plain == "<b>not bold</b> & co\nTitle <script>\nHello Alice <3, <i>x</i>"
    assert reply.html == (
        "&lt;b&gt;not bold&lt;/b&gt; &amp; co<br><b>Title</b> <code>&lt;script&gt;</code><br>"
        'Hello <a href="https://matrix.to/#/@alice:example.org">Alice &lt;3</a>, &lt;i&gt;x&lt;/i&gt;'
    )
    content = reply.content(in_reply_to="$cmd")
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    assert content["m.mentions"] == {"user_ids": ["@alice:example.org"]}
    assert Reply.of("x").content()["m.mentions"] == {}
