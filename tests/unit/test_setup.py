"""The pure parts of `wgbot init` and `wgbot check`: the config written, the answers gathered,
the reasons and the clock sentences."""

from __future__ import annotations

import argparse
import socket
import ssl
import tomllib
import urllib.error
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.check import clock_line, describe_skew, device_line
from bot.config import load_config
from bot.init import Answers, InitError, gather, render_config
from bot.preflight import Answer, parse_http_date, why_unreachable

WRITTEN_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def flags(**given: str) -> argparse.Namespace:
    names = ("homeserver", "user", "data_dir", "language", "timezone", "password_file")
    return argparse.Namespace(**{name: given.get(name) for name in names})


def test_the_written_config_loads_as_the_bot_reads_it(tmp_path):
    answers = Answers("https://matrix.example.org", "@wgbot:example.org", "./data", "fr", "UTC")
    path = tmp_path / "config.toml"
    path.write_text(render_config(answers, WRITTEN_AT))
    config = load_config(path)
    assert config.matrix.homeserver == "https://matrix.example.org"
    assert config.matrix.user_id == "@wgbot:example.org"
    assert config.matrix.password is None
    assert config.bot.data_dir == tmp_path / "data"
    assert (config.bot.language, config.bot.timezone) == ("fr", "UTC")
    assert config.storage.url == f"sqlite:///{tmp_path / 'data' / 'wgbot.db'}"


@given(
    user=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1),
    data_dir=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1),
)
def test_any_answer_is_written_as_the_same_toml_string(user, data_dir):
    answers = Answers("https://hs.example", user, data_dir, "en", "Europe/Luxembourg")
    doc = tomllib.loads(render_config(answers, WRITTEN_AT))
    assert doc["matrix"]["user_id"] == user
    written = data_dir.rstrip("/") or "/"
    assert doc["bot"]["data_dir"] == written
    assert doc["storage"]["url"] == f"sqlite:///{written}/wgbot.db"


def test_flags_alone_need_the_homeserver_and_the_user():
    with pytest.raises(InitError, match="--homeserver is missing"):
        gather(flags(user="@b:example.org"), interactive=False, ask=input)
    answers = gather(
        flags(homeserver="https://hs.example/", user="@b:example.org"), False, ask=input
    )
    assert answers == Answers(
        "https://hs.example", "@b:example.org", "./data", "en", "Europe/Luxembourg"
    )


def test_a_data_dir_typed_by_the_operator_is_where_they_stand(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    answers = gather(
        flags(homeserver="https://hs.example", user="@b:example.org", data_dir="state"),
        False,
        input,
    )
    assert answers.data_dir == str(tmp_path.resolve() / "state")


def test_in_a_terminal_what_is_missing_is_asked_and_empty_answers_keep_defaults():
    typed = iter(["", "https://hs.example", "@b:example.org", "", "de", ""])
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return next(typed)

    answers = gather(flags(), interactive=True, ask=ask)
    assert asked == [
        "Homeserver URL (e.g. https://matrix.example.org): ",
        "Homeserver URL (e.g. https://matrix.example.org): ",  # asked again: it has no default
        "The bot's account (e.g. @wgbot:example.org): ",
        "Data directory [./data]: ",
        "Default language (en, fr, de) [en]: ",
        "Default time zone [Europe/Luxembourg]: ",
    ]
    assert answers == Answers(
        "https://hs.example", "@b:example.org", "./data", "de", "Europe/Luxembourg"
    )


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
            "DNS: the name matrix.example.org does not resolve (Name or service not known)",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "connection refused by matrix.example.org port 443 (nothing listens there)",
        ),
        (
            TimeoutError("timed out"),
            "no answer from matrix.example.org within 10 s (timeout)",
        ),
        (
            OSError(113, "No route to host"),
            "No route to host",
        ),
    ],
)
def test_why_a_homeserver_cannot_be_reached(error, reason):
    url = "https://matrix.example.org"
    assert why_unreachable(url, urllib.error.URLError(error)) == reason


def test_a_certificate_that_does_not_verify_is_named_tls():
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "self-signed certificate"
    assert why_unreachable("https://hs.example:8448", urllib.error.URLError(error)) == (
        "TLS: the certificate of hs.example is not valid (self-signed certificate)"
    )


def test_the_http_date_and_the_skew_sentences():
    assert parse_http_date("Mon, 02 Mar 2026 09:00:00 GMT") == WRITTEN_AT
    assert parse_http_date("yesterday") is None
    assert parse_http_date(None) is None
    assert describe_skew(timedelta(seconds=0.6)) == (
        "the local clock agrees with the homeserver's to the second"
    )
    assert describe_skew(timedelta(seconds=75)) == (
        "the local clock is 75 s ahead of the homeserver's"
    )
    assert describe_skew(timedelta(seconds=-3)) == "the local clock is 3 s behind the homeserver's"


def answer_at(local_at: datetime, date: datetime | None) -> Answer:
    return Answer(200, {"versions": ["v1.11"]}, date, local_at)


def test_the_clock_fails_beyond_a_minute_of_skew():
    server = WRITTEN_AT
    assert clock_line(answer_at(server + timedelta(seconds=59), server)).ok is True
    late = clock_line(answer_at(server - timedelta(minutes=5), server))
    assert late.render() == (
        "✗ clock: the local clock is 300 s behind the homeserver's: set the time right (NTP), "
        "or reminders go out at the wrong time"
    )
    assert clock_line(answer_at(server, None)).ok is False
    assert clock_line(None).render() == "– clock: not checked: the homeserver cannot be reached"


def test_the_written_config_names_no_password():
    answers = Answers("https://hs.example", "@b:example.org", "./data", "en", "UTC")
    assert "password =" not in "\n".join(
        line for line in render_config(answers, WRITTEN_AT).splitlines() if not line.startswith("#")
    )


def test_other_sessions_with_keys_fail_the_device_line_and_keyless_ones_are_named():
    devices = [
        {"device_id": "BOT", "display_name": "wgbot"},
        {"device_id": "STRAY", "display_name": None},  # left by register_new_matrix_user
    ]
    answer = {"device_keys": {"@b:hs": {"BOT": {"keys": {"ed25519:BOT": "k"}}}}}
    line = device_line(devices, answer, "@b:hs", "BOT", account=None)
    assert line.render() == (
        "✓ device: BOT exists on the server with its keys published; "
        "also signed in, without keys: STRAY"
    )
    answer["device_keys"]["@b:hs"]["PHONE"] = {"keys": {"ed25519:PHONE": "p"}}
    devices.append({"device_id": "PHONE", "display_name": "Element Android"})
    line = device_line(devices, answer, "@b:hs", "BOT", account=None)
    assert line.ok is False
    assert "with the bot: PHONE ('Element Android'); sign them out" in line.text
    assert device_line(devices[1:], answer, "@b:hs", "BOT", None).text == (
        "BOT is not among the account's devices (deleted?)"
    )
