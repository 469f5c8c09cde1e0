"""`wgbot init`: asks what it needs, writes a private config (only what differs from the defaults),
does the bot's first login (device keys, cross-signing) and creates the database."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import LANGUAGES, Config, ConfigError, load_config
from bot.matrix import DataDir, StartupError
from bot.preflight import Unreachable, load_credentials, probe, request

LOGIN_TIMEOUT_S = 120.0
DEFAULT_LANGUAGE = "en"
DEFAULT_TIMEZONE = "Europe/Luxembourg"


class InitError(Exception):
    """`wgbot init` stops; the message says why and what to do."""


def add_init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", default="config.toml", help="where to write it (default: ./config.toml)"
    )
    parser.add_argument("--homeserver", help="client-server API URL, e.g. https://matrix.org")
    parser.add_argument("--user", help="the bot's account, @name:server (create it first)")
    parser.add_argument(
        "--password-file",
        help="file holding the account's password ('-': standard input; default: ask)",
    )
    parser.add_argument(
        "--data-dir", help="the bot's private directory (default: data, beside the config)"
    )
    parser.add_argument("--language", help=f"default language of rooms: {', '.join(LANGUAGES)}")
    parser.add_argument("--timezone", help=f"default time zone of rooms ({DEFAULT_TIMEZONE})")


@dataclass(frozen=True)
class Answers:
    homeserver: str
    user_id: str
    data_dir: str  # as written in the config: relative to it, or absolute
    language: str
    timezone: str


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and TOML also wants DEL escaped."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def render_config(answers: Answers, written_at: datetime) -> str:
    """The config.toml `wgbot init` writes: only what differs from the defaults, and why."""
    data_dir = answers.data_dir.rstrip("/") or "/"
    return f"""\
# wgbot configuration, written by `wgbot init` on {written_at:%Y-%m-%d}. Keep it private (0600).
# Every key is described in the README, section "Configuration". Relative paths are relative
# to this file.

[matrix]
homeserver = {toml_string(answers.homeserver)}
user_id = {toml_string(answers.user_id)}
# No password: `wgbot init` did the bot's first login and kept its device in data_dir. Should
# data_dir be lost, add password = "…" here for one start (the bot becomes a new device).
device_name = "wgbot"

[bot]
# Crypto store, credentials, pickle key, cross-signing keys: private, and to be backed up.
data_dir = {toml_string(data_dir)}
language = {toml_string(answers.language)}
timezone = {toml_string(answers.timezone)}

[storage]
# SQLite in data_dir; for PostgreSQL: "postgresql+psycopg://user@host/dbname", then
# wgbot db upgrade --config <this file>
url = {toml_string(f"sqlite:///{data_dir}/wgbot.db")}
"""


def gather(args: argparse.Namespace, interactive: bool, ask: Callable[[str], str]) -> Answers:
    """The answers from the flags; in a terminal, what is missing is asked for."""

    def value(flag: str, given: str | None, question: str, default: str | None) -> str:
        if given:
            return given.strip()
        if not interactive:
            if default is None:
                raise InitError(f"--{flag} is missing (or run wgbot init in a terminal)")
            return default
        shown = f" [{default}]" if default else ""
        while True:
            answer = ask(f"{question}{shown}: ").strip() or default
            if answer:
                return answer

    homeserver = value(
        "homeserver", args.homeserver, "Homeserver URL (e.g. https://matrix.example.org)", None
    )
    user_id = value("user", args.user, "The bot's account (e.g. @wgbot:example.org)", None)
    data_dir = value("data-dir", args.data_dir, "Data directory", "./data")
    if data_dir != "./data" or args.data_dir:
        # Typed on the command line: relative to where the operator stands, not to the config.
        data_dir = str(Path(data_dir).expanduser().resolve())
    language = value("language", args.language, "Default language (en, fr, de)", DEFAULT_LANGUAGE)
    timezone = value("timezone", args.timezone, "Default time zone", DEFAULT_TIMEZONE)
    return Answers(homeserver.rstrip("/"), user_id, data_dir, language, timezone)


def read_password(args: argparse.Namespace, interactive: bool) -> str:
    """From --password-file ('-' for standard input), else asked without echo."""
    if args.password_file == "-":
        password = sys.stdin.readline().rstrip("\r\n")
    elif args.password_file:
        try:
            password = Path(args.password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InitError(f"cannot read --password-file: {exc.strerror}") from None
    elif interactive:
        password = getpass.getpass("The bot account's password (not shown, not stored): ")
    else:
        raise InitError("--password-file is missing (or run wgbot init in a terminal to be asked)")
    if not password:
        raise InitError("the password is empty")
    return password


def _validated(target: Path, text: str) -> tuple[Path, Config]:
    """Write the config beside its target, private, and load it back with the bot's own rules."""
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.init")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    try:
        return draft, load_config(draft)
    except ConfigError as exc:
        draft.unlink()
        listing = "\n".join(f"  - {p}" for p in exc.problems)
        raise InitError(f"these answers do not make a valid config:\n{listing}") from None


