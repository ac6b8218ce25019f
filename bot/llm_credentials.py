"""Which credential the chat client sends when LLM_API_KEY and URL userinfo may both be set.

One rule, stated by `doctor`: LLM_API_KEY, when set, is sent as `Authorization: Bearer`, and a
`user:password@` in LLM_BASE_URL is then ignored. Without a key, the userinfo is sent as HTTP
Basic authentication (what a URL's userinfo means to any HTTP client). Either way the URL the
client uses, logs and stores has no userinfo.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.config import Settings

Source = Literal["LLM_API_KEY", "userinfo", "none"]


@dataclass(frozen=True, slots=True)
class LlmCredential:
    """The base URL without userinfo, and the one credential sent with each request."""

    base_url: str
    source: Source
    api_key: str | None = None
    basic_auth: str | None = None  # the `Authorization` value for userinfo
    userinfo_ignored: bool = False

    def headers(self) -> dict[str, str]:
        """Return the headers that carry a userinfo credential (none for a key or nothing)."""
        return {"Authorization": self.basic_auth} if self.basic_auth else {}

    def describe(self) -> str:
        """Say which credential is sent, for `doctor` (never the secret itself)."""
        if self.source == "LLM_API_KEY":
            extra = (
                "; the user:password in LLM_BASE_URL is ignored" if self.userinfo_ignored else ""
            )
            return f"sends LLM_API_KEY as a Bearer token{extra}"
        if self.source == "userinfo":
            return "sends the user:password of LLM_BASE_URL as HTTP Basic auth"
        return "sends no credential"


def llm_credential(settings: Settings) -> LlmCredential:
    """Split LLM_BASE_URL's userinfo from it and choose the credential to send."""
    parts = urlsplit((settings.llm_base_url or "").strip())
    base_url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    has_userinfo = "@" in parts.netloc
    if key:
        return LlmCredential(base_url, "LLM_API_KEY", api_key=key, userinfo_ignored=has_userinfo)
    if has_userinfo:
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return LlmCredential(base_url, "userinfo", basic_auth=f"Basic {token}")
    return LlmCredential(base_url, "none")
