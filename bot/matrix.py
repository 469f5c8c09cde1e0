"""The Matrix client: one device for the bot's whole life, its crypto store, its secrets."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import ssl
import stat
from dataclasses import dataclass
from pathlib import Path

from aiohttp import (
    ClientConnectionError,
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientResponse,
    ClientSSLError,
    ServerDisconnectedError,
)
from nio import AsyncClient, AsyncClientConfig, LoginResponse
from nio.store import SqliteStore

from bot import crosssigning
from bot.config import Config

log = logging.getLogger(__name__)

STORE_NAME = "crypto.db"


class StartupError(Exception):
    """The bot cannot start; the message tells the operator what to do."""


@dataclass(frozen=True)
class DataDir:
    """The private directory holding credentials, the pickle key and the crypto store."""

    path: Path

    @property
    def credentials(self) -> Path:
        return self.path / "credentials.json"

    @property
    def pickle_key_file(self) -> Path:
        return self.path / "pickle_key"

    @property
    def cross_signing(self) -> Path:
        return self.path / "cross_signing.json"

    @property
    def store(self) -> Path:
        return self.path / "store"

    def prepare(self) -> None:
        """Create the directory private to the bot (0700) and tighten what is already there."""
        for directory in (self.path, self.store):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.chmod(0o700)
        for entry in self.path.rglob("*"):
            if entry.is_file():
                entry.chmod(0o600)

    def write_secret(self, path: Path, text: str) -> None:
        """Write a file only the bot's user can read, atomically."""
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)

    def pickle_key(self) -> str:
        """The key encrypting the crypto store: random, made on first start, never nio's default."""
        if not self.pickle_key_file.exists():
            self.write_secret(self.pickle_key_file, secrets.token_urlsafe(32))
        return self.pickle_key_file.read_text(encoding="utf-8").strip()


def warn_if_config_exposed(config: Config) -> None:
    """A config file holding a password should be readable by its owner only."""
    if config.matrix.password and config.path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(
            "%s holds a password and is readable by other users; run: chmod 600 %s",
            config.path,
            config.path,
        )


# Answers of a proxy in front of a homeserver that is down or restarting.
UNAVAILABLE = frozenset({502, 503, 504})
MAX_RETRY_WAIT_S = 60


def unreachable_reason(error: BaseException) -> str:
    """Why a request did not reach the homeserver, in the operator's words."""
    os_error = getattr(error, "os_error", None)
    if isinstance(os_error, socket.gaierror):
        return f"DNS failure: {os_error.strerror or 'the host name does not resolve'}"
    if isinstance(error, ClientConnectorCertificateError):
        return "TLS error: the certificate is not valid"
    if isinstance(error, ClientSSLError) or isinstance(os_error, ssl.SSLError):
        return f"TLS error: {getattr(os_error, 'reason', None) or 'handshake failed'}"
    if isinstance(error, ClientConnectorError):
        if isinstance(os_error, ConnectionRefusedError):
            return "connection refused"
        return os_error.strerror or type(os_error).__name__
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ServerDisconnectedError):
        return "the server closed the connection"
    return type(error).__name__


class Client(AsyncClient):
    """nio's client, but a homeserver it cannot reach is waited for here, not inside nio.

    Every failed try is logged with the URL and the reason (refused, DNS, TLS, timeout), then
    tried again after 1, 2, 4… up to 60 s, until it works or the task is cancelled (the app
    cancels start-up steps when asked to stop). nio's own retry (which only says "Timed out")
    is off. Once `keep_trying` is False (shutting down) a failure is raised at once.
    """

    keep_trying = True

    async def send(self, method: str, path: str, data=None, *args, **kwargs) -> ClientResponse:
        failures = 0
        while True:
            try:
                response = await super().send(method, path, data, *args, **kwargs)
            except (ClientConnectionError, TimeoutError) as exc:
                # A streamed body (an upload) cannot be sent twice: nio's caller decides.
                if not self.keep_trying or not isinstance(data, str | bytes | None):
                    raise
                reason = unreachable_reason(exc)
            else:
                if response.status not in UNAVAILABLE or not self.keep_trying:
                    if failures:
                        log.info("the homeserver at %s answers again", self.homeserver)
                    return response
                response.release()
                reason = f"HTTP {response.status}"
            wait = min(2**failures, MAX_RETRY_WAIT_S)
            failures += 1
            log.warning(
                "cannot reach the homeserver at %s (%s); trying again in %d s",
                self.homeserver,
                reason,
                wait,
            )
            await asyncio.sleep(wait)


