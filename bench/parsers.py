"""How long the longest allowed command takes to parse, for every command and for parse_when.

Usage: python bench/parsers.py [--runs N]
       (from the repository root, in the dev virtualenv)

For each parser of the registry (every Command of commands.MODULES) and for parse_when in each
language, adversarial lines of the longest allowed length (MAX_COMMAND_LENGTH, 4,000 characters)
are parsed: a few words repeated after a head and before a tail, the shapes that once made a
parser quadratic. Printed: the worst line's time (best of N runs), and the ratio to the same
line cut to 100 characters (40 times longer: linear is about 40 or less, quadratic 1,600).
Then whole commands through the dispatcher (parse, handler, SQLite transaction) the same way.
Target: every parse well under a second; ratios that stay near 40.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import commands  # noqa: E402
from bot.dispatch import MAX_COMMAND_LENGTH, Defaults, Dispatcher, RoomEvent  # noqa: E402
from bot.features import Registry  # noqa: E402
from bot.parsing import UsageError  # noqa: E402
from bot.when import WhenError, parse_when  # noqa: E402
from storage.db import Database  # noqa: E402

SHORT = 100
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
# (head, repeated, tail): markers, connecting words, rejected candidates, separators.
LINES = [
    ("Test", "de 14h à ", ""),
    ("Test", "at 10:00 ", "at the Ministry"),
    ("Treffen", "im 3 Uhr bei ", ""),
    ("", "at ", "x 10:00"),
    ("10:00 x", "at ", ""),
    ("10:00 x", "and ", ""),
    ("", "um am ", "x um 10 Uhr"),
    ("@bob:example.org draft", "by Friday by ", "by"),
    ("", "@bob:example.org, ", "do it"),
    ("", "a, ", "b do it"),
    ('"Poll" "a" "b"', "--closes ", ""),
    ('"Plenary"', "tomorrow 10:00 | ", ""),
    ("", '"x" ', ""),
    ("", "le 31 ", ""),
    ("", "12/3 ", ""),
    ("", "3 December ", ""),
    ("", "in 99999999 days ", ""),
    ("", "1 ", ""),
    ("3", " ", "x"),
]


def line(head: str, unit: str, tail: str, length: int) -> str:
    room = max(0, length - len(head) - len(tail) - 2)
    return f"{head} {(unit * (room // len(unit) + 1))[:room]} {tail}"[:length]


def best(parse, text: str, runs: int) -> float:
    """Fastest of `runs` parses, in seconds (a UsageError or WhenError is an answer too)."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        try:
            parse(text)
        except (UsageError, WhenError):
            pass
        times.append(time.perf_counter() - began)
    return min(times)


def worst(parse, runs: int, length: int = MAX_COMMAND_LENGTH) -> tuple[float, float, str]:
    """(time of the slowest line at `length`, same line at 100 characters, that line's unit)."""
    results = []
    for head, unit, tail in LINES:
        slow = best(parse, line(head, unit, tail, length), runs)
        results.append((slow, best(parse, line(head, unit, tail, SHORT), runs), unit.strip()))
    return max(results)


def report(name: str, slow: float, quick: float, unit: str) -> None:
    print(
        f"  {name:28} {slow * 1000:8.2f} ms  {quick * 1000:7.3f} ms  x{slow / quick:6.1f}  {unit!r}"
    )


def parsers(runs: int) -> None:
    print(f"Parsers, longest line ({MAX_COMMAND_LENGTH} chars) vs {SHORT} chars, worst line:")
    by_parse: dict = {}
    for cmd in Registry(commands.MODULES).commands:
        by_parse.setdefault(cmd.parse, []).append(cmd.name)
    for parse, names in by_parse.items():
        report(", ".join(names)[:28], *worst(parse, runs))
    for lang in ("en", "fr", "de"):
        when = partial(parse_when, lang=lang, now=NOW)
        report(f"parse_when ({lang})", *worst(when, runs))


async def through_the_dispatcher(runs: int) -> None:
    """Whole commands: parse, handler (which reads the time phrase again), one transaction."""
    print("Whole commands through the dispatcher (SQLite), worst line:")
    defaults = Defaults("!", "en", "Europe/Luxembourg", 50, False)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        db.upgrade()
        dispatcher = Dispatcher(Registry(commands.MODULES), db, defaults, clock=lambda: NOW)
        count = 0

        async def run(text: str) -> None:
            nonlocal count
            count += 1
            event = RoomEvent(
                "!bench:example.org", f"$e{count}", "@alice:example.org", "m.room.message",
                {"msgtype": "m.text", "body": text}, NOW, True, True, 100,
            )  # fmt: skip
            await dispatcher.handle(event)

        for name in ("meeting add", "action", "findtime", "poll"):
            prefix = f"!{name} "
            results = []
            for head, unit, tail in LINES:
                times = {}
                for length in (MAX_COMMAND_LENGTH, SHORT):
                    text = prefix + line(head, unit, tail, length - len(prefix))
                    samples = []
                    for _ in range(runs):
                        began = time.perf_counter()
                        await run(text)
                        samples.append(time.perf_counter() - began)
                    times[length] = min(samples)
                results.append((times[MAX_COMMAND_LENGTH], times[SHORT], unit.strip()))
            report(f"!{name}", *max(results))
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    parse_when("le 3 décembre à 15h", lang="fr", now=NOW)  # dateparser loads its data once
    parsers(args.runs)
    asyncio.run(through_the_dispatcher(args.runs))


if __name__ == "__main__":
    main()
