"""`wgbot when`, run as the operator runs it: JSON on stdout, a reason and status 1 otherwise."""

import json

from tests.cli import wgbot


def test_a_phrase_becomes_json_in_the_zone():
    result = wgbot(
        "when",
        "Plenary next Tuesday 14:00 for 2h every 3 months",
        "--now",
        "2026-11-22T10:00:00+01:00",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "start": "2026-11-24T14:00:00+01:00",
        "end": "2026-11-24T16:00:00+01:00",
        "recurrence": "FREQ=MONTHLY;INTERVAL=3",
        "title": "Plenary",
    }


def test_language_zone_and_a_naive_now_read_in_that_zone():
    result = wgbot(
        "when",
        "mardi prochain à 15h",
        "--lang",
        "fr",
        "--tz",
        "America/New_York",
        "--now",
        "2026-11-22T10:00",
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["start"] == "2026-11-24T15:00:00-05:00"
    assert answer["end"] is None and answer["title"] is None


def test_what_cannot_be_understood_exits_1_with_a_reason():
    unreadable = wgbot("when", "whenever suits you")
    assert unreadable.returncode == 1
    assert unreadable.stdout == ""
    assert "cannot understand 'whenever suits you': no date or time found" in unreadable.stderr
    no_time = wgbot("when", "3 December")
    assert no_time.returncode == 1
    assert "names a day but no time of day" in no_time.stderr
    zone = wgbot("when", "tomorrow 10:00", "--tz", "Mars/Olympus")
    assert zone.returncode == 1
    assert "unknown time zone: 'Mars/Olympus'" in zone.stderr
    now = wgbot("when", "tomorrow 10:00", "--now", "yesterday")
    assert now.returncode == 1
    assert "--now is not an ISO date and time" in now.stderr
    assert "Traceback" not in unreadable.stderr + no_time.stderr + zone.stderr + now.stderr


def test_a_time_past_the_calendar_exits_1_with_a_reason_not_a_traceback():
    for phrase in ("in 9000 years at 10:00", "tomorrow 10:00 for 9999999999 hours"):
        result = wgbot("when", phrase)
        assert result.returncode == 1
        assert result.stdout == ""
        assert f"cannot understand {phrase!r}: it is more than 100 years away" in result.stderr
        assert "Traceback" not in result.stderr
    end = wgbot("when", "tomorrow 10:00", "--now", "9999-12-31T12:00")
    assert (end.returncode, "Traceback" in end.stderr) == (1, False)
    assert "past the calendar" in end.stderr
