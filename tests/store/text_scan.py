"""Find a string in any text column of any table of a SQLite file (deletion tests)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

TEXT_KINDS = ("CHAR", "TEXT", "JSON", "CLOB")


def text_columns_holding(database: Path, needle: str) -> list[str]:
    """Return table.column of every text-like column of every table that holds `needle`."""
    hits = []
    with sqlite3.connect(database) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for _, column, kind, *_ in db.execute(f'PRAGMA table_info("{table}")'):
                if any(k in kind.upper() for k in TEXT_KINDS):
                    query = f'SELECT count(*) FROM "{table}" WHERE "{column}" LIKE ?'
                    if db.execute(query, (f"%{needle}%",)).fetchone()[0]:
                        hits.append(f"{table}.{column}")
    return hits
