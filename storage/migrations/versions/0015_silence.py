"""Written (silence) procedures between meetings and their objections.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "silence_procedures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("opened_by", sa.String(255), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("late", sa.Boolean()),
        sa.Column("withdrawn_by", sa.String(255)),
        sa.Column("decision_number", sa.Integer()),
        sa.UniqueConstraint("room_id", "number", name="uq_silence_procedures_room_number"),
    )
    op.create_index("ix_silence_procedures_status_due", "silence_procedures", ["status", "due_at"])
    op.create_index("ix_silence_procedures_event", "silence_procedures", ["event_id"])
    op.create_table(
        "silence_objections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "procedure_id",
            sa.Integer(),
            sa.ForeignKey("silence_procedures.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.UniqueConstraint("procedure_id", "author", name="uq_silence_objections_author"),
    )
    op.create_index("ix_silence_objections_event", "silence_objections", ["event_id"])


def downgrade() -> None:
    op.drop_table("silence_objections")
    op.drop_table("silence_procedures")
