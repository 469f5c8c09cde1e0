"""Cross-signing (matrix-nio 0.26 has none): the bot's master, self-signing and user-signing keys.

Element excludes devices their owner has not cross-signed (MSC4153), so the bot signs its own device
with a self-signing key certified by its master key; members verify that master key once.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nio import AsyncClient

log = logging.getLogger(__name__)

USAGES = ("master", "self_signing", "user_signing")


def b64(data: bytes) -> str:
    """Unpadded standard base64, as Matrix uses for keys and signatures."""
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def canonical_json(value: dict[str, Any]) -> bytes:
    """Matrix canonical JSON of an object, without its `signatures` and `unsigned`."""
    stripped = {k: v for k, v in value.items() if k not in ("signatures", "unsigned")}
    return json.dumps(stripped, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def public_b64(key: Ed25519PrivateKey) -> str:
    return b64(
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def sign(value: dict[str, Any], user_id: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A copy of `value` with this key's signature added."""
    signature = b64(key.sign(canonical_json(value)))
    signed = dict(value)
    signatures = {u: dict(s) for u, s in value.get("signatures", {}).items()}
    signatures.setdefault(user_id, {})[f"ed25519:{public_b64(key)}"] = signature
    signed["signatures"] = signatures
    return signed


def verify(value: dict[str, Any], user_id: str, public_key: str) -> bool:
    """Whether `value` carries a valid signature by the Ed25519 key `public_key` of `user_id`."""
    signature = value.get("signatures", {}).get(user_id, {}).get(f"ed25519:{public_key}")
    if not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_key)).verify(
            unb64(signature), canonical_json(value)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def only_key(key_object: dict[str, Any]) -> str | None:
    """The public key of a cross-signing key object (it holds exactly one)."""
    keys = list(key_object.get("keys", {}).values())
    return keys[0] if len(keys) == 1 else None


def fingerprint(public_key: str) -> str:
    """A key as Element shows it: groups of four characters."""
    return " ".join(public_key[i : i + 4] for i in range(0, len(public_key), 4))


@dataclass(frozen=True)
class CrossSigningKeys:
    master: Ed25519PrivateKey
    self_signing: Ed25519PrivateKey
    user_signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> CrossSigningKeys:
        return cls(
            Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        )

    @classmethod
    def load(cls, path: Path) -> CrossSigningKeys | None:
        if not path.exists():
            return None
        seeds = json.loads(path.read_text(encoding="utf-8"))
        return cls(*(Ed25519PrivateKey.from_private_bytes(unb64(seeds[u])) for u in USAGES))

    def dump(self) -> str:
        raw = (
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return json.dumps({u: b64(getattr(self, u).private_bytes(*raw)) for u in USAGES})

    def key_objects(self, user_id: str) -> dict[str, dict[str, Any]]:
        """The three public key objects, the sub-keys signed by the master key."""

        def key_object(usage: str) -> dict[str, Any]:
            public = public_b64(getattr(self, usage))
            return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{public}": public}}

        return {
            "master_key": key_object("master"),
            "self_signing_key": sign(key_object("self_signing"), user_id, self.master),
            "user_signing_key": sign(key_object("user_signing"), user_id, self.master),
        }


class CrossSigningError(Exception):
    """The homeserver refused the cross-signing keys or signatures."""


async def _request(client: AsyncClient, method: str, path: str, body: dict) -> tuple[int, dict]:
    response = await client.send(
        method,
        f"/_matrix/client/v3/{path}",
        json.dumps(body),
        headers={
            "Authorization": f"Bearer {client.access_token}",
            "Content-Type": "application/json",
        },
    )
    return response.status, await response.json()


async def query_keys(client: AsyncClient, user_ids: list[str]) -> dict[str, Any]:
    """The raw /keys/query answer (nio keeps no cross-signing keys from it)."""
    status, answer = await _request(
        client, "POST", "keys/query", {"device_keys": {u: [] for u in user_ids}}
    )
    if status != 200:
        raise CrossSigningError(f"keys/query failed: {answer.get('errcode', status)}")
    return answer


async def _upload_keys(client: AsyncClient, keys: CrossSigningKeys, password: str | None) -> None:
    body = keys.key_objects(client.user_id)
    status, answer = await _request(client, "POST", "keys/device_signing/upload", body)
    if status == 401 and "flows" in answer:
        # Replacing existing keys needs interactive auth: the account password.
        log.info("replacing the cross-signing keys requires the account password")
        if not password:
            raise CrossSigningError(
                "the homeserver asks for the password to replace cross-signing keys"
            )
        body["auth"] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": client.user_id},
            "password": password,
            "session": answer.get("session"),
        }
        status, answer = await _request(client, "POST", "keys/device_signing/upload", body)
    if status != 200:
        raise CrossSigningError(
            f"uploading cross-signing keys failed: {answer.get('errcode', status)}"
        )


async def bootstrap(
    client: AsyncClient, path: Path, password: str | None, write_secret
) -> CrossSigningKeys:
    """Make sure the server has our master key and our device is signed by our self-signing key.

    Idempotent: a restart changes nothing; a new device is signed under the same master key.
    """
    user_id, device_id = client.user_id, client.device_id
    keys = CrossSigningKeys.load(path)
    if keys is None:
        keys = CrossSigningKeys.generate()
        write_secret(path, keys.dump())
        log.info("generated cross-signing keys")
    ours = keys.key_objects(user_id)
    answer = await query_keys(client, [user_id])
    if only_key(answer.get("master_keys", {}).get(user_id, {})) != only_key(ours["master_key"]) or (
        only_key(answer.get("self_signing_keys", {}).get(user_id, {}))
        != only_key(ours["self_signing_key"])
    ):
        await _upload_keys(client, keys, password)
        log.info("uploaded cross-signing keys")
        answer = await query_keys(client, [user_id])
    device = answer.get("device_keys", {}).get(user_id, {}).get(device_id)
    if device is None:
        raise CrossSigningError("the homeserver does not list the bot's own device keys")
    if not verify(device, user_id, public_b64(keys.self_signing)):
        bare = {k: v for k, v in device.items() if k not in ("signatures", "unsigned")}
        signed = sign(bare, user_id, keys.self_signing)
        status, result = await _request(
            client, "POST", "keys/signatures/upload", {user_id: {device_id: signed}}
        )
        if status != 200 or result.get("failures"):
            raise CrossSigningError(
                f"signing the device failed: {result.get('failures') or status}"
            )
        log.info("signed device %s with the self-signing key", device_id)
    return keys


def device_cross_signed(answer: dict[str, Any], user_id: str, device: dict[str, Any]) -> bool:
    """MSC4153: a device counts if its owner's self-signing key (certified by the master) signed it."""
    master = answer.get("master_keys", {}).get(user_id)
    self_signing = answer.get("self_signing_keys", {}).get(user_id)
    if not master or not self_signing:
        return False
    master_key, self_signing_key = only_key(master), only_key(self_signing)
    return bool(
        master_key
        and self_signing_key
        and verify(self_signing, user_id, master_key)
        and verify(device, user_id, self_signing_key)
    )
