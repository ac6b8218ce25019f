"""Alembic migrations of the Q&A log, shipped inside the package."""
