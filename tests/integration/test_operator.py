"""The operator's way in, against a real Synapse: `wgbot init` writes the config and makes the bot's
only device, `wgbot check` says what works without ever making one, `wgbot run` reuses it."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import termios
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nio
import pytest
from alembic.script import ScriptDirectory
from botproc import BotProcess
from nio.store import SqliteStore

from bot.homeserver import Homeserver, free_port
from storage.db import MIGRATIONS, Database

CHECKS = (
    "config",
    "homeserver",
    "login",
    "device",
    "cross-signing",
    "crypto store",
    "database",
    "clock",
)
COMMAND_TIMEOUT = 60.0


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def lines(self) -> dict[str, str]:
        """The check lines, {name: "✓ …"}."""
        found = {}
        for line in self.out.splitlines():
            match = re.match(r"^([✓✗–]) ([a-z -]+): ", line)
            if match:
                found[match.group(2)] = line
        return found


async def wgbot(*args: str, stdin: bytes = b"") -> Result:
    """`python -m bot …` as the operator types it; its exit status and what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), COMMAND_TIMEOUT)
    return Result(process.returncode, out.decode(), err.decode())


@dataclass
class Operator:
    """A bot account created as the README says, and the files `wgbot init` made for it."""

    homeserver: Homeserver
    workdir: Path
    user_id: str
    password: str

    @property
    def config(self) -> Path:
        return self.workdir / "config.toml"

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def bot(self) -> BotProcess:
        return BotProcess(config_path=self.config, data_dir=self.data_dir, user_id=self.user_id)

    @classmethod
    def register(cls, homeserver: Homeserver, workdir: Path) -> Operator:
        password = secrets.token_urlsafe(16)
        user_id = homeserver.register(f"wgbot{secrets.token_hex(4)}", password)
        workdir.mkdir(parents=True, exist_ok=True)
        return cls(homeserver, workdir, user_id, password)

    async def init(self, *extra: str, password: str | None = None) -> Result:
        """`wgbot init` with every answer as a flag, the password on standard input."""
        return await wgbot(
            "init",
            "--config",
            str(self.config),
            "--homeserver",
            self.homeserver.base_url,
            "--user",
            self.user_id,
            "--password-file",
            "-",
            "--data-dir",
            str(self.data_dir),
            "--language",
            "fr",
            "--timezone",
            "Europe/Paris",
            *extra,
            stdin=f"{password or self.password}\n".encode(),
        )

    def variant(self, tmp_path: Path, old: str, new: str) -> Path:
        """A copy of the config with one line changed."""
        text = self.config.read_text()
        assert old in text
        path = tmp_path / "variant.toml"
        path.write_text(text.replace(old, new))
        path.chmod(0o600)
        return path


@pytest.fixture(scope="module")
async def operator(homeserver: Homeserver, tmp_path_factory) -> Operator:
    """One account set up by `wgbot init` for the tests that only look at it."""
    operator = Operator.register(homeserver, tmp_path_factory.mktemp("operator"))
    result = await operator.init()
    assert result.code == 0, result.err
    return operator


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_init_writes_a_private_config_and_the_bots_only_device(operator):
    bot = operator.bot
    text = operator.config.read_text()
    assert mode(operator.config) == 0o600
    assert f'homeserver = "{operator.homeserver.base_url}"' in text
    assert f'user_id = "{operator.user_id}"' in text
    assert 'language = "fr"' in text and 'timezone = "Europe/Paris"' in text
    assert operator.password not in text  # used for the first login, never stored
    assert mode(operator.data_dir) == 0o700
    assert mode(operator.data_dir / "credentials.json") == 0o600
    assert bot.credentials["user_id"] == operator.user_id
    assert bot.server_devices() == [bot.device_id]
    assert (operator.data_dir / "cross_signing.json").exists()
    assert (operator.data_dir / "wgbot.db").exists()


async def test_init_never_overwrites_a_config(operator):
    before = operator.config.read_bytes()
    result = await operator.init("--language", "de")
    assert result.code == 1
    assert f"wgbot init: {operator.config} already exists" in result.err
    assert operator.config.read_bytes() == before
    assert operator.bot.server_devices() == [operator.bot.device_id]


