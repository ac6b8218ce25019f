"""Mentors in the loop: a pair's provenance, and the hand-offs of questions to mentors.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 01:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provenance", sa.String(length=16), nullable=False, server_default="bot")
        )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pair_key", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("sealed_at", sa.DateTime(), nullable=True),
        sa.Column("mentor_id", sa.BigInteger(), nullable=True),
        sa.Column("answer_pair_id", sa.Integer(), nullable=True),
        sa.Column("answer_messages", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_pair_id"],
            ["qa_pairs.id"],
            name=op.f("fk_handoffs_answer_pair_id_qa_pairs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("pair_key", name=op.f("uq_handoffs_pair_key")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        for column in ("user_id", "thread_id", "opened_at", "mentor_id"):
            batch_op.create_index(batch_op.f(f"ix_handoffs_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("handoffs")
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.drop_column("provenance")
