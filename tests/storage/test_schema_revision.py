"""The schema's revision is read without Alembic, which is loaded only when a migration is due."""

import subprocess
import sys

from alembic.config import Config
from alembic.script import ScriptDirectory

from storage.db import MIGRATIONS, Database, head_revision


def test_the_newest_migration_file_names_alembics_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_revision_of_an_empty_an_older_and_an_up_to_date_schema(database_url):
    db = Database(database_url)
    assert db.revision() is None
    db.upgrade("0001")
    assert db.revision() == "0001"
    db.upgrade()
    assert db.revision() == head_revision()
    db.close()


def test_starting_on_an_up_to_date_schema_does_not_load_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'wgbot.db'}"
    Database(url).upgrade()
    code = (
        "import sys; from storage.db import Database; "
        f"db = Database({url!r}); db.upgrade(); print(db.revision(), 'alembic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [head_revision(), "False"]
