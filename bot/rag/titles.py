"""Find the talks a question names by their title ("el taller de distilabel").

A talk noun ("charla", "taller", "keynote", "ponencia"…) followed within a few words by a word
that only one talk's title holds names that talk. Title words come from the corpus metadata
(turned into terms as the lexical leg does, so "retos" meets "reto" and "lingüística" meets
"linguistica"); words that several titles share ("taller", "datos") or that are stopwords name
nothing, and neither does a distinctive word asked without a talk noun: "¿Qué es distilabel?"
asks about the tool, not the workshop. Speaker names are left to `bot.rag.speakers`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from bot.rag.glossary import normalise, normalise_question

TALK_NOUNS = frozenset(
    {
        "charla",
        "charlas",
        "taller",
        "talleres",
        "keynote",
        "ponencia",
        "presentacion",
        "conferencia",
        "sesion",
        "workshop",
    }
)
# How many words after a talk noun may hold the title word ("la charla sobre retos de la IA").
REACH = 3
MIN_WORD_CHARS = 4
_WORD = re.compile(r"[a-z0-9]+")
Terms = Callable[[str], Sequence[str]]


class TitleDirectory:
    """The distinctive title words of every talk, built from (talk_id, title) pairs."""

    def __init__(self, talks: Iterable[tuple[str, str]], terms: Terms) -> None:
        """Keep the terms (`LexicalIndex.terms`: stemmed, no stopwords) of one talk's title only."""
        self._terms = terms
        stems = {talk_id: set(self._stems(title)) for talk_id, title in talks}
        shared = Counter(stem for found in stems.values() for stem in found)
        self._talks = {
            stem: talk_id for talk_id, found in stems.items() for stem in found if shared[stem] == 1
        }

    def match(self, question: str) -> frozenset[str]:
        """Return the talks whose title the question names after a talk noun."""
        words = _WORD.findall(normalise_question(question))
        named: set[str] = set()
        for position, word in enumerate(words):
            if word in TALK_NOUNS:
                following = words[position + 1 : position + 1 + REACH]
                stems = self._stems(" ".join(following))
                named |= {self._talks[s] for s in stems if s in self._talks}
        return frozenset(named)

    def _stems(self, text: str) -> Sequence[str]:
        """Return the terms of the words of `text` long enough to name a talk, talk nouns aside."""
        words = _WORD.findall(normalise(text))
        return self._terms(
            " ".join(w for w in words if len(w) >= MIN_WORD_CHARS and w not in TALK_NOUNS)
        )
