"""Poll reminders: `--remind <duration>` mentions those who have not voted once, that long
before the poll closes (one timed row per poll).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "poll_reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "poll_id",
            sa.Integer(),
            sa.ForeignKey("polls.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
    )
    op.create_index("ix_poll_reminders_status_due", "poll_reminders", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_poll_reminders_status_due", table_name="poll_reminders")
    op.drop_table("poll_reminders")
