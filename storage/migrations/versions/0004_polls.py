"""Polls: native polls (MSC3381) with their closing time, and every response received.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("short_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("max_selections", sa.Integer(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("creator", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_event_id", sa.String(255)),
        sa.Column("end_event_id", sa.String(255)),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("closed_by", sa.String(255)),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("result", sa.JSON()),
        sa.UniqueConstraint("room_id", "short_id", name="uq_polls_room_short_id"),
    )
    op.create_index("ix_polls_start_event", "polls", ["start_event_id"])
    op.create_index("ix_polls_status_closes", "polls", ["status", "closes_at"])
    op.create_table(
        "poll_responses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "poll_id",
            sa.Integer(),
            sa.ForeignKey("polls.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_id", sa.String(255), nullable=False, unique=True),
        sa.Column("sender", sa.String(255), nullable=False),
        sa.Column("answers", sa.JSON()),
        sa.Column("ts", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_poll_responses_poll", "poll_responses", ["poll_id", "id"])


def downgrade() -> None:
    op.drop_table("poll_responses")
    op.drop_table("polls")
