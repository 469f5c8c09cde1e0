"""Setting the bot up: `wgbot init` writes the config and does the bot's first login; `wgbot check`
tells the operator, line by line, what works and what does not — without ever making a device."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import json
import os
import shutil
import socket
import sqlite3
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from bot.config import LANGUAGES, Config, ConfigError, load_config
from bot.matrix import STORE_NAME, DataDir, StartupError

HTTP_TIMEOUT_S = 10.0
LOGIN_TIMEOUT_S = 120.0
MAX_CLOCK_SKEW = timedelta(seconds=60)
DEFAULT_LANGUAGE = "en"
DEFAULT_TIMEZONE = "Europe/Luxembourg"

# The bot reaches its homeserver directly (nio ignores proxy variables), so the checks do too.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- Talking to the homeserver ------------------------------------------------------------------


class Unreachable(Exception):
    """The homeserver did not answer; the message says why, in a few words."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    date: datetime | None  # the server's Date header
    local_at: datetime  # our clock, half-way through the request


def request(base_url: str, path: str, token: str | None = None, body: dict | None = None) -> Answer:
    """One client-server API call; HTTP errors are answers, network failures raise Unreachable."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base_url.rstrip("/") + path, data=data, headers=headers)
    sent = time.time()
    try:
        with _opener.open(req, timeout=HTTP_TIMEOUT_S) as response:
            status, raw, header_date = response.status, response.read(), response.headers["Date"]
    except urllib.error.HTTPError as exc:
        status, raw, header_date = exc.code, exc.read(), exc.headers["Date"]
    except (urllib.error.URLError, OSError) as exc:
        raise Unreachable(why_unreachable(base_url, exc)) from None
    local_at = datetime.fromtimestamp((sent + time.time()) / 2, UTC)
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return Answer(
        status, parsed if isinstance(parsed, dict) else {}, parse_http_date(header_date), local_at
    )


def why_unreachable(url: str, exc: BaseException) -> str:
    """A short reason for a failed connection: DNS, refused, TLS, timeout, or the system's words."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    host = urllib.parse.urlsplit(url).hostname or url
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if isinstance(reason, socket.gaierror):
        return f"DNS: the name {host} does not resolve ({reason.strerror or reason})"
    if isinstance(reason, ConnectionRefusedError):
        return f"connection refused by {host} port {port} (nothing listens there)"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS: the certificate of {host} is not valid ({reason.verify_message})"
    if isinstance(reason, ssl.SSLError):
        return f"TLS: {reason.reason or reason}"
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"no answer from {host} within {HTTP_TIMEOUT_S:.0f} s (timeout)"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP Date header as an aware UTC time, or None."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def describe_skew(skew: timedelta) -> str:
    """How far our clock is from the homeserver's, as a sentence."""
    seconds = round(skew.total_seconds())
    if abs(seconds) <= 1:  # an HTTP date tells whole seconds only
        return "the local clock agrees with the homeserver's to the second"
    direction = "ahead of" if seconds > 0 else "behind"
    return f"the local clock is {abs(seconds)} s {direction} the homeserver's"


def probe(base_url: str) -> Answer:
    """GET /versions: raises Unreachable unless a Matrix homeserver answers there."""
    answer = request(base_url, "/_matrix/client/versions")
    if answer.status != 200 or not isinstance(answer.body.get("versions"), list):
        raise Unreachable(
            f"HTTP {answer.status} and no Matrix answer on /_matrix/client/versions: "
            "is this the client-server API address of the homeserver?"
        )
    return answer


def errcode(answer: Answer) -> str:
    return str(answer.body.get("errcode") or f"HTTP {answer.status}")


# --- wgbot check ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of `wgbot check`: passed (True), failed (False) or not checked (None)."""

    name: str
    ok: bool | None
    text: str

    def render(self) -> str:
        mark = {True: "✓", False: "✗", None: "–"}[self.ok]
        return f"{mark} {self.name}: {self.text}"


def passed(name: str, text: str) -> Line:
    return Line(name, True, text)


def failed(name: str, text: str) -> Line:
    return Line(name, False, text)


def skipped(name: str, text: str) -> Line:
    return Line(name, None, f"not checked: {text}")


def load_credentials(data: DataDir) -> dict[str, str] | None:
    """The saved login (None if there is none); ValueError if it cannot be read."""
    if not data.credentials.exists():
        return None
    saved = json.loads(data.credentials.read_text(encoding="utf-8"))
    if not isinstance(saved, dict) or not {"user_id", "device_id", "access_token"} <= set(saved):
        raise ValueError(data.credentials)
    return saved


