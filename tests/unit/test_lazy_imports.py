"""Libraries one command (or a migration) needs are loaded then, not by every running bot."""

import subprocess
import sys

# Each costs resident memory in every bot from the moment it is imported (bench/rooms.py).
LOADED_ON_DEMAND = ("jinja2", "icalendar", "alembic", "mako")


def test_importing_the_bot_loads_no_library_only_one_command_or_a_migration_needs():
    code = (
        f"import sys, bot.app; print(' '.join(m for m in {LOADED_ON_DEMAND!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == []
