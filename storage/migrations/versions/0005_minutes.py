"""Minutes and action items: recorded meetings, their items and log lines, the action register,
its notes and assignees, and the timers of due-day reminders and weekly digests.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _fk(table: str, ondelete: str, **kwargs) -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete=ondelete, **kwargs)


def upgrade() -> None:
    op.create_table(
        "minutes_meetings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("short_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("start_event_id", sa.String(255)),
        sa.Column("started_by", sa.String(255), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_by", sa.String(255)),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("chairs", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("room_id", "short_id", name="uq_minutes_meetings_room_short_id"),
    )
    op.create_index("ix_minutes_meetings_room_status", "minutes_meetings", ["room_id", "status"])
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("short_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("creator", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("meeting_id", sa.Integer(), _fk("minutes_meetings", "SET NULL")),
        sa.Column("due_at", sa.DateTime()),
        sa.Column("due_has_time", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("closed_by", sa.String(255)),
        sa.UniqueConstraint("room_id", "short_id", name="uq_action_items_room_short_id"),
    )
    op.create_index(
        "ix_action_items_room_status_due", "action_items", ["room_id", "status", "due_at"]
    )
    op.create_index(
        "ix_action_items_room_status_closed", "action_items", ["room_id", "status", "closed_at"]
    )
    op.create_index("ix_action_items_status_due", "action_items", ["status", "due_at"])
    op.create_index("ix_action_items_event", "action_items", ["event_id"])
    op.create_table(
        "action_assignees",
        sa.Column("action_id", sa.Integer(), _fk("action_items", "CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("assignee", sa.String(255), nullable=False),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime()),
    )
    op.create_index(
        "ix_action_assignees_assignee",
        "action_assignees",
        ["assignee", "room_id", "status", "due_at"],
    )
    op.create_table(
        "action_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action_id", sa.Integer(), _fk("action_items", "CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.String(255)),
    )
    op.create_index("ix_action_notes_action", "action_notes", ["action_id", "id"])
    op.create_index("ix_action_notes_event", "action_notes", ["event_id"])
    op.create_table(
        "action_timers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
    )
    op.create_index("ix_action_timers_status_due", "action_timers", ["status", "due_at"])
    op.create_table(
        "minutes_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), _fk("minutes_meetings", "CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("action_id", sa.Integer(), _fk("action_items", "SET NULL")),
    )
    op.create_index("ix_minutes_items_meeting_seq", "minutes_items", ["meeting_id", "seq"])
    op.create_index("ix_minutes_items_event", "minutes_items", ["event_id"])
    op.create_table(
        "minutes_lines",
        sa.Column("log_entry_id", sa.Integer(), _fk("log_entries", "CASCADE"), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), _fk("minutes_meetings", "CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
    )
    op.create_index("ix_minutes_lines_meeting_seq", "minutes_lines", ["meeting_id", "seq"])


def downgrade() -> None:
    for table in (
        "minutes_lines",
        "minutes_items",
        "action_timers",
        "action_notes",
        "action_assignees",
        "action_items",
        "minutes_meetings",
    ):
        op.drop_table(table)
