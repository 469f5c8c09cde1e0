"""The operator's command line: `wgbot init`, `wgbot check`, `wgbot run`, `wgbot db upgrade`,
`wgbot when`, `wgbot export`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import datetime
from importlib.metadata import version

from bot.config import ConfigError, load_config
from bot.matrix import StartupError

QUIET_LOGGERS = ("nio", "peewee", "aiohttp", "alembic", "sqlalchemy", "apscheduler")
# Loggers that print what members wrote: nio's schema validation quotes the event or response
# it rejects (decrypted), and wgbot.traces holds whole tracebacks, exception messages included.
CONTENT_LOGGERS = ("nio.events", "nio.responses", "wgbot.traces")


class HidesContent(logging.Filter):
    """Drops records that may quote event content: below -vv the log holds none."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if any(name == hidden or name.startswith(hidden + ".") for hidden in CONTENT_LOGGERS):
            return False
        # nio.crypto quotes a decrypted to-device payload it cannot validate.
        return not (name.startswith("nio.") and "validat" in str(record.msg).lower())


def setup_logging(verbosity: int) -> None:
    """One line per event on stderr; -v for the bot's debug, -vv also for nio's (never at INFO)
    and for what may hold content (tracebacks, nio's validation errors)."""
    handler = logging.StreamHandler(sys.stderr)
    if verbosity < 2:
        handler.addFilter(HidesContent())
    logging.basicConfig(
        level=logging.DEBUG if verbosity else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[handler],
    )
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wgbot", description="E2EE Matrix bot for a working group."
    )
    parser.add_argument("--version", action="version", version=f"wgbot {version('wgbot')}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="debug logs (-vv: nio's too)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    from bot.init import add_init_arguments

    init = sub.add_parser(
        "init", help="write a config.toml and do the bot's first login (its only device)"
    )
    add_init_arguments(init)

    check = sub.add_parser(
        "check", help="say, line by line, what works and what does not (changes nothing)"
    )
    check.add_argument("--config", default="config.toml", help="path to config.toml")

    run = sub.add_parser("run", help="run the bot")
    run.add_argument("--config", required=True, help="path to config.toml")

    info = sub.add_parser(
        "info", help="show the bot's identity, to compare with what Element shows"
    )
    info.add_argument("--config", required=True, help="path to config.toml")

    when = sub.add_parser("when", help="show how a date/time phrase is understood (JSON)")
    when.add_argument("phrase", help='e.g. "next Tuesday 14:00 for 2h every 2 weeks"')
    when.add_argument("--lang", default="en", help="language of the phrase (en, fr, de)")
    when.add_argument("--tz", default="Europe/Luxembourg", help="IANA time zone")
    when.add_argument("--now", help="ISO time to read the phrase at (default: now)")

    export = sub.add_parser("export", help="write a room's structured log (JSON Lines or CSV)")
    export.add_argument("--config", required=True, help="path to config.toml")
    export.add_argument("--room", required=True, help="room id, e.g. !abc:example.org")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--since", help="ISO date or date-time (in the bot's time zone)")
    export.add_argument("--output", help="file to write (default: standard output)")

    demo = sub.add_parser(
        "demo", help="try the bot: a throwaway homeserver, a member account and an encrypted room"
    )
    from bot.demo import add_arguments

    add_arguments(demo)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply the database migrations")
    upgrade.add_argument("--config", required=True, help="path to config.toml")
    return parser


def identity(config) -> str:
    """User id, device id and the fingerprints a member compares when verifying the bot."""
    from bot.crosssigning import CrossSigningKeys, fingerprint, public_b64
    from bot.matrix import DataDir, restore

    data = DataDir(config.bot.data_dir)
    client = restore(config, data)
    device_key = client.olm.account.identity_keys["ed25519"]
    keys = CrossSigningKeys.load(data.cross_signing)
    master = (
        fingerprint(public_b64(keys.master)) if keys else "(not set up yet: start the bot once)"
    )
    return "\n".join(
        [
            f"user id:            {client.user_id}",
            f"device id:          {client.device_id}",
            f"device fingerprint: {fingerprint(device_key)}",
            f"master key:         {master}",
        ]
    )


def explain_when(phrase: str, lang: str, tz: str, now: str | None) -> int:
    """Print how a phrase is understood as JSON; exit status 1 with a reason if it is not."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from bot.when import HORIZON, WhenError, parse_when, when_to_json

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        print(f"unknown time zone: {tz!r} (an IANA name, e.g. Europe/Luxembourg)", file=sys.stderr)
        return 1
    try:
        moment = datetime.fromisoformat(now) if now else None
    except ValueError:
        print(f"--now is not an ISO date and time: {now!r}", file=sys.stderr)
        return 1
    try:
        when = parse_when(phrase, lang=lang, tz=zone, now=moment)
    except WhenError as exc:
        reasons = {
            "no_time": "it names a day but no time of day",
            "invalid_date": "that date does not exist",
            "out_of_range": f"it is more than {HORIZON.years} years away, or past the calendar",
        }
        reason = reasons.get(exc.reason, "no date or time found")
        print(f"cannot understand {phrase!r}: {reason}", file=sys.stderr)
        return 1
    print(json.dumps(when_to_json(when), ensure_ascii=False))
    return 0


def export_log(config, args) -> int:
    """Write the room's structured log; exit status 1 with the reason on bad input."""
    from bot.export import log_rows, parse_since, write
    from storage.db import Database

    try:
        since = parse_since(args.since, config.bot.timezone) if args.since else None
    except ValueError:
        print(f"--since is not an ISO date or date-time: {args.since!r}", file=sys.stderr)
        return 1
    db = Database(config.storage.url)
    db.upgrade()
    try:
        with db.transaction() as session:
            rows = log_rows(session, args.room, since)
            if args.output:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    count = write(rows, args.format, out)
            else:
                count = write(rows, args.format, sys.stdout)
    finally:
        db.close()
    logging.getLogger("wgbot").info("exported %d log entries of %s", count, args.room)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "when":  # needs no config, and prints only the answer
        return explain_when(args.phrase, args.lang, args.tz, args.now)
    setup_logging(args.verbose)
    log = logging.getLogger("wgbot")
    try:
        if args.command == "demo":  # needs no config: it makes its own, in a temporary directory
            from bot.demo import main as demo

            return demo(args)
        if args.command == "init":  # writes the config
            from bot.init import run_init

            return run_init(args)
        if args.command == "check":  # reports a config that does not load as one of its lines
            from bot.check import check

            return check(args.config)
        config = load_config(args.config)
        if args.command == "run":
            from bot.app import run

            asyncio.run(run(config))
        elif args.command == "info":
            print(identity(config))
        elif args.command == "export":
            return export_log(config, args)
        elif args.command == "db":
            from storage.db import Database

            db = Database(config.storage.url)
            db.upgrade()
            db.close()
            log.info("database is up to date")
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except StartupError as exc:
        log.error("cannot start: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
