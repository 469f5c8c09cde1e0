"""The operator's TOML configuration, validated into typed objects."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("en", "fr", "de")
TRUST_POLICIES = ("tofu", "cross-signed")


class ConfigError(Exception):
    """Every problem found in a config file, reported at once."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the configuration:\n{listing}")


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    password: str | None
    device_name: str

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]


@dataclass(frozen=True)
class BotConfig:
    data_dir: Path
    command_prefix: str
    timezone: str
    language: str
    allowed_inviters: tuple[str, ...]
    allow_unencrypted_rooms: bool
    chair_power_level: int
    # Weekly digest of open and overdue action items: (weekday 0=Monday, time), None = off.
    digest: tuple[int, time] | None = (0, time(9, 0))
    # Daily time of the due-day reminders of action items, None = off.
    action_reminders: time | None = time(9, 0)


@dataclass(frozen=True)
class SecurityConfig:
    trust: str
    refuse_public_rooms: bool
    undecryptable_grace_seconds: float


@dataclass(frozen=True)
class StorageConfig:
    url: str
    # The longest any room's log is kept (a ceiling for every room's retention); None = no limit.
    max_retention: timedelta | None = None


@dataclass(frozen=True)
class Config:
    matrix: MatrixConfig
    bot: BotConfig
    security: SecurityConfig
    storage: StorageConfig
    path: Path


class _Reader:
    """Reads typed keys out of a parsed TOML document, collecting problems instead of failing."""

    def __init__(self, doc: dict[str, Any]):
        self.doc = doc
        self.problems: list[str] = []
        self.known: dict[str, set[str]] = {}

    def get(self, section: str, key: str, kind: type, default: Any = ..., check=None) -> Any:
        self.known.setdefault(section, set()).add(key)
        table = self.doc.get(section, {})
        name = f"[{section}] {key}"
        if not isinstance(table, dict):
            self.problems.append(f"[{section}] must be a table")
            return None if default is ... else default
        if key not in table:
            if default is ...:
                self.problems.append(f"{name} is missing")
                return None
            return default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problems.append(f"{name} must be a {kind.__name__}, not {value!r}")
            return None
        if check is not None:
            message = check(value)
            if message:
                self.problems.append(f"{name} {message}")
                return None
        return value

    def unknown_keys(self) -> None:
        for section, table in self.doc.items():
            if section not in self.known:
                self.problems.append(f"[{section}] is not a known section")
            elif isinstance(table, dict):
                for key in table:
                    if key not in self.known[section]:
                        self.problems.append(f"[{section}] {key} is not a known key")


def _check_zone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"is not an IANA time zone: {value!r}"
    return None


def _check_user_id(value: str) -> str | None:
    if not (value.startswith("@") and ":" in value):
        return f"must look like @name:server, not {value!r}"
    return None


def _check_url(value: str) -> str | None:
    if not value.startswith(("http://", "https://")):
        return f"must be an http(s) URL, not {value!r}"
    return None


def _check_language(value: str) -> str | None:
    return None if value in LANGUAGES else f"must be one of {', '.join(LANGUAGES)}"


def _check_prefix(value: str) -> str | None:
    return None if value and not value.isspace() and " " not in value else "must be non-empty"


def _check_string_list(value: list) -> str | None:
    return None if all(isinstance(v, str) for v in value) else "must be a list of strings"


def _check_trust(value: str) -> str | None:
    return None if value in TRUST_POLICIES else f"must be one of {', '.join(TRUST_POLICIES)}"


def _check_positive(value: float) -> str | None:
    return None if value > 0 else "must be positive"


def _check_storage_url(value: str) -> str | None:
    if not value.startswith(("sqlite://", "postgresql")):
        return "must be a sqlite:// or postgresql+psycopg:// URL"
    return None


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def parse_clock(value: str) -> time | None:
    """A time of day like "09:00" (or "09:00:30"); None for "off". ValueError otherwise."""
    value = value.strip().lower()
    if value == "off":
        return None
    match = _CLOCK.match(value)
    if not match:
        raise ValueError(value)
    hours, minutes, seconds = match.groups()
    return time(int(hours), int(minutes), int(seconds or 0))


def parse_weekly(value: str) -> tuple[int, time] | None:
    """A weekly slot like "monday 09:00" (or "mon 9:00") as (weekday, time); None for "off"."""
    words = value.strip().lower().split()
    if words == ["off"]:
        return None
    if len(words) != 2:
        raise ValueError(value)
    days = [i for i, day in enumerate(WEEKDAYS) if len(words[0]) >= 3 and day.startswith(words[0])]
    at = parse_clock(words[1])
    if len(days) != 1 or at is None:
        raise ValueError(value)
    return days[0], at


