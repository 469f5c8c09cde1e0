"""The decision register and formal votes: register entries (D1, D2… per room), the last number
given in each room, and the votes held in recorded meetings.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _fk(table: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), _fk("minutes_meetings", "SET NULL")),
        sa.Column("item_id", sa.Integer(), _fk("minutes_items", "CASCADE")),
        sa.Column("topic", sa.Text()),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(255)),
        sa.Column("counts", sa.JSON()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("superseded_by", sa.Integer()),
        sa.Column("changed_at", sa.DateTime()),
        sa.Column("changed_by", sa.String(255)),
        sa.UniqueConstraint("room_id", "number", name="uq_decisions_room_number"),
    )
    op.create_index("ix_decisions_item", "decisions", ["item_id"])
    op.create_table(
        "decision_numbers",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_table(
        "votes",
        sa.Column("poll_id", sa.Integer(), _fk("polls", "CASCADE"), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), _fk("minutes_meetings", "CASCADE"), nullable=False),
        sa.Column("per_org", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("outcome", sa.String(16)),
        sa.Column("counts", sa.JSON()),
        sa.Column("item_id", sa.Integer(), _fk("minutes_items", "SET NULL")),
    )
    op.create_index("ix_votes_meeting", "votes", ["meeting_id"])


def downgrade() -> None:
    op.drop_table("votes")
    op.drop_table("decision_numbers")
    op.drop_table("decisions")
