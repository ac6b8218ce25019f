"""Mentor answers in their own table: several mentors, and several rounds, per hand-off.

The hand-off kept one answer (its first mentor's messages until the asker spoke): a second
mentor's reply, or a mentor's reply after the asker spoke, was dropped. Existing answers move to
`mentor_answers` unchanged; a downgrade keeps each hand-off's first answer. Rows are read before
`handoffs` is rebuilt and written after: on SQLite, rebuilding a table that another references
with ON DELETE CASCADE would delete the referencing rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:45:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns of `handoffs` (0004) that described its one answer.
answer_columns = sa.table(
    "handoffs",
    sa.column("id", sa.Integer()),
    sa.column("opened_at", sa.DateTime()),
    sa.column("answered_at", sa.DateTime()),
    sa.column("sealed_at", sa.DateTime()),
    sa.column("mentor_id", sa.BigInteger()),
    sa.column("answer_pair_id", sa.Integer()),
    sa.column("answer_messages", sa.JSON()),
)


def _mentor_answers_table() -> sa.Table:
    return op.create_table(
        "mentor_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.BigInteger(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_mentor_answers_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["qa_pairs.id"],
            name=op.f("fk_mentor_answers_pair_id_qa_pairs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_answers")),
    )


def upgrade() -> None:
    t = answer_columns
    answered = op.get_bind().execute(sa.select(t).where(t.c.mentor_id.is_not(None))).all()
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_mentor_id"))
        batch_op.drop_constraint("fk_handoffs_answer_pair_id_qa_pairs", type_="foreignkey")
        for column in (
            "answered_at",
            "sealed_at",
            "mentor_id",
            "answer_pair_id",
            "answer_messages",
        ):
            batch_op.drop_column(column)
    answers = _mentor_answers_table()
    with op.batch_alter_table("mentor_answers", schema=None) as batch_op:
        for column in ("handoff_id", "mentor_id"):
            batch_op.create_index(batch_op.f(f"ix_mentor_answers_{column}"), [column], unique=False)
    rows: list[dict[str, Any]] = [
        {
            "handoff_id": row.id,
            "mentor_id": row.mentor_id,
            "pair_id": row.answer_pair_id,
            "messages": row.answer_messages or {},
            "started_at": row.answered_at or row.opened_at,
            "closed_at": row.sealed_at,
        }
        for row in answered
    ]
    if rows:
        op.bulk_insert(answers, rows)


def downgrade() -> None:
    answers = sa.table(
        "mentor_answers",
        *(sa.column(name) for name in ("id", "handoff_id", "mentor_id", "pair_id", "closed_at")),
        sa.column("messages", sa.JSON()),
        sa.column("started_at", sa.DateTime()),
    )
    first: dict[int, Any] = {}
    ordered = sa.select(answers).order_by(answers.c.started_at.desc(), answers.c.id.desc())
    for row in op.get_bind().execute(ordered).all():
        first[row.handoff_id] = row  # the earliest answer of each hand-off is written last
    op.drop_table("mentor_answers")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("sealed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("mentor_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("answer_pair_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("answer_messages", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.create_foreign_key(
            "fk_handoffs_answer_pair_id_qa_pairs",
            "qa_pairs",
            ["answer_pair_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_handoffs_mentor_id"), ["mentor_id"], unique=False)
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.alter_column("answer_messages", server_default=None)
    t = answer_columns
    for handoff_id, row in first.items():
        op.get_bind().execute(
            sa.update(t)
            .where(t.c.id == handoff_id)
            .values(
                answered_at=row.started_at,
                sealed_at=row.closed_at,
                mentor_id=row.mentor_id,
                answer_pair_id=row.pair_id,
                answer_messages=row.messages,
            )
        )