async def test_check_passes_every_line_and_never_makes_a_device(operator):
    bot = operator.bot
    for _ in range(2):
        result = await wgbot("check", "--config", str(operator.config))
        assert result.code == 0, result.out
        lines = result.lines()
        assert tuple(lines) == CHECKS
        assert all(line.startswith("✓") for line in lines.values()), result.out
        assert result.out.splitlines()[-1] == "All 8 checks passed."
        assert f"device {bot.device_id}" in lines["login"]
        assert "master key " in lines["cross-signing"]
        assert bot.server_devices() == [bot.device_id]
    secrets_ = (operator.password, bot.credentials["access_token"])
    assert not any(s in result.out + result.err for s in secrets_)


async def test_run_reuses_the_device_init_made_and_check_passes_while_it_runs(operator):
    bot = operator.bot
    device_id = bot.device_id
    await bot.start()
    try:
        result = await wgbot("check", "--config", str(operator.config))
        assert result.code == 0, result.out
    finally:
        assert await bot.stop() == 0
    assert "first login" not in bot.log
    assert "uploaded cross-signing keys" not in bot.log
    assert bot.device_id == device_id
    assert bot.server_devices() == [device_id]


async def test_check_names_an_unreachable_homeserver(operator, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    config = operator.variant(tmp_path, operator.homeserver.base_url, url)
    result = await wgbot("check", "--config", str(config))
    assert result.code == 1
    lines = result.lines()
    assert lines["homeserver"] == (
        f"✗ homeserver: {url} cannot be reached: connection refused by 127.0.0.1 port "
        f"{url.rsplit(':', 1)[1]} (nothing listens there)"
    )
    for name in ("login", "device", "cross-signing", "clock"):
        assert lines[name].startswith(f"– {name}: not checked"), lines[name]
    for name in ("config", "crypto store", "database"):
        assert lines[name].startswith("✓"), lines[name]
    assert result.out.splitlines()[-1] == (
        "5 of 8 checks did not pass: homeserver, login, device, cross-signing, clock."
    )

    # A config holding a password must be private.
    config.write_text(
        config.read_text().replace("[matrix]\n", f'[matrix]\npassword = "{operator.password}"\n')
    )
    config.chmod(0o644)
    result = await wgbot("check", "--config", str(config))
    assert result.lines()["config"] == (
        f"✗ config: {config} holds a password and others may read it: chmod 600"
    )
    assert operator.password not in result.out + result.err


async def test_check_names_a_database_not_migrated(operator, tmp_path):
    script = ScriptDirectory(str(MIGRATIONS))
    first = script.get_base()
    old = tmp_path / "old.db"
    db = Database(f"sqlite:///{old}")
    db.upgrade(first)
    db.close()
    config = operator.variant(
        tmp_path, f"sqlite:///{operator.data_dir}/wgbot.db", f"sqlite:///{old}"
    )
    result = await wgbot("check", "--config", str(config))
    assert result.code == 1
    assert result.lines()["database"] == (
        f"✗ database: sqlite:///{old} is at revision {first}, the latest is "
        f"{script.get_current_head()}; run: wgbot db upgrade --config …"
    )
    assert result.out.splitlines()[-1] == "1 of 8 checks did not pass: database."

    missing = operator.variant(
        tmp_path, f"sqlite:///{operator.data_dir}/wgbot.db", f"sqlite:///{tmp_path}/none.db"
    )
    result = await wgbot("check", "--config", str(missing))
    assert result.code == 1
    assert "✗ database: " in result.out and "none.db does not exist yet" in result.out
    assert not (tmp_path / "none.db").exists()


async def test_check_names_a_crypto_store_that_does_not_open(operator, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(operator.data_dir, data_dir)
    (data_dir / "pickle_key").write_text(secrets.token_urlsafe(32))
    config = operator.variant(
        tmp_path, f'data_dir = "{operator.data_dir}"', f'data_dir = "{data_dir}"'
    )
    result = await wgbot("check", "--config", str(config))
    assert result.code == 1
    assert result.lines()["crypto store"] == (
        f"✗ crypto store: {data_dir}/store/crypto.db does not open with the key in "
        f"{data_dir}/pickle_key (wrong pickle key)"
    )
    assert result.out.splitlines()[-1] == "1 of 8 checks did not pass: crypto store."


async def test_check_names_every_bad_key_of_a_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[matrix]\nhomeserver = "matrix.example.org"\nuser_id = "@bot:example.org"\n'
        '[bot]\nlanguage = "it"\n'
    )
    result = await wgbot("check", "--config", str(config))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"✗ config: {config} does not load:",
        "    - [matrix] homeserver must be an http(s) URL, not 'matrix.example.org'",
        "    - [bot] language must be one of en, fr, de",
        "Fix the config first; nothing else was checked.",
    ]