def open_account(data: DataDir, user_id: str, device_id: str):
    """The device's Olm account from the crypto store, read-only; raises ValueError if it cannot.

    Opening the store through nio would create a fresh account (and a store file) where none
    matches: the check must never write, so it reads nio's `accounts` table itself."""
    from nio.crypto import OlmAccount

    store = data.store / STORE_NAME
    if not store.exists():
        raise ValueError(f"{store} is missing: the next start logs in as a new device")
    if not data.pickle_key_file.exists():
        raise ValueError(f"{data.pickle_key_file} is missing: the crypto store cannot be opened")
    pickle_key = data.pickle_key_file.read_text(encoding="utf-8").strip()
    connection = sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT account, shared FROM accounts WHERE user_id = ? AND device_id = ?",
            (user_id, device_id),
        ).fetchone()
    except sqlite3.Error as exc:
        raise ValueError(f"{store} is not a readable crypto store ({exc})") from None
    finally:
        connection.close()
    if row is None:
        raise ValueError(f"{store} holds no keys for device {device_id}")
    try:
        return OlmAccount.from_pickle(bytes(row[0]), pickle_key, bool(row[1]))
    except ValueError:
        raise ValueError(
            f"{store} does not open with the key in {data.pickle_key_file} (wrong pickle key)"
        ) from None


def check_database(url: str) -> Line:
    """The schema's revision against the newest migration this version of wgbot knows."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import MIGRATIONS

    name = "database"
    shown = make_url(url).render_as_string(hide_password=True)
    upgrade = "run: wgbot db upgrade --config …"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return failed(name, f"{shown} does not exist yet; {upgrade}")
    script = ScriptDirectory(str(MIGRATIONS))
    heads = set(script.get_heads())
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
        return failed(name, f"cannot read {shown}: {reason}")
    finally:
        engine.dispose()
    if current == heads:
        return passed(name, f"{shown} is migrated to the latest revision ({', '.join(heads)})")
    if not current:
        return failed(name, f"{shown} has no tables yet; {upgrade}")
    unknown = [r for r in current if script.get_revision(r) is None]
    if unknown:
        return failed(
            name,
            f"{shown} is at revision {', '.join(unknown)}, which this version of wgbot does "
            "not know (was it migrated by a newer wgbot?)",
        )
    return failed(
        name,
        f"{shown} is at revision {', '.join(sorted(current))}, the latest is "
        f"{', '.join(heads)}; {upgrade}",
    )


def check_lines(config: Config) -> list[Line]:
    """Every check after the config's own, in the order the operator reads them."""
    data = DataDir(config.bot.data_dir)
    try:
        versions = probe(config.matrix.homeserver)
        reachable = passed(
            "homeserver", f"{config.matrix.homeserver} answers as a Matrix homeserver"
        )
    except Unreachable as exc:
        versions = None
        reachable = failed("homeserver", f"{config.matrix.homeserver} cannot be reached: {exc}")
    try:
        saved = load_credentials(data)
    except ValueError:
        saved = None
        login, token = failed("login", f"{data.credentials} cannot be read"), None
    else:
        login, token = login_line(config, data, saved, versions is not None)
    account, store = store_line(data, config.matrix.user_id, saved)
    if token is None or saved is None:
        device = [skipped("device", "needs the login"), skipped("cross-signing", "needs the login")]
    else:
        device = device_lines(config, data, token, saved["device_id"], account)
    return [
        reachable,
        login,
        *device,
        store,
        check_database(config.storage.url),
        clock_line(versions),
    ]


def login_line(
    config: Config, data: DataDir, saved: dict[str, str] | None, reachable: bool
) -> tuple[Line, str | None]:
    """Whether the homeserver still accepts the saved login (whoami: no device is made); with the
    access token when it does."""
    name, user_id = "login", config.matrix.user_id
    if saved is None:
        return failed(
            name,
            f"not logged in yet: no saved login in {data.path}; "
            "run: wgbot init (or start the bot once)",
        ), None
    if saved.get("user_id") != user_id:
        return failed(
            name,
            f"the login saved in {data.path} is {saved.get('user_id')}'s, "
            f"but the config names {user_id}",
        ), None
    if not reachable:
        return skipped(name, "the homeserver cannot be reached"), None
    token = saved["access_token"]
    whoami = request(config.matrix.homeserver, "/_matrix/client/v3/account/whoami", token)
    if whoami.status == 200 and whoami.body.get("user_id") == user_id:
        return passed(
            name, f"the saved login is accepted: {user_id}, device {saved['device_id']}"
        ), token
    if whoami.status == 401:
        return failed(
            name,
            f"the homeserver no longer accepts the saved login ({errcode(whoami)}): "
            "the device was signed out, e.g. when the account's password was changed; "
            f"to log in again as a new device, remove {data.credentials}, "
            "put the account's password in the config ([matrix] password) and start the bot",
        ), None
    return failed(name, f"whoami failed ({errcode(whoami)})"), None


def store_line(data: DataDir, user_id: str, saved: dict[str, str] | None) -> tuple[Any, Line]:
    """The device's Olm account (None if it cannot be read), and the line saying so."""
    from bot.crosssigning import fingerprint

    name = "crypto store"
    if not saved or "device_id" not in saved:
        return None, skipped(name, "there is no saved login")
    try:
        account = open_account(data, user_id, saved["device_id"])
    except ValueError as exc:
        return None, failed(name, str(exc))
    device_key = fingerprint(account.identity_keys["ed25519"])
    return account, passed(name, f"opens with its pickle key; device fingerprint {device_key}")


