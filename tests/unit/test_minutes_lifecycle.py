"""Pure parts of minutes after the meeting and of retention: the approved minutes' hash, what
the writers say about errata, approval and removed lines, durations, the retention in force."""

import hashlib
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_duration
from bot.i18n import translator
from bot.minutes.hash import approved_sha256
from bot.minutes.items import Line
from bot.minutes.lifecycle import Erratum, Removal, Standing
from bot.minutes.writers import minutes_json, render
from bot.retention import Source, describe, in_force, show_retention, state_lifetime
from storage.models_after import RoomRetention
from tests.unit.test_minutes_pure import T0, A, B, sample

ROOT = Path(__file__).resolve().parents[2]
BASE = '[matrix]\nhomeserver = "https://m.example.org"\nuser_id = "@bot:example.org"\n'
DIGEST = "a" * 64


def approved(**overrides):
    standing = Standing(approved_at=T0 + timedelta(days=1), approved_by=A, sha256=DIGEST)
    return sample(standing=standing, **overrides)


def test_the_hash_is_the_exports_and_leaves_out_what_is_shown_live():
    minutes = sample()
    digest = approved_sha256(minutes)
    assert approved_sha256(minutes) == digest
    # The approval record, the open actions carried from before and the language are not hashed.
    assert approved_sha256(approved(language="de", open_actions=())) == digest
    doc = minutes_json(approved())
    kept = {k: v for k, v in doc.items() if k not in ("approval", "open_actions", "language")}
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256(text.encode()).hexdigest() == digest
    # What the minutes say is: a line less (a redaction), an erratum, a removal mark.
    assert approved_sha256(replace(minutes, lines=minutes.lines[:-1])) != digest
    erratum = Erratum(1, "B was present", B, A, T0)
    assert approved_sha256(replace(minutes, errata=(erratum,))) != digest
    assert approved_sha256(replace(minutes, removals=(Removal(1, 2),))) != digest


def test_every_format_says_where_the_minutes_stand():
    _ = translator("en")
    draft = render(sample(language="en"), "md", _).decode()
    assert "- **Status:** draft" in draft
    until = Standing(circulated_until=T0 + timedelta(days=7))
    circulated = render(sample(language="en", standing=until), "txt", _).decode()
    assert "Status: draft, circulated: approved unless someone objects by Tue, 10 Dec 2019" in (
        circulated
    )
    silence = Standing(approved_at=T0, sha256=DIGEST, redactions=2, removed=1)
    for form in ("md", "txt", "html"):
        text = render(approved(language="en"), form, _).decode()
        assert f"approved by {A} on Wed, 4 Dec 2019" in text, form
        assert DIGEST in text, form
        text = render(sample(language="en", standing=silence), form, _).decode()
        assert "approved by silence procedure on Tue, 3 Dec 2019, 14:00" in text, form
        assert (
            "2 redactions, 1 message removed under the room&#39;s retention policy"
            if form == "html"
            else "2 redactions, 1 message removed under the room's retention policy"
        ) in text, form
    doc = minutes_json(sample(standing=silence))
    assert doc["approval"] == {
        "status": "approved",
        "approved_by": None,
        "by_silence_procedure": True,
        "approved_at": "2019-12-03T14:00:00+01:00",
        "sha256": DIGEST,
        "amended_after_approval": {"redactions": 2, "removed": 1},
    }
    running = minutes_json(sample(ended_at=None))
    assert running["approval"] == {"status": "running"}


