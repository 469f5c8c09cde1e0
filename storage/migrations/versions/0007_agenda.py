"""Agenda-driven meetings: a recorded meeting's link to its scheduled meeting and occurrence,
its agenda items (reached or not), the rooms' call for agenda items and its timer rows.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Meetings recorded before this revision are linked to no scheduled meeting.
    with op.batch_alter_table("minutes_meetings") as batch:
        batch.add_column(
            sa.Column(
                "scheduled_meeting_id",
                sa.Integer(),
                sa.ForeignKey(
                    "meetings.id", ondelete="SET NULL", name="fk_minutes_meetings_scheduled"
                ),
            )
        )
        batch.add_column(sa.Column("scheduled_at", sa.DateTime()))
    op.create_table(
        "minutes_agenda",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "meeting_id",
            sa.Integer(),
            sa.ForeignKey("minutes_meetings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "topic_item_id",
            sa.Integer(),
            sa.ForeignKey("minutes_items.id", ondelete="SET NULL"),
        ),
        sa.UniqueConstraint("meeting_id", "position", name="uq_minutes_agenda_position"),
    )
    op.create_table(
        "meeting_cycles",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("agenda_call_minutes", sa.Integer()),
    )
    op.create_table(
        "agenda_calls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "meeting_id",
            sa.Integer(),
            sa.ForeignKey("meetings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("occurrence_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
    )
    op.create_index("ix_agenda_calls_status_due", "agenda_calls", ["status", "due_at"])
    op.create_index("ix_agenda_calls_meeting", "agenda_calls", ["meeting_id", "occurrence_at"])


def downgrade() -> None:
    op.drop_table("agenda_calls")
    op.drop_table("meeting_cycles")
    op.drop_table("minutes_agenda")
    with op.batch_alter_table("minutes_meetings") as batch:
        batch.drop_constraint("fk_minutes_meetings_scheduled", type_="foreignkey")
        batch.drop_column("scheduled_at")
        batch.drop_column("scheduled_meeting_id")
