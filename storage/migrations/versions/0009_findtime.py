"""Find-a-time: a find-a-time of its own (header, closing time, reminder, the meeting booked from
it) whose slots are each a single-choice poll. New tables only: polls and meetings keep their
columns (on SQLite, altering them would copy the table, and dropping the old one cascades).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findtimes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("short_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer()),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("creator", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("header_event_id", sa.String(255)),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("closed_by", sa.String(255)),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id", ondelete="SET NULL")),
        sa.Column("booked_slot", sa.Integer()),
        sa.UniqueConstraint("room_id", "short_id", name="uq_findtimes_room_short_id"),
    )
    op.create_index("ix_findtimes_status_closes", "findtimes", ["status", "closes_at"])
    op.create_table(
        "findtime_slots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "findtime_id",
            sa.Integer(),
            sa.ForeignKey("findtimes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=False),
        sa.Column(
            "poll_id",
            sa.Integer(),
            sa.ForeignKey("polls.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.UniqueConstraint("findtime_id", "slot", name="uq_findtime_slots_slot"),
    )
    op.create_table(
        "findtime_reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "findtime_id",
            sa.Integer(),
            sa.ForeignKey("findtimes.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
    )
    op.create_index("ix_findtime_reminders_status_due", "findtime_reminders", ["status", "due_at"])


def downgrade() -> None:
    # Slot polls mean nothing without their find-a-time (responses go with them).
    op.execute("DELETE FROM polls WHERE kind = 'findtime-slot'")
    op.drop_index("ix_findtime_reminders_status_due", table_name="findtime_reminders")
    op.drop_table("findtime_reminders")
    op.drop_table("findtime_slots")
    op.drop_index("ix_findtimes_status_closes", table_name="findtimes")
    op.drop_table("findtimes")
