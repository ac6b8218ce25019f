"""Who owns an unfinished question, and a row the health probe really writes.

`qa_pairs.owner` names the process answering a question (`host:pid`) while it is `in_progress`,
so the next process, whatever its kind, can tell a question whose process died from one still
being answered. `write_probes` holds one row that `/healthz` updates and commits: a write that
reaches the file, unlike a rolled-back insert.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("qa_pairs") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=255), nullable=True))
    probes = op.create_table(
        "write_probes",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_probes")),
    )
    op.bulk_insert(probes, [{"id": 1, "written_at": datetime.now(UTC).replace(tzinfo=None)}])


def downgrade() -> None:
    op.drop_table("write_probes")
    with op.batch_alter_table("qa_pairs") as batch:
        batch.drop_column("owner")
