"""Keep the whole passage an answer cited, so exported rows carry their evidence.

`pair_sources.quote` is a short snippet for display; `text` is the passage itself. Rows saved
before this revision keep `text` NULL (the export falls back to the quote).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pair_sources") as batch:
        batch.add_column(sa.Column("text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pair_sources") as batch:
        batch.drop_column("text")
