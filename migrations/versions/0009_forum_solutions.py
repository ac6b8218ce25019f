"""Help forums: accepted solutions of forum posts, and per-server forum settings.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forum_solutions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.BigInteger(), nullable=True),
        sa.Column("answerer_id", sa.BigInteger(), nullable=False),
        sa.Column("accepted_by", sa.BigInteger(), nullable=True),
        sa.Column("provenance", sa.String(length=16), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("posted_at", sa.DateTime(), nullable=False),
        sa.Column("solved_at", sa.DateTime(), nullable=False),
        sa.Column("reused_review_state", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["qa_pairs.id"],
            name=op.f("fk_forum_solutions_pair_id_qa_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_solutions")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_forum_solutions_thread_id")),
    )
    with op.batch_alter_table("forum_solutions", schema=None) as batch_op:
        for column in ("pair_id", "asker_id", "answerer_id"):
            batch_op.create_index(
                batch_op.f(f"ix_forum_solutions_{column}"), [column], unique=False
            )
    with op.batch_alter_table("server_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("help_forum_channel_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("solved_tag_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("forum_notice", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("server_settings", schema=None) as batch_op:
        batch_op.drop_column("forum_notice")
        batch_op.drop_column("solved_tag_name")
        batch_op.drop_column("help_forum_channel_ids")
    op.drop_table("forum_solutions")
