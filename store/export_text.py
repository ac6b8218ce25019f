"""Question and answer text made fit to publish: no Discord ids, no display decorations."""

from __future__ import annotations

import re

# `<@id>`, `<@!id>` (user), `<@&id>` (role), `<#id>` (channel), and the same forms without the
# brackets when the id is a snowflake (17-20 digits, as discord.py's escape_mentions reads them).
_MENTION = re.compile(r"<(@[!&]?|#)\d+>|(?<!\w)(@[!&]?|#)\d{17,20}(?!\d)")
_PLACEHOLDER = {"@": "@usuario", "@!": "@usuario", "@&": "@rol", "#": "#canal"}

# What releases before display decorations moved to `notice` wrote inside the stored answer:
# the extractive banner first, the partial or cancelled note last (bot/strings.py of that time).
LEGACY_BANNERS = (
    "*Respuesta extractiva (sin modelo de lenguaje): fragmentos literales de las charlas.*",
)
LEGACY_NOTES = (
    "*(Respuesta incompleta: la generación se interrumpió.)*",
    "*(Respuesta cancelada: el bot se está reiniciando. Vuelve a preguntar en un minuto.)*",
)


def replace_mentions(text: str) -> str:
    """Replace user, role and channel mentions with `@usuario`, `@rol` and `#canal`."""
    return _MENTION.sub(lambda match: _PLACEHOLDER[match.group(1) or match.group(2)], text)


def strip_decorations(answer: str) -> str:
    """Remove the banner an old row starts with and the note it ends with; keep the rest as is."""
    text = answer
    for banner in LEGACY_BANNERS:
        if text.lstrip().startswith(banner):
            text = text.lstrip()[len(banner) :].lstrip()
    for note in LEGACY_NOTES:
        if text.rstrip().endswith(note):
            text = text.rstrip()[: -len(note)].rstrip()
    return text
