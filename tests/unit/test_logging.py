"""The log below -vv holds no content: nio's loggers that quote events are filtered."""

import logging
import subprocess
import sys

import pytest

from bot.cli import HidesContent


def record(name: str, message: str) -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, message, (), None)


def test_loggers_that_quote_content_are_hidden():
    hides = HidesContent()
    assert not hides.filter(record("nio.events.misc", "Error validating event: ['secret']"))
    assert not hides.filter(record("nio.responses", "Error validating response: 'secret'"))
    assert not hides.filter(record("nio.crypto.log", "Error validating decrypted Olm event"))
    assert not hides.filter(record("wgbot.traces", "traceback of internal error 7f3a"))
    assert hides.filter(record("nio.crypto.log", "Missing session for device ABC"))
    assert hides.filter(record("bot.sync", "skipped a malformed m.room.message event $e"))


LOGS = """
import logging
from bot.cli import setup_logging
setup_logging({verbosity})
logging.getLogger("nio.events.misc").warning("Error validating event: ['SECRET1']")
logging.getLogger("nio.crypto.log").error("Error validating decrypted Olm event: 'SECRET2'")
logging.getLogger("wgbot.traces").debug("ValueError: SECRET3")
logging.getLogger("nio.crypto.log").warning("Missing session for device ABC")
"""


@pytest.mark.parametrize(("verbosity", "shown"), [(0, False), (1, False), (2, True)])
def test_only_minus_vv_shows_what_may_quote_content(verbosity, shown):
    run = subprocess.run(
        [sys.executable, "-c", LOGS.format(verbosity=verbosity)],
        capture_output=True,
        text=True,
        check=True,
    )
    for secret in ("SECRET1", "SECRET2", "SECRET3"):
        assert (secret in run.stderr) is shown
    assert "Missing session for device ABC" in run.stderr