async def first_login(config: Config) -> tuple[str, str]:
    """The bot's first start up to its first sync: login, device keys, cross-signing; never a
    logout. Returns (user id, device id)."""
    from nio import WhoamiResponse

    from bot.matrix import connect

    client = await connect(config)
    try:
        whoami = await client.whoami()
        if not isinstance(whoami, WhoamiResponse):
            raise StartupError(f"the homeserver does not accept the login ({whoami.message})")
        return client.user_id, client.device_id
    finally:
        await client.close()


def init(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """`wgbot init`; exit status 0 when the config is written and the bot is logged in."""
    os.umask(0o077)  # the data directory, database and config: private, as `wgbot run` keeps them
    target = Path(args.config)
    if target.exists() or target.is_symlink():
        raise InitError(
            f"{target} already exists; wgbot init never overwrites a config. "
            f"Check it with: wgbot check --config {target}"
        )
    interactive = sys.stdin.isatty()
    answers = gather(args, interactive, input)
    draft, config = _validated(target, render_config(answers, datetime.now(UTC)))
    data = DataDir(config.bot.data_dir)
    created_data_dir = not data.path.exists()
    logged_in = False
    try:
        saved = load_credentials(data)
        if saved and saved.get("user_id") != config.matrix.user_id:
            raise InitError(
                f"{data.path} already holds the login of {saved.get('user_id')}; "
                "choose another --data-dir"
            )
        password = read_password(args, interactive)
        try:
            probe(config.matrix.homeserver)
        except Unreachable as exc:
            raise InitError(f"{config.matrix.homeserver} cannot be reached: {exc}") from None
        flows = request(config.matrix.homeserver, "/_matrix/client/v3/login").body.get("flows")
        if not saved and "m.login.password" not in {f.get("type") for f in flows or []}:
            raise InitError(
                f"{config.matrix.homeserver} does not offer password login; "
                "wgbot needs a password account"
            )
        with_password = dataclasses.replace(
            config, matrix=dataclasses.replace(config.matrix, password=password)
        )
        try:
            user_id, device_id = asyncio.run(
                asyncio.wait_for(first_login(with_password), LOGIN_TIMEOUT_S)
            )
        except StartupError as exc:
            raise InitError(str(exc)) from None
        except TimeoutError:
            raise InitError(
                f"no login after {LOGIN_TIMEOUT_S:.0f} s: the homeserver stopped answering"
            ) from None
        finally:
            logged_in = data.credentials.exists()
        from storage.db import Database

        db = Database(config.storage.url)
        db.upgrade()
        db.close()
        try:
            os.link(draft, target)  # never over a config that appeared meanwhile
        except FileExistsError:
            raise InitError(f"{target} appeared meanwhile; it was left as it is") from None
    except BaseException:
        if created_data_dir and not logged_in:
            shutil.rmtree(data.path, ignore_errors=True)
        raise
    finally:
        draft.unlink(missing_ok=True)
    out(f"Wrote {target} (readable by you only).")
    out(f"Logged in as {user_id}, device {device_id}; its keys and cross-signing are published.")
    out(f"The device's credentials and keys are in {data.path}: keep it private and backed up.")
    out("Next:")
    out(f"  wgbot check --config {target}")
    out(f"  wgbot run --config {target}")
    return 0


def run_init(args: argparse.Namespace) -> int:
    """`wgbot init` for the command line: a failure is one sentence on stderr, exit status 1."""
    try:
        return init(args)
    except InitError as exc:
        print(f"wgbot init: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\nwgbot init: stopped", file=sys.stderr)
        return 1
