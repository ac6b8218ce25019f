"""Salted pseudonyms for askers in exports: never a raw Discord id."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from bot.config import Settings

log = logging.getLogger(__name__)

SALT_FILE = "export_salt"


def load_salt(settings: Settings) -> bytes:
    """Return EXPORT_SALT, or the salt kept in the data directory (created once, mode 0600)."""
    if settings.export_salt is not None:
        return settings.export_salt.get_secret_value().encode()
    path = settings.data_dir / SALT_FILE
    try:
        return _create_salt(path)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip().encode()


def _create_salt(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    salt = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(salt + "\n")
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