def make_client(config: Config, data: DataDir) -> Client:
    """A nio client on the bot's crypto store (not yet logged in)."""
    return Client(
        config.matrix.homeserver,
        config.matrix.user_id,
        store_path=str(data.store),
        config=AsyncClientConfig(
            encryption_enabled=True,
            store=SqliteStore,
            store_name=STORE_NAME,
            pickle_key=data.pickle_key(),
            store_sync_tokens=False,
            request_timeout=60,
            # Our Client.send waits for an unreachable homeserver; nio must not retry in silence.
            max_timeouts=0,
        ),
    )


def restore(config: Config, data: DataDir) -> AsyncClient:
    """The bot's client with its saved device and loaded crypto store, without network (for `info`)."""
    saved = _load_credentials(data)
    if not saved:
        raise StartupError(f"no saved login in {data.path}: run the bot once first")
    client = make_client(config, data)
    client.restore_login(saved["user_id"], saved["device_id"], saved["access_token"])
    return client


async def connect(config: Config) -> Client:
    """Log in the first time, restore the same device afterwards; the crypto store is loaded.

    Waits as long as the homeserver cannot be reached; cancel it to give up.
    """
    data = DataDir(config.bot.data_dir)
    data.prepare()
    client = make_client(config, data)
    try:
        await _start(client, config, data)
    except BaseException:
        await client.close()
        raise
    log.info("logged in as %s, device %s", client.user_id, client.device_id)
    return client


async def _start(client: Client, config: Config, data: DataDir) -> None:
    saved = _load_credentials(data)
    if saved and not (data.store / STORE_NAME).exists():
        # The device's keys are gone with the store: the old device can never decrypt again.
        log.warning("the crypto store is missing; logging in as a new device")
        saved = None
    try:
        if saved:
            client.restore_login(saved["user_id"], saved["device_id"], saved["access_token"])
        else:
            await _login(client, config, data)
    except StartupError:
        raise
    except Exception as exc:  # nio raises whatever the store's decoding raised
        raise StartupError(
            f"the crypto store could not be loaded ({type(exc).__name__}); "
            "refusing to run without it, as messages would go out unencrypted"
        ) from None
    if client.olm is None or client.store is None:
        raise StartupError("the crypto store could not be loaded; refusing to run without it")
    if client.should_upload_keys:
        await client.keys_upload()
    try:
        await crosssigning.bootstrap(
            client, data.cross_signing, config.matrix.password, data.write_secret
        )
    except crosssigning.CrossSigningError as exc:
        raise StartupError(str(exc)) from None


def _load_credentials(data: DataDir) -> dict | None:
    if not data.credentials.exists():
        return None
    return json.loads(data.credentials.read_text(encoding="utf-8"))


async def _login(client: AsyncClient, config: Config, data: DataDir) -> None:
    if not config.matrix.password:
        raise StartupError(
            f"no saved login in {data.path} and no [matrix] password in {config.path}: "
            "set the password for the first start"
        )
    response = await client.login(config.matrix.password, device_name=config.matrix.device_name)
    if not isinstance(response, LoginResponse):
        raise StartupError(f"login as {config.matrix.user_id} failed: {response.message}")
    data.write_secret(
        data.credentials,
        json.dumps(
            {
                "homeserver": config.matrix.homeserver,
                "user_id": response.user_id,
                "device_id": response.device_id,
                "access_token": response.access_token,
            }
        ),
    )
    log.info("first login done; credentials kept in %s", data.credentials)
