"""The plenary: organisations per room, a quorum rule per room, and each recorded meeting's
roll call, attendees, marks (✅ on the roll call, `!here`) and apologies.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

MEETING = "minutes_meetings.id"


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(255), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_organisations_room_key", "organisations", ["room_id", "key"])
    op.create_table(
        "quorum_rules",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(255), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "roll_calls",
        sa.Column(
            "meeting_id", sa.Integer(), sa.ForeignKey(MEETING, ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("quorum_kind", sa.String(16)),
        sa.Column("quorum_value", sa.Integer()),
        sa.Column("known_organisations", sa.Integer()),
        sa.Column("organisations", sa.JSON()),
    )
    op.create_index("ix_roll_calls_event", "roll_calls", ["room_id", "event_id"])
    op.create_table(
        "attendees",
        sa.Column(
            "meeting_id", sa.Integer(), sa.ForeignKey(MEETING, ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("display_name", sa.Text()),
        sa.Column("organisation", sa.Text()),
        sa.Column("organisation_said", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "attendance_marks",
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column(
            "meeting_id",
            sa.Integer(),
            sa.ForeignKey(MEETING, ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("way", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_attendance_marks_meeting", "attendance_marks", ["meeting_id", "user_id"])
    op.create_table(
        "apologies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "meeting_id",
            sa.Integer(),
            sa.ForeignKey(MEETING, ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(255)),
        sa.Column("display_name", sa.Text()),
        sa.Column("organisation", sa.Text()),
        sa.Column("given_by", sa.String(255), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_apologies_meeting", "apologies", ["meeting_id", "id"])
    op.create_index("ix_apologies_event", "apologies", ["event_id"])


def downgrade() -> None:
    for table in ("apologies", "attendance_marks", "attendees", "roll_calls"):
        op.drop_table(table)
    op.drop_table("quorum_rules")
    op.drop_index("ix_organisations_room_key", "organisations")
    op.drop_table("organisations")
