"""Cheap checks that a streamed answer has gone wrong: a repetition loop, mixed scripts, no Spanish.

Small local models (135M-3B) sometimes loop ("la páраl de la páраl de…"), slip letters of another
script into Spanish words (Cyrillic "р" for Latin "p") or leave Spanish altogether. `Degeneracy`
looks at the text so far on every delta and says why it is unusable, or None. Each check is linear
in a bounded tail of the text, so a stream of N deltas costs O(N); thresholds are measured on a
corpus of good answers (code, URLs, English jargon, lists, tables) so that those are never flagged
(see docs/answers.md and bench/degenerate.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# A loop: the tail repeats one unit of 1..MAX_PERIOD words at least this many times.
MAX_PERIOD = 40
TAIL_WORDS = 400
MIN_REPEATS_SINGLE = 8  # "muy muy muy …": one word repeated
MIN_REPEATS = 4  # a phrase or sentence repeated
MIN_LOOP_CHARS = 40  # a repeated tail shorter than this is not a loop ("0, 0, 0, 0")
# Mixed scripts: words that mix Latin letters with letters of another script (Greek excepted).
MAX_MIXED_WORDS = 1
# Foreign script: share of letters outside Latin and Greek, once enough letters have been seen.
FOREIGN_SHARE = 0.3
FOREIGN_MIN_LETTERS = 40
# No Spanish: share of prose words that are Spanish function words, once enough were seen.
SPANISH_MIN_SHARE = 0.12
SPANISH_MIN_WORDS = 25
WHOLE_TEXT_EVERY = 200  # characters of new text between two whole-text checks while streaming

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"\S+")
_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.DOTALL)
_URL = re.compile(r"(?:https?://|www\.)\S+")
_CITATION = re.compile(r"\[[\d,;\s]+\]")
_SPANISH_WORDS = (
    "a al algo así cada como con cual cuando de del desde donde dos el ella ellos en entre es esa "
    "ese eso esta este esto están está fue hace hay la las le les lo los más me mismo muy no nos o "
    "otra otro para pero poco por porque puede que qué se sea según ser si sin sobre son su sus "
    "también tiene todo todos tu un una uno unos usa y ya yo él"
)
_SPANISH = frozenset(_SPANISH_WORDS.split(" "))


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a text is unusable: a short reason for the operator and the evidence."""

    reason: str
    evidence: str

    def __str__(self) -> str:
        """Return 'reason: evidence' for logs and error causes."""
        return f"{self.reason}: {self.evidence}"


@dataclass(slots=True)
class Degeneracy:
    """Watch a growing text; `check` returns a Verdict once it has degenerated."""

    _mixed: int = 0
    _scanned: int = 0
    _judged: int = 0
    _seen: set[str] = field(default_factory=set)

    def check(self, text: str, final: bool = False) -> Verdict | None:
        """Check the text so far (each call extends the previous one); `final` at the end."""
        verdict = self._mixed_words(text) or repetition(text)
        if verdict is None and (final or len(text) - self._judged >= WHOLE_TEXT_EVERY):
            self._judged = len(text)  # whole-text checks: every few hundred characters
            verdict = foreign_script(text) or no_spanish(text)
        return verdict

    def _mixed_words(self, text: str) -> Verdict | None:
        """Count mixed-script words in the new part of the text."""
        start = max(0, self._scanned - 64)  # re-read a little: a word may have been cut
        self._scanned = len(text)
        for word in _WORD.findall(text, start):
            if word not in self._seen and is_mixed(word):
                self._seen.add(word)
                self._mixed += 1
                if self._mixed > MAX_MIXED_WORDS:
                    return Verdict("mixed scripts", ", ".join(sorted(self._seen))[:80])
        return None


def check_text(text: str) -> Verdict | None:
    """Check a complete text."""
    return Degeneracy().check(text, final=True)


@lru_cache(maxsize=4096)
def script_of(char: str) -> str:
    """Return the script of a letter from its Unicode name ('LATIN', 'CYRILLIC', 'CJK', ...)."""
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def is_mixed(word: str) -> bool:
    """Tell whether a word mixes Latin letters with letters of a script other than Greek."""
    if word.isascii():
        return False
    scripts = {script_of(c) for c in word if c.isalpha()}
    return "LATIN" in scripts and bool(scripts - {"LATIN", "GREEK"})


def foreign_script(text: str) -> Verdict | None:
    """Flag a text whose letters are mostly outside the Latin (and Greek) scripts."""
    prose = _prose(text)
    letters = [c for c in prose if c.isalpha()]
    if len(letters) < FOREIGN_MIN_LETTERS:
        return None
    foreign = [c for c in letters if not c.isascii() and script_of(c) not in ("LATIN", "GREEK")]
    if len(foreign) / len(letters) <= FOREIGN_SHARE:
        return None
    scripts = sorted({script_of(c) for c in foreign})
    return Verdict("foreign script", f"{len(foreign)}/{len(letters)} letters {'/'.join(scripts)}")


def repetition(text: str) -> Verdict | None:
    """Flag a text whose tail repeats the same words over and over."""
    tokens = [_CITATION.sub("", t).lower() for t in _TOKEN.findall(text[-TAIL_WORDS * 12 :])]
    tokens = [t for t in tokens if t][-TAIL_WORDS:]
    n = len(tokens)
    for period in range(1, min(MAX_PERIOD, n // 2) + 1):
        run = 0
        while run < n - period and tokens[n - 1 - run] == tokens[n - 1 - run - period]:
            run += 1
        repeats = (run + period) // period
        needed = MIN_REPEATS_SINGLE if period == 1 else MIN_REPEATS
        if repeats < needed:
            continue
        unit = tokens[n - period :]
        looped = " ".join(tokens[n - run - period :])
        if len(looped) >= MIN_LOOP_CHARS and any(_WORD.search(t) for t in unit):
            return Verdict("repetition loop", f"{repeats} × «{' '.join(unit)[:60]}»")
    return None


def no_spanish(text: str) -> Verdict | None:
    """Flag a long enough prose text with almost no Spanish function words."""
    words = [w.lower() for w in _WORD.findall(_prose(text)) if not w.isdigit()]
    if len(words) < SPANISH_MIN_WORDS:
        return None
    share = sum(w in _SPANISH for w in words) / len(words)
    if share >= SPANISH_MIN_SHARE:
        return None
    return Verdict("no Spanish", f"{share:.0%} Spanish function words in {len(words)}")


def _prose(text: str) -> str:
    """Drop code blocks, inline code, URLs and citations: what is left should be Spanish prose."""
    return _CITATION.sub(" ", _URL.sub(" ", _CODE.sub(" ", text)))
