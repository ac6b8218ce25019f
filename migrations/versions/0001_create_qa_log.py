"""Create the Q&A log: pairs, their sources, feedback and opt-outs.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 14:47:10.524006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opt_outs",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_opt_outs")),
    )
    op.create_table(
        "qa_pairs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_cause", sa.Text(), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("endpoint", sa.String(length=500), nullable=True),
        sa.Column("timings", sa.JSON(), nullable=False),
        sa.Column("surface", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("review_state", sa.String(length=16), nullable=False),
        sa.Column("edited_answer", sa.Text(), nullable=True),
        sa.Column("reviewer_id", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_pairs")),
    )
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_pairs_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qa_pairs_review_state"), ["review_state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_qa_pairs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_pairs_user_id"), ["user_id"], unique=False)
    op.create_table(
        "feedback",
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["qa_pairs.id"],
            name=op.f("fk_feedback_pair_id_qa_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pair_id", "user_id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_user_id", ["user_id"], unique=False)
    op.create_table(
        "pair_sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("talk_id", sa.String(length=200), nullable=False),
        sa.Column("chunk_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["qa_pairs.id"],
            name=op.f("fk_pair_sources_pair_id_qa_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_sources")),
    )
    with op.batch_alter_table("pair_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_sources_pair_id"), ["pair_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pair_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_sources_pair_id"))
    op.drop_table("pair_sources")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_user_id")
    op.drop_table("feedback")
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_pairs_user_id"))
        batch_op.drop_index(batch_op.f("ix_qa_pairs_status"))
        batch_op.drop_index(batch_op.f("ix_qa_pairs_review_state"))
        batch_op.drop_index(batch_op.f("ix_qa_pairs_created_at"))
    op.drop_table("qa_pairs")
    op.drop_table("opt_outs")