def clock_line(answer: Answer | None) -> Line:
    """Our clock against the Date of the homeserver's answer."""
    if answer is None:
        return skipped("clock", "the homeserver cannot be reached")
    if answer.date is None:
        return failed("clock", "the homeserver sent no Date header to compare with")
    skew = answer.local_at - answer.date
    sentence = describe_skew(skew)
    if abs(skew) > MAX_CLOCK_SKEW:
        return failed(
            "clock", f"{sentence}: set the time right (NTP), or reminders go out at the wrong time"
        )
    return passed("clock", sentence)


def device_lines(config: Config, data: DataDir, token: str, device_id: str, account) -> list[Line]:
    """The device on the server (with the store's keys), and the cross-signing chain over it."""
    homeserver, user_id = config.matrix.homeserver, config.matrix.user_id
    listed = request(homeserver, "/_matrix/client/v3/devices", token)
    keys = request(
        homeserver, "/_matrix/client/v3/keys/query", token, {"device_keys": {user_id: []}}
    )
    if listed.status != 200 or keys.status != 200:
        failure = errcode(listed if listed.status != 200 else keys)
        return [
            failed("device", f"the homeserver did not list the account's devices ({failure})"),
            skipped("cross-signing", "the devices are not known"),
        ]
    published = keys.body.get("device_keys", {}).get(user_id, {}).get(device_id)
    return [
        device_line(listed.body.get("devices", []), keys.body, user_id, device_id, account),
        cross_signing_line(data, keys.body, user_id, published, device_id),
    ]


def device_line(
    devices: list[dict], answer: dict[str, Any], user_id: str, device_id: str, account
) -> Line:
    """Our device listed with the store's keys, and no other session of the account that could
    read what members send the bot."""
    name = "device"
    with_keys = answer.get("device_keys", {}).get(user_id, {})
    others = {d.get("device_id"): d.get("display_name") for d in devices}
    if device_id not in others:
        return failed(name, f"{device_id} is not among the account's devices (deleted?)")
    del others[device_id]
    published = with_keys.get(device_id)
    if not published:
        return failed(
            name, f"{device_id} exists but its keys are not published: start the bot once"
        )
    published_key = published.get("keys", {}).get(f"ed25519:{device_id}")
    if account and published_key != account.identity_keys["ed25519"]:
        return failed(
            name,
            f"the server holds other keys for {device_id} than the crypto store: "
            "the store does not belong to this device",
        )

    def named(ids: list[str]) -> str:
        return ", ".join(f"{i} ({others[i]!r})" if others[i] else i for i in sorted(ids))

    keyed = [i for i in others if i in with_keys]
    if keyed:
        return failed(
            name,
            f"the account has other sessions with keys, which get the room keys members share "
            f"with the bot: {named(keyed)}; sign them out (in a Matrix app signed in as the bot: "
            "Settings, Sessions)",
        )
    text = f"{device_id} exists on the server with its keys published"
    if others:
        text += f"; also signed in, without keys: {named(list(others))}"
    return passed(name, text)


def cross_signing_line(
    data: DataDir, answer: dict[str, Any], user_id: str, published: dict | None, device_id: str
) -> Line:
    """Our master key published, certifying our device through the self-signing key."""
    from bot.crosssigning import (
        CrossSigningKeys,
        device_cross_signed,
        fingerprint,
        only_key,
        public_b64,
    )

    name = "cross-signing"
    ours = CrossSigningKeys.load(data.cross_signing)
    server_master = only_key(answer.get("master_keys", {}).get(user_id, {}))
    if ours is None:
        return failed(name, f"no keys in {data.cross_signing}: start the bot once")
    if server_master is None:
        return failed(name, "no master key is published: start the bot once")
    if server_master != public_b64(ours.master):
        return failed(
            name,
            f"the published master key is not the one in {data.cross_signing} "
            "(someone else set up cross-signing for this account?)",
        )
    if not (published and device_cross_signed(answer, user_id, published)):
        return failed(name, f"device {device_id} is not signed by the self-signing key")
    return passed(
        name,
        f"master key {fingerprint(server_master)} is published and certifies device {device_id}",
    )


def check(config_path: str, out: Callable[[str], None] = print) -> int:
    """`wgbot check`: one line per check; exit status 0 only if every check passed."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        out(failed("config", f"{exc.path} does not load:").render())
        for problem in exc.problems:
            out(f"    - {problem}")
        out("Fix the config first; nothing else was checked.")
        return 1
    exposed = config.matrix.password and config.path.stat().st_mode & 0o077
    lines = [
        failed("config", f"{config.path} holds a password and others may read it: chmod 600")
        if exposed
        else passed("config", f"{config.path} loads")
    ]
    lines.extend(check_lines(config))
    for line in lines:
        out(line.render())
    bad = [line.name for line in lines if not line.ok]
    if bad:
        out(f"{len(bad)} of {len(lines)} checks did not pass: {', '.join(bad)}.")
        return 1
    out(f"All {len(lines)} checks passed.")
    return 0


# --- wgbot init ------------------------------------------------------------------------------


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
