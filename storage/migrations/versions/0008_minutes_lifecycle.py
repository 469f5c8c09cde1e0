"""Minutes after the meeting: amendments, approvals (with their SHA-256), circulations under
the silence procedure, lines removed under a retention policy, the daily retention round, and
each room's retention (its own and its m.room.retention state).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _meeting() -> sa.Column:
    return sa.Column(
        "meeting_id",
        sa.Integer(),
        sa.ForeignKey("minutes_meetings.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "room_retention",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("retention_seconds", sa.Integer()),
        sa.Column("state_max_lifetime_ms", sa.BigInteger()),
    )
    op.create_table(
        "minutes_amendments",
        sa.Column("id", sa.Integer(), primary_key=True),
        _meeting(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(255)),
        sa.Column("decided_at", sa.DateTime()),
        sa.UniqueConstraint("meeting_id", "number", name="uq_minutes_amendments_number"),
    )
    op.create_index("ix_minutes_amendments_event", "minutes_amendments", ["event_id"])
    op.create_table(
        "minutes_approvals",
        sa.Column(
            "meeting_id",
            sa.Integer(),
            sa.ForeignKey("minutes_meetings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("approved_by", sa.String(255)),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("redactions", sa.Integer(), nullable=False),
    )
    op.create_table(
        "minutes_circulations",
        sa.Column("id", sa.Integer(), primary_key=True),
        _meeting(),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("circulated_by", sa.String(255), nullable=False),
        sa.Column("circulated_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("objected_by", sa.String(255)),
        sa.Column("objected_at", sa.DateTime()),
        sa.Column("reason", sa.Text()),
        sa.Column("reason_event_id", sa.String(255)),
    )
    op.create_index(
        "ix_minutes_circulations_status_due", "minutes_circulations", ["status", "due_at"]
    )
    op.create_index("ix_minutes_circulations_meeting", "minutes_circulations", ["meeting_id"])
    op.create_table(
        "minutes_removals",
        sa.Column("id", sa.Integer(), primary_key=True),
        _meeting(),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_minutes_removals_meeting", "minutes_removals", ["meeting_id", "first_seq"])
    op.create_table(
        "retention_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
    )
    op.create_index("ix_retention_rounds_status_due", "retention_rounds", ["status", "due_at"])


def downgrade() -> None:
    for table in (
        "retention_rounds",
        "minutes_removals",
        "minutes_circulations",
        "minutes_approvals",
        "minutes_amendments",
        "room_retention",
    ):
        op.drop_table(table)
