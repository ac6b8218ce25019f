"""Pair lifecycle: a key from arrival, delivery status, display notice, the reply message.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("notice", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("delivery", sa.String(length=16), nullable=False, server_default="pending")
        )
        batch_op.add_column(sa.Column("reply_channel_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("reply_message_id", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_qa_pairs_key"), ["key"])
        batch_op.create_index(batch_op.f("ix_qa_pairs_delivery"), ["delivery"], unique=False)
    # Older rows were saved before delivery was tracked: a message id (or the terminal) means
    # the user saw the answer; otherwise nobody did.
    op.execute(
        "UPDATE qa_pairs SET delivery = CASE WHEN message_id IS NOT NULL OR surface = 'cli' "
        "THEN 'delivered' ELSE 'not_delivered' END"
    )


def downgrade() -> None:
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_pairs_delivery"))
        batch_op.drop_constraint(batch_op.f("uq_qa_pairs_key"), type_="unique")
        batch_op.drop_column("reply_message_id")
        batch_op.drop_column("reply_channel_id")
        batch_op.drop_column("delivery")
        batch_op.drop_column("notice")
        batch_op.drop_column("key")
