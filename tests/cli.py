"""The operator's command line, run as the operator runs it, for tests."""

import subprocess
import sys
from pathlib import Path


def wgbot(*args: str) -> subprocess.CompletedProcess:
    """`wgbot <args>` in a new process; what it printed and its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=120
    )


def config_for(database_url: str, folder: Path) -> Path:
    """The smallest config of a bot that uses this database, written in `folder`."""
    config = folder / "config.toml"
    config.write_text(
        f"""
[matrix]
homeserver = "https://matrix.example.org"
user_id = "@wgbot:example.org"

[storage]
url = "{database_url}"
"""
    )
    return config