def test_errata_and_removed_lines_are_where_they_belong():
    _ = translator("fr")
    erratum = Erratum(2, "<b>B</b> était présent", B, A, T0 + timedelta(days=2))
    removed = (Removal(3, 4), Removal(9, 1))  # between the first and last lines, and at the end
    minutes = sample(errata=(erratum,), removals=removed)
    markdown = render(minutes, "md", _).decode()
    assert "## Errata\n\n- Amendement 2 : \\<b\\>B\\</b\\> était présent (proposé par " in markdown
    log = markdown.split("## Errata")[1]
    assert log.index("4 messages supprimés") < log.index("je m'en charge")
    assert log.index("!startmeeting") < log.index("4 messages supprimés")
    assert (
        log.rstrip()
        .split("\n")[-3]
        .endswith("(1 message supprimé selon la durée de conservation du salon)*")
    )
    html = render(minutes, "html", _).decode()
    assert "&lt;b&gt;B&lt;/b&gt; était présent" in html and "<b>B</b>" not in html
    doc = minutes_json(minutes)
    assert [entry["type"] for entry in doc["log"]] == [
        "m.text",
        "removed",
        "gap",
        "m.text",
        "removed",
    ]
    assert doc["log"][1]["lines"] == 4 and doc["log"][1]["topic"] is None
    assert doc["log"][4]["topic"] == "Budget"
    assert doc["errata"][0]["text"] == "<b>B</b> était présent"


def test_a_removal_before_any_line_comes_first():
    minutes = sample(lines=(Line(7, T0, B, "late"),), removals=(Removal(1, 5),))
    assert [e["type"] for e in minutes_json(minutes)["log"]] == ["removed", "m.text"]


@pytest.mark.parametrize(
    ("text", "days"),
    [("30d", 30), ("30 days", 30), ("6 months", 180), ("1y", 365), ("2 Wochen", 14), ("1 an", 365)],
)
def test_durations(text, days):
    assert parse_duration(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["", "30", "0d", "-1d", "3x", "1 d 2 h", "9999999d", "١d"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_max_retention_in_the_config(tmp_path):
    assert load_config(ROOT / "config.example.toml").storage.max_retention is None
    path = tmp_path / "config.toml"
    path.write_text(BASE + '[storage]\nmax_retention = "1y"\n')
    assert load_config(path).storage.max_retention == timedelta(days=365)
    path.write_text(BASE + '[storage]\nmax_retention = "forever"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == [
        '[storage] max_retention must be a duration like "365d", "6 months" or "1y", '
        "not 'forever'"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"max_lifetime": 86_400_000}, 86_400_000),
        ({"max_lifetime": 10**30}, 100 * 365 * 86_400_000),
        ({"max_lifetime": 0}, None),
        ({"max_lifetime": -5}, None),
        ({"max_lifetime": True}, None),
        ({"max_lifetime": "86400000"}, None),
        ({"max_lifetime": 1.5}, None),
        ({"min_lifetime": 5}, None),
        ({}, None),
        ([], None),
        ("x", None),
        (None, None),
    ],
)
def test_the_room_state_is_read_whatever_its_json(content, expected):
    assert state_lifetime(content) == expected


def test_the_shortest_retention_is_in_force_and_said_with_its_source():
    room = RoomRetention(room_id="!r", retention_seconds=30 * 86400, state_max_lifetime_ms=None)
    assert in_force(None, None).duration is None
    assert in_force(room, None) == in_force(room, timedelta(days=30))  # a tie: the room's own
    assert in_force(room, None).source is Source.ROOM
    assert in_force(room, timedelta(days=7)).source is Source.CONFIG
    room.state_max_lifetime_ms = 86_400_000
    force = in_force(room, timedelta(days=7))
    assert (force.duration, force.source) == (timedelta(days=1), Source.STATE)
    _ = translator("de")
    assert describe(force, _, "de", "!") == (
        "Aufbewahrungsdauer: 1 Tag (Einstellung m.room.retention des Raums)."
    )
    assert show_retention(timedelta(days=14), "fr") == "2\u00a0semaines"
    assert show_retention(timedelta(days=730), "en") == "2 years"
    assert show_retention(timedelta(days=30), "en") == "30 days"
    assert show_retention(timedelta(hours=36), "en") == "36 hours"
    assert show_retention(timedelta(seconds=90), "en") == "2 minutes"
