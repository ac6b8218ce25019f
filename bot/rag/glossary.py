"""Fold accents and normalise Whisper's frequent mis-transcriptions of names and jargon.

Applied to chunks (for the lexical leg) and to queries alike, so that "argila", "Argilla" and
"ARGILLA" all meet on one token. Entries are general vocabulary of the hackathon's domain, written
for accent-folded, lower-cased text.
"""

from __future__ import annotations

import re
import unicodedata

_GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        r"\b(?:javi|havin|having|jaguin|haguin|hagin|hugin|hugging|jugging)\s+(?:and\s+)?face\b",
        "huggingface",
    ),
    (r"\bhugging\s*face\b", "huggingface"),
    (r"\bargil+a\b", "argilla"),
    (r"\bdistil+\s*(?:label|labels|able|abel)\b", "distilabel"),
    (r"\b(?:cefir|cefyr|zefir|zephir|zephyr|sefir)\b", "zephyr"),
    (r"\bdata\s*sets?\b", "dataset"),
    (r"\bdatasets\b", "dataset"),
    (r"\bfine[\s-]*tun\w*", "finetuning"),
    (r"\bultra\s*feedback\b", "ultrafeedback"),
    (r"\bultra\s*chat\b", "ultrachat"),
    (r"\b(?:phi|fi)[\s-]*(\d)\b", r"phi\1"),
    (r"\bgema\b", "gemma"),
    (r"\bmistral\s*(?:8x7b|moe)\b", "mixtral"),
    (r"\bllms?\b", "llm"),
    (r"\bsomos\s*600\s*(?:m|millones)\b", "somos600m"),
    (r"\bsomos\s*nlp\b", "somosnlp"),
    (r"\bhack(?:at|ath)(?:on|ones|ons)\b", "hackathon"),
    (r"\bminsk[iy]\b", "minsky"),
    (r"\bopen\s*ai\b", "openai"),
    (r"\bdeep\s*mind\b", "deepmind"),
    (r"\bopen\s*source\b", "opensource"),
    (r"\bchat\s*gpt\b", "chatgpt"),
)
_COMPILED = tuple((re.compile(pattern), replacement) for pattern, replacement in _GLOSSARY)


def fold(text: str) -> str:
    """Lower-case and strip accents ("Búsqueda" -> "busqueda")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(text: str) -> str:
    """Fold accents, then rewrite known mis-transcriptions to one canonical spelling."""
    folded = fold(text)
    for pattern, replacement in _COMPILED:
        folded = pattern.sub(replacement, folded)
    return folded
