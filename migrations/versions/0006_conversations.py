"""Conversations in the store: reply message ids, the question a mentor answer replies to.

`qa_pairs.reply_message_ids` lists every message that shows an answer (a bot's pieces, a mentor's
messages); `qa_pairs.message_id` keeps the asker's message (it was overwritten with the reply's).
`qa_pairs.answers_key` links a mentor's pair to the bot question it answers. `mentor_questions`
keeps what the asker said in a handed-off thread, and `mentor_answers.question_id` the one a
mentor answer replies to, so a follow-up is paired with its own answer.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reply_message_ids", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("answers_key", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_qa_pairs_answers_key"), ["answers_key"], unique=False)
    op.create_table(
        "mentor_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_mentor_questions_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_questions")),
    )
    with op.batch_alter_table("mentor_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_questions_handoff_id"), ["handoff_id"], unique=False
        )
    with op.batch_alter_table("mentor_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_mentor_answers_question_id_mentor_questions"),
            "mentor_questions",
            ["question_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("mentor_answers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_mentor_answers_question_id_mentor_questions"), type_="foreignkey"
        )
        batch_op.drop_column("question_id")
    op.drop_table("mentor_questions")
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_pairs_answers_key"))
        batch_op.drop_column("answers_key")
        batch_op.drop_column("reply_message_ids")
