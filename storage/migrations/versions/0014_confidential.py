"""Confidentiality: Chatham House meetings and their attendance kept as counts per
organisation; erasure on request (`!forget me`): its pending requests, the items kept as
"removed at the author's request".

Rows that name nobody hold "" where a sender, author or creator was (storage/confidential.py
NOBODY): making those columns nullable would rebuild their tables on SQLite, and dropping a
table there deletes, by ON DELETE CASCADE, the rows that refer to it (the meetings' lines,
items, assignees).

Revision ID: 0014
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

MEETING = "minutes_meetings.id"


def upgrade() -> None:
    # Tables of their own: code reading meetings and items at older revisions stays as it was.
    op.create_table(
        "chatham_meetings",
        sa.Column(
            "meeting_id", sa.Integer(), sa.ForeignKey(MEETING, ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_table(
        "erased_items",
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("minutes_items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "attendance_counts",
        sa.Column(
            "meeting_id", sa.Integer(), sa.ForeignKey(MEETING, ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("organisation", sa.Text()),
        sa.Column("members", sa.Integer(), nullable=False),
    )
    op.create_table(
        "forget_requests",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("forget_requests")
    op.drop_table("attendance_counts")
    op.drop_table("erased_items")
    op.drop_table("chatham_meetings")