def _post(url: str, body: dict, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


async def sign_in_elsewhere(operator: Operator, store: Path) -> nio.AsyncClient:
    """Someone signs in as the bot with an encrypting app (and forgets to sign out)."""
    await asyncio.to_thread(store.mkdir, parents=True)
    client = nio.AsyncClient(
        operator.homeserver.base_url,
        operator.user_id,
        store_path=str(store),
        config=nio.AsyncClientConfig(encryption_enabled=True, store=SqliteStore),
    )
    assert isinstance(
        await client.login(operator.password, device_name="Element"), nio.LoginResponse
    )
    assert isinstance(await client.keys_upload(), nio.KeysUploadResponse)
    return client


def change_password(operator: Operator, token: str, new_password: str) -> None:
    """Changing the account's password from another session: Synapse signs out every other
    device, the bot's included."""
    url = f"{operator.homeserver.base_url}/_matrix/client/v3/account/password"
    body = {"new_password": new_password, "logout_devices": True}
    status, answer = _post(url, body, token)
    assert status == 401, answer
    body["auth"] = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": operator.user_id},
        "password": operator.password,
        "session": answer["session"],
    }
    status, answer = _post(url, body, token)
    assert status == 200, answer


async def test_a_wrong_password_another_session_and_a_changed_password(homeserver, tmp_path):
    operator = Operator.register(homeserver, tmp_path / "operator")
    result = await operator.init(password="not the password")
    assert result.code == 1
    assert f"wgbot init: login as {operator.user_id} failed: Invalid username or password" in (
        result.err
    )
    assert not operator.config.exists()
    assert not operator.data_dir.exists()

    assert (await operator.init()).code == 0
    bot_device = operator.bot.device_id
    assert operator.bot.server_devices() == [bot_device]

    element = await sign_in_elsewhere(operator, tmp_path / "element")
    try:
        result = await wgbot("check", "--config", str(operator.config))
        assert result.code == 1
        assert result.lines()["device"] == (
            "✗ device: the account has other sessions with keys, which get the room keys members "
            f"share with the bot: {element.device_id} ('Element'); sign them out (in a Matrix app "
            "signed in as the bot: Settings, Sessions)"
        )

        change_password(operator, element.access_token, secrets.token_urlsafe(16))
    finally:
        await element.close()
    result = await wgbot("check", "--config", str(operator.config))
    assert result.code == 1
    lines = result.lines()
    assert lines["login"].startswith(
        "✗ login: the homeserver no longer accepts the saved login (M_UNKNOWN_TOKEN): "
        "the device was signed out, e.g. when the account's password was changed;"
    )
    assert lines["device"] == "– device: not checked: needs the login"
    assert lines["homeserver"].startswith("✓") and lines["crypto store"].startswith("✓")


def run_in_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run a command with a terminal of its own (as an operator's shell gives it), typing each
    answer when its prompt has appeared; its exit status and everything it showed."""
    main, child = os.openpty()

    def take_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        args,
        stdin=child,
        stdout=child,
        stderr=child,
        start_new_session=True,
        preexec_fn=take_terminal,
    )
    os.close(child)
    shown = b""
    answered_at = 0  # where the output stood when the last answer was typed
    pending = list(answers)
    try:
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closed: the command has exited
                break
            if not chunk:
                break
            shown += chunk
            if pending and shown[answered_at:].rstrip().endswith(b":"):
                os.write(main, pending.pop(0).encode() + b"\n")
                answered_at = len(shown)
        return process.wait(timeout=COMMAND_TIMEOUT), shown.decode()
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()


async def test_init_asks_for_what_is_missing_in_a_terminal(homeserver, tmp_path):
    operator = Operator.register(homeserver, tmp_path)
    answers = [homeserver.base_url, operator.user_id, "", "de", "", operator.password]
    code, shown = await asyncio.to_thread(
        run_in_terminal,
        [sys.executable, "-m", "bot", "init", "--config", str(operator.config)],
        answers,
    )
    assert code == 0, shown
    assert "Homeserver URL (e.g. https://matrix.example.org): " in shown
    assert "Data directory [./data]: " in shown
    assert "The bot account's password (not shown, not stored): " in shown
    assert operator.password not in shown  # not echoed
    text = operator.config.read_text()
    assert 'data_dir = "./data"' in text  # the default: beside the config
    assert 'language = "de"' in text and 'timezone = "Europe/Luxembourg"' in text
    assert operator.bot.server_devices() == [operator.bot.device_id]
