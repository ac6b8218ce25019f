"""Find the talks a question names by their speaker: accent-, nickname- and typo-tolerant.

Names come from the corpus metadata (the `author` of each talk), never from a fixed list of
speakers: "Elena", "González-Blanco", "gonzalez blanco", "Manu", "Manuel" and "Romeros" all
name their talks. Organisation handles ("Gabriel @Argilla") are not names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.rag.glossary import fold

# Short and long forms of common Spanish first names: either form in a question names a speaker
# registered under the other.
NICKNAMES: tuple[frozenset[str], ...] = tuple(
    frozenset(group)
    for group in (
        {"manuel", "manu", "manolo"},
        {"francisco", "paco", "pancho", "fran"},
        {"jose", "pepe"},
        {"javier", "javi"},
        {"alejandro", "alex", "alejandra"},
        {"daniel", "dani", "daniela"},
        {"guillermo", "guille"},
        {"roberto", "rober", "beto"},
        {"gabriel", "gabi", "gabo"},
        {"maria", "mari"},
        {"elena", "helena"},
        {"ignacio", "nacho"},
        {"enrique", "quique"},
        {"cristina", "cris"},
        {"margarita", "marga"},
        {"mercedes", "merche"},
        {"dolores", "lola"},
        {"concepcion", "concha"},
        {"rosario", "charo"},
    )
)
MIN_NAME_CHARS = 3
MIN_FUZZY_CHARS = 6
FUZZY_RATIO = 0.85
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class SpeakerMatch:
    """The talks a question names and the question words that named them."""

    talk_ids: frozenset[str]
    words: frozenset[str]


class SpeakerDirectory:
    """Speaker-name variants of every talk, built from (talk_id, author) pairs."""

    def __init__(self, talks: Iterable[tuple[str, str]]) -> None:
        """Index the name words of each talk's author and their nickname variants."""
        self._names: dict[str, set[str]] = {}
        for talk_id, author in talks:
            for word in name_words(author):
                for variant in _variants(word):
                    self._names.setdefault(variant, set()).add(talk_id)

    def match(self, question: str) -> SpeakerMatch:
        """Return the talks whose speaker the question names (empty when none is named)."""
        talk_ids: set[str] = set()
        words: set[str] = set()
        for word in _WORD.findall(fold(question)):
            found = self._lookup(word)
            if found:
                talk_ids |= found
                words.add(word)
        return SpeakerMatch(frozenset(talk_ids), frozenset(words))

    def _lookup(self, word: str) -> set[str]:
        if len(word) < MIN_NAME_CHARS:
            return set()
        if word in self._names:
            return self._names[word]
        if len(word) < MIN_FUZZY_CHARS:
            return set()
        for name, talk_ids in self._names.items():
            if len(name) >= MIN_FUZZY_CHARS and SequenceMatcher(None, word, name).ratio() >= (
                FUZZY_RATIO
            ):
                return talk_ids
        return set()


def name_words(author: str) -> list[str]:
    """Return the folded name words of an author, without @handles ("Gabriel @Argilla")."""
    kept = " ".join(part for part in author.split() if not part.startswith("@"))
    return [word for word in _WORD.findall(fold(kept)) if len(word) >= MIN_NAME_CHARS]


def _variants(word: str) -> set[str]:
    for group in NICKNAMES:
        if word in group:
            return set(group)
    return {word}
