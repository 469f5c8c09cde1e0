"""`wgbot demo` as a newcomer runs it: its own Synapse, the bot, scripted members, and nothing
left behind when it stops."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from html.parser import HTMLParser
from pathlib import Path

DEMO_TIMEOUT = 240.0


async def run_demo(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def removed_dir(stdout: str) -> Path:
    """The temporary directory the demo says it removed."""
    match = re.search(r"^Stopped; (\S+) removed\.$", stdout, re.M)
    assert match, stdout
    return Path(match.group(1))


def processes_using(path: Path) -> list[str]:
    """Command lines of running processes that mention path (Synapse, the bot)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(path) in cmdline:
                found.append(cmdline)
    return found


def left_behind(workdir: Path) -> tuple[bool, int]:
    """Whether the demo's directory is still there, and how many processes still use it."""
    return workdir.exists(), len(processes_using(workdir))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


async def test_demo_replays_a_plenary_writes_its_minutes_and_cleans_up(tmp_path):
    output = tmp_path / "minutes"
    demo = await run_demo("--replay", "--output", str(output), "--exit")
    stdout, stderr = await asyncio.wait_for(demo.communicate(), DEMO_TIMEOUT)
    out = stdout.decode()
    assert demo.returncode == 0, out + stderr.decode()

    files = {path.suffix: path for path in output.iterdir()}
    assert set(files) == {".md", ".html", ".json"}
    assert all(f"  minutes: {path}" in out for path in files.values())
    markdown = files[".md"].read_text(encoding="utf-8")
    assert markdown.startswith("# Procès-verbal : Plénière du groupe de travail")
    for organisation in ("MAEE", "ministère de la Justice", "Amnesty International Luxembourg"):
        assert organisation in markdown
    # Present by organisation, in the order the room named them; the CCDH only reacted ✅.
    present = markdown.split("**Présents**\n\n", 1)[1].split("\n\n", 1)[0]
    assert present.splitlines() == [
        "- **MAEE:** Marie Weis",
        "- **ministère de la Justice:** Jean Klein",
        "- **Amnesty International Luxembourg:** Paul Hansen",
        "- **ASTI:** Sofia Lopes",
        "- **CCDH:** Claire Reding",
    ]
    assert "- **Présidence:** Marie Weis (MAEE)" in markdown
    decisions = markdown.split("## Décisions", 1)[1].split("##", 1)[0]
    agreed = [
        "Préparer un projet pilote d'accueil temporaire",
        "Le groupe se réunit tous les 3 à 4 mois, en format hybride",
        "La collaboration passe par des salons Matrix chiffrés",
    ]
    assert decisions.strip().splitlines() == [
        f"- D{n} Décision : {text}" for n, text in enumerate(agreed, start=1)
    ]
    minutes = json.loads(files[".json"].read_text(encoding="utf-8"))
    assert minutes["language"] == "fr"
    assert minutes["decisions"] == agreed
    assert minutes["attendees"] == [
        "@maee:localhost",
        "@amnesty:localhost",
        "@asti:localhost",
        "@justice:localhost",
    ]
    assert minutes["attendee_names"] == ["Marie Weis", "Paul Hansen", "Sofia Lopes", "Jean Klein"]
    ccdh = minutes["present"]["organisations"][-1]["members"]
    assert [(p["user_id"], p["counted_by"]) for p in ccdh] == [("@ccdh:localhost", ["reaction"])]
    assert [action["assignees"] for action in minutes["actions"]] == [
        ["@amnesty:localhost"],
        ["ASTI", "MAEE"],
    ]
    assert minutes["actions"][0]["assignee_names"] == ["Paul Hansen"]
    page = _Text()
    page.feed(files[".html"].read_text(encoding="utf-8"))
    assert "script" not in page.tags
    assert "Le groupe se réunit tous les 3 à 4 mois, en format hybride" in "".join(page.text)

    assert left_behind(removed_dir(out)) == (False, 0)


async def test_ctrl_c_stops_the_demo_and_removes_everything(tmp_path):
    demo = await run_demo()
    assert demo.stdout is not None
    lines = []
    async with asyncio.timeout(DEMO_TIMEOUT):
        async for raw in demo.stdout:
            lines.append(raw.decode())
            if raw.startswith(b"Ctrl-C stops everything"):
                break
    printed = "".join(lines)
    assert re.search(r"^  homeserver  http://127\.0\.0\.1:\d+$", printed, re.M), printed
    assert re.search(r"^  user        you      \(full id @you:localhost\)$", printed, re.M)
    assert re.search(r"^  password    \S{12,}$", printed, re.M)
    workdir = Path(re.search(r"removes it \((\S+)\)\.", printed).group(1))
    assert left_behind(workdir) == (True, 2)  # Synapse and the bot

    os.kill(demo.pid, signal.SIGINT)
    rest, _stderr = await asyncio.wait_for(demo.communicate(), DEMO_TIMEOUT)
    assert demo.returncode == 0
    assert removed_dir(rest.decode()) == workdir
    assert left_behind(workdir) == (False, 0)
