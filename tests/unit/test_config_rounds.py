"""Config keys of the action-item rounds: `[bot] digest` and `[bot] action_reminders`."""

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_clock, parse_weekly

ROOT = Path(__file__).resolve().parents[2]
BASE = '[matrix]\nhomeserver = "https://m.example.org"\nuser_id = "@bot:example.org"\n'


def test_the_example_documents_both_keys():
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert 'digest = "monday 09:00"' in text and 'action_reminders = "09:00"' in text
    config = load_config(ROOT / "config.example.toml")
    assert config.bot.digest == (0, time(9, 0))
    assert config.bot.action_reminders == time(9, 0)


def test_values_and_off(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(BASE + '[bot]\ndigest = "Fri 16:30"\naction_reminders = "off"\n')
    config = load_config(path)
    assert (config.bot.digest, config.bot.action_reminders) == ((4, time(16, 30)), None)
    assert parse_weekly("off") is None and parse_clock("7:05:30") == time(7, 5, 30)


def test_bad_values_are_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(BASE + '[bot]\ndigest = "someday 25:00"\naction_reminders = "9h"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert any(
        p.startswith("[bot] digest must be a weekday and a time") for p in error.value.problems
    )
    assert any(p.startswith("[bot] action_reminders must be a time") for p in error.value.problems)
