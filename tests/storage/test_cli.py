"""The operator's command line, run as the operator runs it."""

from sqlalchemy import inspect

from storage.db import Database
from tests.cli import config_for, wgbot


def test_version():
    result = wgbot("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("wgbot 0.")


def test_db_upgrade_creates_the_schema(tmp_path, database_url):
    config = config_for(database_url, tmp_path)
    result = wgbot("db", "upgrade", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stderr
    db = Database(database_url)
    assert {"rooms", "handled_events", "log_entries", "outbox"} <= set(
        inspect(db.engine).get_table_names()
    )
    db.close()


def test_bad_config_names_every_problem_and_exits_2(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[matrix]\nhomeserver = "nope"\n[bot]\nlanguage = "it"\n')
    result = wgbot("run", "--config", str(config))
    assert result.returncode == 2
    assert str(config) in result.stderr
    assert "[matrix] homeserver must be an http(s) URL" in result.stderr
    assert "[matrix] user_id is missing" in result.stderr
    assert "[bot] language must be one of en, fr, de" in result.stderr
    assert "Traceback" not in result.stderr
