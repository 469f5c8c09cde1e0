"""Trust: pinned member device keys, undecryptable events awaiting their keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_pins",
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("device_id", sa.String(255), primary_key=True),
        sa.Column("ed25519", sa.String(64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime()),
    )
    op.create_table(
        "undecryptable_events",
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("sender", sa.String(255), nullable=False),
        sa.Column("session_id", sa.String(255), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("notified_at", sa.DateTime()),
    )
    op.create_index("ix_undecryptable_session", "undecryptable_events", ["session_id"])


def downgrade() -> None:
    op.drop_table("undecryptable_events")
    op.drop_table("device_pins")
