"""Repository of member devices' pinned signing keys (trust on first use)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import DevicePin


class DevicePinRepository:
    def __init__(self, session: Session):
        self.session = session

    def see(self, user_id: str, device_id: str, ed25519: str, now: datetime) -> bool:
        """Record a device's key; True when it differs from the key pinned before (a change)."""
        pin = self.session.get(DevicePin, (user_id, device_id))
        if pin is None:
            self.session.add(
                DevicePin(user_id=user_id, device_id=device_id, ed25519=ed25519, first_seen_at=now)
            )
            return False
        if pin.ed25519 == ed25519:
            return False
        pin.ed25519 = ed25519
        pin.changed_at = now
        return True
