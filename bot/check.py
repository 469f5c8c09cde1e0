"""`wgbot check`: tells the operator, line by line, what works and what does not — the homeserver,
the login, the device and its cross-signing, the crypto store, the database, the clock — without
ever making a device."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError, load_config
from bot.matrix import STORE_NAME, DataDir
from bot.preflight import Answer, Unreachable, errcode, load_credentials, probe, request

MAX_CLOCK_SKEW = timedelta(seconds=60)


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


def describe_skew(skew: timedelta) -> str:
    """How far our clock is from the homeserver's, as a sentence."""
    seconds = round(skew.total_seconds())
    if abs(seconds) <= 1:  # an HTTP date tells whole seconds only
        return "the local clock agrees with the homeserver's to the second"
    direction = "ahead of" if seconds > 0 else "behind"
    return f"the local clock is {abs(seconds)} s {direction} the homeserver's"


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
