"""Trust, as a member's client sees it: a cross-signed bot device, guards against plaintext."""

from __future__ import annotations

import subprocess
import sys

from botproc import BotProcess

from bot.crosssigning import device_cross_signed, fingerprint, only_key, query_keys


def wgbot_info(bot: BotProcess) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "info", "--config", str(bot.config_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(line.split(":", 1) for line in result.stdout.strip().splitlines()) | {}


async def bot_keys(member, bot: BotProcess) -> tuple[str, str, bool]:
    """The bot's master key, its device key, and whether the chain verifies — as a member sees them."""
    answer = await query_keys(member.client, [bot.user_id])
    device = answer["device_keys"][bot.user_id][bot.device_id]
    return (
        only_key(answer["master_keys"][bot.user_id]),
        device["keys"][f"ed25519:{bot.device_id}"],
        device_cross_signed(answer, bot.user_id, device),
    )


async def test_the_bot_device_is_cross_signed_and_stays_so(members, homeserver, tmp_path):
    alice = await members("alice")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    first_device = bot.device_id
    master, device_key, chain_ok = await bot_keys(alice, bot)
    assert chain_ok, "device <- self-signing key <- master key must verify"
    assert await bot.stop() == 0

    info = wgbot_info(bot)
    assert info["user id"] == bot.user_id
    assert info["device id"] == first_device
    assert info["device fingerprint"] == fingerprint(device_key)
    assert info["master key"] == fingerprint(master)

    # A restart changes nothing.
    await bot.start()
    assert await bot.stop() == 0
    assert bot.device_id == first_device
    assert await bot_keys(alice, bot) == (master, device_key, True)
    assert "uploaded cross-signing keys" not in bot.log.split("ready as")[-2]

    # The crypto store lost: a new device, signed under the same master key.
    (bot.data_dir / "store" / "crypto.db").unlink()
    await bot.start()
    assert await bot.stop() == 0
    assert bot.device_id != first_device
    new_master, _, chain_ok = await bot_keys(alice, bot)
    assert (new_master, chain_ok) == (master, True)
