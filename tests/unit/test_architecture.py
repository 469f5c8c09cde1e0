"""The shape the code keeps: features declare everything, the app only walks the registry, and
only the runners write the outbox."""

import ast
from pathlib import Path

import pytest

import commands
from bot.features import Registry, Timer
from bot.replies import PurposeKind

ROOT = Path(__file__).resolve().parents[2]


def imported(path: Path) -> set[str]:
    """The modules a file imports (absolute imports only: the project uses no others)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_in_bot_imports_a_feature_module():
    for path in sorted((ROOT / "bot").rglob("*.py")):
        features = {name for name in imported(path) if name.startswith("commands.")}
        assert features == set(), path


def test_no_feature_imports_another():
    """What two features (or two parts of one) share lives in bot/."""
    for path in sorted((ROOT / "commands").glob("*.py")):
        if path.name != "__init__.py":
            assert not {n for n in imported(path) if n.startswith("commands")}, path


def test_no_renderer_reads_the_wall_clock():
    for folder in ("bot/minutes", "commands"):
        for path in sorted((ROOT / folder).glob("*.py")):
            text = path.read_text(encoding="utf-8")
            assert "datetime.now(" not in text and "utcnow(" not in text, path


def test_no_feature_writes_the_outbox():
    for path in sorted((ROOT / "commands").glob("*.py")):
        assert "storage.outbox" not in imported(path), path


def test_the_registry_holds_every_declaration_once():
    registry = Registry(commands.MODULES)
    assert sorted(t.kind for t in registry.timers) == [
        "action-round",
        "agenda-call",
        "circulation",
        "findtime-close",
        "findtime-remind",
        "poll-close",
        "poll-remind",
        "reminder",
        "retention",
        "silence",
    ]
    # Every purpose a feature gives a message is recorded once sent, by exactly one hook.
    assert sorted(h.kind for h in registry.sent_hooks) == sorted(PurposeKind)
    assert [w.name for w in registry.workers] == ["poll-upkeep"]
    assert len(registry.start_hooks) == 3


def test_a_timer_kind_declared_twice_fails_at_start():
    first = Timer("twice", lambda session: None, lambda *args: [])

    class Feature:
        pass

    module = Feature()
    module.one, module.two = first, Timer("twice", lambda session: None, lambda *args: [])
    with pytest.raises(ValueError, match="declared twice"):
        Registry([module])
