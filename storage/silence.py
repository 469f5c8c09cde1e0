"""Repository of written (silence) procedures and their objections (the deadline timer's rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from storage.numbering import next_number
from storage.silence_models import SilenceObjection, SilenceProcedure, SilenceStatus
from storage.timed import TimedRows


class SilenceRepository(TimedRows[SilenceProcedure]):
    """Procedures; a pending one closes at its deadline (claimed once). An objection locks its
    pending row first (the same kind of UPDATE … WHERE pending), so an objection and the
    deadline never both win."""

    model = SilenceProcedure

    def claimed(self, now: datetime) -> dict[str, Any]:
        return {"status": SilenceStatus.CLOSING, "sent_at": now}

    def open(
        self,
        *,
        room_id: str,
        text: str,
        by: str,
        now: datetime,
        due_at: datetime,
        event_id: str | None,
    ) -> SilenceProcedure:
        """A new pending procedure with the room's next number; flushed."""
        procedure = SilenceProcedure(
            room_id=room_id,
            number=next_number(
                self.session, SilenceProcedure.number, SilenceProcedure.room_id == room_id
            ),
            text=text,
            opened_by=by,
            opened_at=now,
            event_id=event_id,
            due_at=due_at,
            status=SilenceStatus.PENDING,
        )
        self.session.add(procedure)
        self.session.flush()
        return procedure

    def by_number(self, room_id: str, number: int) -> SilenceProcedure | None:
        return self.session.scalar(
            select(SilenceProcedure).where(
                SilenceProcedure.room_id == room_id, SilenceProcedure.number == number
            )
        )

    def by_decision(self, room_id: str, decision_number: int) -> SilenceProcedure | None:
        """The procedure that adopted a register entry, if one did."""
        return self.session.scalar(
            select(SilenceProcedure).where(
                SilenceProcedure.room_id == room_id,
                SilenceProcedure.decision_number == decision_number,
            )
        )

    def of_room(self, room_id: str, closed: int) -> list[SilenceProcedure]:
        """The open procedures (earliest deadline first), then the latest `closed` others."""
        pending = SilenceProcedure.status == SilenceStatus.PENDING
        room = SilenceProcedure.room_id == room_id
        open_ = self.session.scalars(
            select(SilenceProcedure).where(room, pending).order_by(SilenceProcedure.due_at)
        )
        others = self.session.scalars(
            select(SilenceProcedure)
            .where(room, ~pending)
            .order_by(SilenceProcedure.number.desc())
            .limit(closed)
        )
        return [*open_, *others]

    def hold(self, procedure: SilenceProcedure) -> bool:
        """Lock a pending procedure's row for this transaction; False if no longer pending."""
        result = self.session.execute(
            update(SilenceProcedure)
            .where(SilenceProcedure.id == procedure.id, self.is_pending())
            .values(status=SilenceProcedure.status)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    def close(
        self,
        procedure: SilenceProcedure,
        status: str,
        now: datetime,
        *,
        late: bool | None = None,
        by: str | None = None,
        decision_number: int | None = None,
    ) -> None:
        procedure.status, procedure.sent_at, procedure.late = status, now, late
        procedure.withdrawn_by, procedure.decision_number = by, decision_number

    def withdraw(self, procedure: SilenceProcedure, now: datetime, by: str | None) -> bool:
        """Withdraw a pending procedure; False if it was no longer pending."""
        result = self.session.execute(
            update(SilenceProcedure)
            .where(SilenceProcedure.id == procedure.id, self.is_pending())
            .values(status=SilenceStatus.WITHDRAWN, sent_at=now, withdrawn_by=by)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1

    def pending_of_event(self, room_id: str, event_id: str) -> SilenceProcedure | None:
        return self.session.scalar(
            select(SilenceProcedure).where(
                SilenceProcedure.room_id == room_id,
                SilenceProcedure.event_id == event_id,
                self.is_pending(),
            )
        )

    def forget_text(self, procedure: SilenceProcedure) -> None:
        """Its author took the text back (a redaction): neither it nor the objections stay."""
        procedure.text = None
        self.session.execute(
            delete(SilenceObjection).where(SilenceObjection.procedure_id == procedure.id)
        )

    # --- Objections -----------------------------------------------------------------------

    def objections(self, procedure_id: int) -> list[SilenceObjection]:
        return list(
            self.session.scalars(
                select(SilenceObjection)
                .where(SilenceObjection.procedure_id == procedure_id)
                .order_by(SilenceObjection.created_at, SilenceObjection.id)
            )
        )

    def objection_counts(self, procedure_ids: list[int]) -> dict[int, int]:
        if not procedure_ids:
            return {}
        rows = self.session.execute(
            select(SilenceObjection.procedure_id, func.count())
            .where(SilenceObjection.procedure_id.in_(procedure_ids))
            .group_by(SilenceObjection.procedure_id)
        )
        return {procedure_id: n for procedure_id, n in rows}

    def objection_of(self, procedure_id: int, author: str) -> SilenceObjection | None:
        return self.session.scalar(
            select(SilenceObjection).where(
                SilenceObjection.procedure_id == procedure_id, SilenceObjection.author == author
            )
        )

    def object(
        self, procedure: SilenceProcedure, *, by: str, reason: str, now: datetime, event_id: str
    ) -> SilenceObjection:
        objection = SilenceObjection(
            procedure_id=procedure.id,
            author=by,
            reason=reason,
            created_at=now,
            event_id=event_id,
        )
        self.session.add(objection)
        self.session.flush()
        return objection

    def remove_objection_of_event(self, room_id: str, event_id: str) -> int:
        """Forget the objection a (redacted) message made; how many went."""
        ids = select(SilenceProcedure.id).where(SilenceProcedure.room_id == room_id)
        result = self.session.execute(
            delete(SilenceObjection)
            .where(SilenceObjection.event_id == event_id, SilenceObjection.procedure_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0
