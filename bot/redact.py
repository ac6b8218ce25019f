"""Credentials kept out of logs and stored text: URL userinfo, authorization headers, API keys."""

from __future__ import annotations

import logging
import re

# scheme://user:password@ (or scheme://token@): the userinfo goes, the rest of the URL stays.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@?#]*@")
# An authorization header as text, JSON or a Python repr: `Authorization: Bearer x`,
# `"authorization": "Basic x"`, `'Proxy-Authorization': 'x'`.
_AUTH_HEADER = re.compile(
    r"(?P<name>(?:proxy-)?authorization)(?P<sep>['\"]?\s*[:=]\s*['\"]?)"
    r"(?:(?:bearer|basic|token)\s+)?[^\s'\",}\]]+",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(?P<kind>bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
# Keys by shape: OpenAI-style `sk-…`, and `api_key=…` / `"api-key": "…"` / `x-api-key: …`.
_KEY_SHAPES = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}")
_KEY_FIELDS = re.compile(
    r"(?P<name>\b(?:x-)?api[_-]?key)(?P<sep>['\"]?\s*[:=]\s*['\"]?)[^\s'\",}\]]+",
    re.IGNORECASE,
)
HIDDEN = "[redacted]"


def strip_userinfo(text: str) -> str:
    """Remove `user:password@` from every URL in `text`."""
    return _USERINFO.sub(r"\g<scheme>", text)


def redact(text: str) -> str:
    """Remove URL userinfo, authorization headers and API-key patterns from `text`."""
    text = strip_userinfo(text)
    text = _AUTH_HEADER.sub(rf"\g<name>\g<sep>{HIDDEN}", text)
    text = _BEARER.sub(rf"\g<kind> {HIDDEN}", text)
    text = _KEY_FIELDS.sub(rf"\g<name>\g<sep>{HIDDEN}", text)
    return _KEY_SHAPES.sub(HIDDEN, text)


class RedactingFilter(logging.Filter):
    """Redact every record a handler emits, whatever logger (httpx, openai, ours) made it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message and any traceback once, redacted; never drop the record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact_logs() -> None:
    """Attach the redacting filter to every root handler (idempotent)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
