"""Fixtures shared by every test folder."""

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from storage.db import Database

POSTGRES_URL = os.environ.get("WGBOT_TEST_DATABASE_URL")


def _reset_postgres(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="WGBOT_TEST_DATABASE_URL not set"),
        ),
    ]
)
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database: SQLite always, PostgreSQL when WGBOT_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wgbot.db'}"
        return
    db = Database(POSTGRES_URL)
    _reset_postgres(db)
    db.close()
    yield POSTGRES_URL


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    """A migrated database."""
    database = Database(database_url)
    database.upgrade()
    yield database
    database.close()
