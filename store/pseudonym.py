"""Salted pseudonyms for askers in exports: never a raw Discord id."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from store.errors import StoreError

log = logging.getLogger(__name__)

SALT_FILE = "export_salt"


def load_salt(configured: str | None, data_dir: Path) -> bytes:
    """Return the configured salt, or the one kept in `data_dir` (created once, mode 0600)."""
    if configured:
        return configured.encode()
    path = data_dir / SALT_FILE
    try:
        return _create_salt(path)
    except FileExistsError:
        salt = path.read_text(encoding="utf-8").strip().encode()
    if not salt:  # an empty key would make every pseudonym recomputable from a Discord id
        raise StoreError(
            f"{path} is empty; delete it (pseudonyms then change) or set EXPORT_SALT, and retry"
        )
    return salt


def _create_salt(path: Path) -> bytes:
    """Write a new salt beside `path`, then link it in place: readers never see it half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(salt + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(draft, path)  # FileExistsError when another process made the salt first
    finally:
        draft.unlink(missing_ok=True)
    log.warning(
        "EXPORT_SALT is not set; generated one in %s (keep it to keep pseudonyms stable)", path
    )
    return salt.encode()


def pseudonym(user_id: int | None, salt: bytes) -> str | None:
    """Return a stable, salted, non-reversible id for a user (None stays None)."""
    if user_id is None:
        return None
    digest = hmac.new(salt, str(user_id).encode(), hashlib.sha256).hexdigest()
    return f"u_{digest[:20]}"
