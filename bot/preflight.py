"""What `wgbot init` and `wgbot check` both read before the bot runs (never making a device): the
homeserver over plain HTTP — one request, why it did not answer, its clock — and the saved login."""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bot.matrix import DataDir

HTTP_TIMEOUT_S = 10.0

# The bot reaches its homeserver directly (nio ignores proxy variables), so the checks do too.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


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


def load_credentials(data: DataDir) -> dict[str, str] | None:
    """The saved login (None if there is none); ValueError if it cannot be read."""
    if not data.credentials.exists():
        return None
    saved = json.loads(data.credentials.read_text(encoding="utf-8"))
    if not isinstance(saved, dict) or not {"user_id", "device_id", "access_token"} <= set(saved):
        raise ValueError(data.credentials)
    return saved