# A duration as the operator and chairs write it: "30d", "30 days", "6 months", "1y", "12h";
# also in French and German ("30 jours", "6 mois", "1 an", "30 Tage", "6 Monate", "1 Jahr").
DURATION_UNITS = {
    timedelta(minutes=1): ("m", "min", "mins", "minute", "minutes", "minuten"),
    timedelta(hours=1): ("h", "hour", "hours", "heure", "heures", "stunde", "stunden"),
    timedelta(days=1): ("d", "day", "days", "j", "jour", "jours", "tag", "tage", "tagen"),
    timedelta(weeks=1): ("w", "week", "weeks", "semaine", "semaines", "woche", "wochen"),
    timedelta(days=30): ("mo", "month", "months", "mois", "monat", "monate", "monaten"),
    timedelta(days=365): ("y", "year", "years", "an", "ans", "année", "années", "jahr", "jahre"),
}
_UNIT = {word: size for size, words in DURATION_UNITS.items() for word in words}
_AMOUNT = re.compile(r"^([0-9]{1,6})\s*([^\W\d_]+)$")


def parse_duration(value: str) -> timedelta:
    """A duration like "30d", "30 days", "6 months", "1y", "12h" (one amount and unit);
    ValueError otherwise. A month is 30 days, a year 365."""
    match = _AMOUNT.match(value.strip().lower())
    if not match or match.group(2) not in _UNIT or int(match.group(1)) == 0:
        raise ValueError(value)
    return int(match.group(1)) * _UNIT[match.group(2)]


def _check_duration(value: str) -> str | None:
    if value.strip().lower() in ("", "off"):
        return None
    try:
        parse_duration(value)
    except ValueError:
        return f'must be a duration like "365d", "6 months" or "1y", not {value!r}'
    return None


def _check_clock(value: str) -> str | None:
    try:
        parse_clock(value)
    except ValueError:
        return f'must be a time of day like "09:00", or "off", not {value!r}'
    return None


def _check_weekly(value: str) -> str | None:
    try:
        parse_weekly(value)
    except ValueError:
        return f'must be a weekday and a time like "monday 09:00", or "off", not {value!r}'
    return None


def _resolve_sqlite(url: str, base: Path) -> str:
    """Make a relative SQLite path relative to the config file, not to the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + str((base / url[len(prefix) :]).resolve())
    return url


def load_config(path: Path | str) -> Config:
    """Read and validate a config file; raise ConfigError naming every bad key."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, ["the file does not exist"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None

    r = _Reader(doc)
    matrix = MatrixConfig(
        homeserver=r.get("matrix", "homeserver", str, check=_check_url),
        user_id=r.get("matrix", "user_id", str, check=_check_user_id),
        password=r.get("matrix", "password", str, None),
        device_name=r.get("matrix", "device_name", str, "wgbot"),
    )
    data_dir = r.get("bot", "data_dir", str, "./data")
    bot = BotConfig(
        data_dir=(path.parent / data_dir).resolve() if data_dir else Path("data"),
        command_prefix=r.get("bot", "command_prefix", str, "!", check=_check_prefix),
        timezone=r.get("bot", "timezone", str, "Europe/Luxembourg", check=_check_zone),
        language=r.get("bot", "language", str, "en", check=_check_language),
        allowed_inviters=tuple(
            r.get("bot", "allowed_inviters", list, [], check=_check_string_list) or ()
        ),
        allow_unencrypted_rooms=r.get("bot", "allow_unencrypted_rooms", bool, False),
        chair_power_level=r.get("bot", "chair_power_level", int, 50),
        digest=parse_weekly(
            r.get("bot", "digest", str, "monday 09:00", check=_check_weekly) or "off"
        ),
        action_reminders=parse_clock(
            r.get("bot", "action_reminders", str, "09:00", check=_check_clock) or "off"
        ),
    )
    security = SecurityConfig(
        trust=r.get("security", "trust", str, "tofu", check=_check_trust),
        refuse_public_rooms=r.get("security", "refuse_public_rooms", bool, True),
        undecryptable_grace_seconds=r.get(
            "security", "undecryptable_grace_seconds", float, 60.0, check=_check_positive
        ),
    )
    url = r.get("storage", "url", str, "sqlite:///./data/wgbot.db", check=_check_storage_url)
    ceiling = (r.get("storage", "max_retention", str, "", check=_check_duration) or "").strip()
    storage = StorageConfig(
        url=_resolve_sqlite(url, path.parent) if url else "",
        max_retention=None if ceiling.lower() in ("", "off") else parse_duration(ceiling),
    )
    r.unknown_keys()
    if r.problems:
        raise ConfigError(path, r.problems)
    return Config(matrix=matrix, bot=bot, security=security, storage=storage, path=path)
