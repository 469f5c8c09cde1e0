"""`wgbot check`'s database line, on SQLite and PostgreSQL: empty, behind, at the newest revision."""

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from bot.check import check_database
from storage.db import MIGRATIONS, Database


def test_the_database_line_follows_the_migrations(database_url):
    script = ScriptDirectory(str(MIGRATIONS))
    shown = make_url(database_url).render_as_string(hide_password=True)
    db = Database(database_url)
    try:
        if database_url.startswith("postgresql"):
            assert check_database(database_url).render() == (
                f"✗ database: {shown} has no tables yet; run: wgbot db upgrade --config …"
            )
        db.upgrade(script.get_base())
        behind = check_database(database_url)
        assert behind.ok is False
        assert f"is at revision {script.get_base()}, the latest is {script.get_current_head()}" in (
            behind.text
        )
        db.upgrade()
        assert check_database(database_url).render() == (
            f"✓ database: {shown} is migrated to the latest revision ({script.get_current_head()})"
        )
    finally:
        db.close()
