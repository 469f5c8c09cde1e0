"""Fixtures for end-to-end tests against a real Synapse with real encrypting nio clients."""

# tests/integration is not a package: pytest puts this directory on sys.path, so the
# harness modules are imported by their bare names.

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from botproc import BotProcess
from members import Member, MemberFactory

from bot.homeserver import Homeserver, running_homeserver


@pytest.fixture(scope="session")
def homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    """One Synapse for the whole session (its dir and log are kept by pytest's tmp retention)."""
    with running_homeserver(tmp_path_factory.mktemp("synapse")) as hs:
        yield hs


@pytest.fixture
async def members(homeserver: Homeserver, tmp_path: Path) -> AsyncIterator[MemberFactory]:
    """Factory registering fresh encrypting users for this test; closes them all afterwards."""
    made: list[Member] = []

    async def make(name: str) -> Member:
        """Register a new member called name (made unique on the server)."""
        member = await Member.register(homeserver, name, tmp_path / "stores")
        made.append(member)
        return member

    yield make
    for member in made:
        await member.close()


# ---------------------------------------------------------------------------------------
# Bot fixtures (the bot process and its account) go below this line.
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def bot(
    homeserver: Homeserver, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    """One bot per test module, for tests that do not restart it; each test has its own room."""
    process = BotProcess.create(homeserver, tmp_path_factory.mktemp("bot"))
    await process.start()
    yield process
    assert await process.stop() == 0
