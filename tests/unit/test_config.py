"""Config validation: every bad key reported at once, with the file's name."""

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid_and_documents_every_key():
    config = load_config(ROOT / "config.example.toml")
    assert config.matrix.user_id == "@wgbot:example.org"
    assert config.matrix.server_name == "example.org"
    assert config.bot.timezone == "Europe/Luxembourg"
    assert config.bot.data_dir == (ROOT / "data").resolve()
    assert config.storage.url == f"sqlite:///{(ROOT / 'data' / 'wgbot.db').resolve()}"


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        """
[matrix]
homeserver = "matrix.example.org"
user_id = "wgbot"

[bot]
timezone = "Mars/Olympus"
language = "it"
allow_unencrypted_rooms = "yes"
colour = "blue"

[storage]
url = "mysql://x"
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    for expected in (
        "[matrix] homeserver must be an http(s) URL",
        "[matrix] user_id must look like @name:server",
        "[bot] timezone is not an IANA time zone",
        "[bot] language must be one of en, fr, de",
        "[bot] allow_unencrypted_rooms must be a bool",
        "[bot] colour is not a known key",
        "[storage] url must be a sqlite:// or postgresql+psycopg:// URL",
    ):
        assert expected in message
    assert len(caught.value.problems) == 7


def test_missing_required_keys_and_broken_toml(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[matrix]\n"))
    assert caught.value.problems == [
        "[matrix] homeserver is missing",
        "[matrix] user_id is missing",
    ]
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[matrix\n"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
