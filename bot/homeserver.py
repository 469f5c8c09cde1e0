"""A throwaway Synapse homeserver on loopback: `wgbot demo` and the integration tests run the bot
against it. Needs the `demo` (or `dev`) extra, which installs Synapse."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SERVER_NAME = "localhost"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

# Every rate limiter of Synapse 1.163 (synapse/config/ratelimiting.py) that takes
# per_second/burst_count; nested keys are "section.subkey". Tests and the demo's scripted
# members register users, create rooms and send messages much faster than a human, so all of
# them are effectively off (the server listens on loopback only).
# (rc_federation has another shape and federation is not served; there is no
# rc_send_to_device in this Synapse version.)
RATE_LIMITS = (
    "rc_message",
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_admin_redaction",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)
UNLIMITED = {"per_second": 1000, "burst_count": 1000}


@dataclass
class Homeserver:
    """A running Synapse process and where to reach it."""

    base_url: str
    server_name: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def log_path(self) -> Path:
        """Synapse's own log (WARNING and above)."""
        return self.data_dir / "homeserver.log"

    def user_id(self, localpart: str) -> str:
        """Full Matrix ID for a localpart on this server."""
        return f"@{localpart}:{self.server_name}"

    def stop(self) -> None:
        """Terminate Synapse: SIGTERM, then SIGKILL if it has not exited after 10 s."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def register(self, localpart: str, password: str) -> str:
        """Create an account without logging in (no device is made); its user id."""
        body = json.dumps(
            {
                "username": localpart,
                "password": password,
                "inhibit_login": True,
                "auth": {"type": "m.login.dummy"},
            }
        ).encode()
        request = urllib.request.Request(
            f"{self.base_url}/_matrix/client/v3/register",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["user_id"]


def free_port() -> int:
    """Ask the kernel for a currently unused loopback TCP port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def generate_config(data_dir: Path) -> Path:
    """Run Synapse's --generate-config into data_dir (keys, secrets) and return the yaml path."""
    config_path = data_dir / "homeserver.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "synapse.app.homeserver",
            "--server-name",
            SERVER_NAME,
            "--config-path",
            str(config_path),
            "--data-directory",
            str(data_dir),
            "--generate-config",
            "--report-stats=no",
        ],
        cwd=data_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"synapse --generate-config failed:\n{result.stdout}{result.stderr}")
    return config_path


def write_log_config(data_dir: Path) -> Path:
    """Write a logging config that sends WARNING+ to a file in data_dir, nothing to the console."""
    log_config = {
        "version": 1,
        "formatters": {
            "precise": {"format": "%(asctime)s - %(name)s - %(levelname)s - %(message)s"},
        },
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "precise",
                "filename": str(data_dir / "homeserver.log"),
                "encoding": "utf8",
            },
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }
    path = data_dir / "log_config.yaml"
    path.write_text(yaml.safe_dump(log_config))
    return path


def rewrite_config(
    config_path: Path, data_dir: Path, port: int, overrides: dict[str, Any] | None = None
) -> None:
    """Turn the generated config into a loopback-only, unthrottled, test-friendly one."""
    config: dict[str, Any] = yaml.safe_load(config_path.read_text())
    config["listeners"] = [
        {
            "port": port,
            "bind_addresses": ["127.0.0.1"],
            "type": "http",
            "tls": False,
            "x_forwarded": False,
            "resources": [{"names": ["client"], "compress": False}],
        }
    ]
    config["database"] = {"name": "sqlite3", "args": {"database": str(data_dir / "homeserver.db")}}
    config["media_store_path"] = str(data_dir / "media_store")
    config["log_config"] = str(write_log_config(data_dir))
    config["enable_registration"] = True
    config["enable_registration_without_verification"] = True
    config["trusted_key_servers"] = []
    config["suppress_key_server_warning"] = True
    config["report_stats"] = False
    # Synapse's default of 12 rounds costs ~0.2 s of CPU per registration; tests need no
    # password strength.
    config["bcrypt_rounds"] = 4
    for key in RATE_LIMITS:
        section, _, sub = key.partition(".")
        if sub:
            config.setdefault(section, {})[sub] = dict(UNLIMITED)
        else:
            config[section] = dict(UNLIMITED)
    config.update(overrides or {})
    config_path.write_text(yaml.safe_dump(config))


def log_tail(data_dir: Path, lines: int = 40) -> str:
    """Last lines of Synapse's log and console output, for error messages."""
    parts = []
    for name in ("homeserver.log", "console.log"):
        path = data_dir / name
        if path.exists():
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {name} ---\n" + "\n".join(text))
    return "\n".join(parts) or "(no log output)"


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], data_dir: Path) -> None:
    """Poll GET /health until 200; raise with the log tail if Synapse dies or times out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Synapse exited with code {process.returncode} during startup\n"
                + log_tail(data_dir)
            )
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        # No event to await: Synapse gives no readiness signal besides /health.
        time.sleep(0.1)
    raise TimeoutError(f"Synapse not healthy after {START_TIMEOUT:.0f} s\n" + log_tail(data_dir))


def launch(
    config_path: Path, data_dir: Path, port: int, *, own_session: bool = False
) -> Homeserver:
    """Start the Synapse process for config_path (not yet waiting for it to be ready).

    With own_session, a Ctrl-C in the terminal does not reach Synapse: whoever started it stops
    it, in its own order (the demo stops the bot first)."""
    # stdout/stderr go to a file: Synapse prints startup problems there before its
    # logging is configured, and the test output must stay clean.
    with (data_dir / "console.log").open("wb") as console:
        process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(config_path)],
            cwd=data_dir,
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=own_session,
        )
    return Homeserver(f"http://127.0.0.1:{port}", SERVER_NAME, process, data_dir)


def start_homeserver(
    workdir: Path,
    attempts: int = 3,
    overrides: dict[str, Any] | None = None,
    *,
    own_session: bool = False,
) -> Homeserver:
    """Generate a config in workdir, start Synapse on a free loopback port, wait until healthy."""
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    config_path = generate_config(workdir)
    generated = time.monotonic()
    for attempt in range(1, attempts + 1):
        port = free_port()
        rewrite_config(config_path, workdir, port, overrides)
        homeserver = launch(config_path, workdir, port, own_session=own_session)
        try:
            wait_healthy(homeserver.base_url, homeserver.process, workdir)
        except RuntimeError:
            homeserver.stop()
            # The port was free when picked but another process may have taken it since.
            if attempt < attempts and "Address already in use" in log_tail(workdir):
                continue
            raise
        except BaseException:
            homeserver.stop()
            raise
        homeserver.timings = {
            "generate": generated - started,
            "start": time.monotonic() - generated,
        }
        return homeserver
    raise AssertionError("unreachable")


@contextmanager
def running_homeserver(workdir: Path) -> Iterator[Homeserver]:
    """start_homeserver() as a context manager that always stops Synapse."""
    homeserver = start_homeserver(workdir)
    try:
        yield homeserver
    finally:
        homeserver.stop()
