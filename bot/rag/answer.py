"""Grounded answers: retrieve, refuse when nothing is relevant, generate, cite.

Steps of `Answerer.answer()`:
1. validate the question; small talk, orders to the bot and messages without words get a short
   reply instead (`bot/rag/intent.py`);
2. make a follow-up self-contained for retrieval (the LLM condenses it; without an LLM, or when the
   condensing prompt does not fit or yields no question, the earlier user turns are prepended);
3. retrieve passages; below the relevance threshold, refuse without calling the LLM, naming the
   closest talks (and refuse the same way when the model replies that they hold no answer);
4. without `LLM_BASE_URL`, answer extractively; otherwise build the prompt within the model's
   context budget and stream the answer, relaying renumbered text to `on_delta`; degenerate output
   (a loop, mixed scripts, no Spanish) stops the stream and the extractive answer is given instead
   (status "fallback"), and so is it when the LLM fails before its first token (unreachable,
   5xx, timeout, rate limit: status "fallback" with `strings.LLM_DOWN_NOTICE`);
5. keep only cited passages as sources (`passages` keeps every passage given); a cut stream keeps
   the partial answer (status "partial").
Every failure becomes an `Answer` with status "error", a Spanish `text` and an `error_cause`.
`Answer.text` is the answer alone: banners and notes go to `Answer.notice` (display only).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from bot import strings
from bot.config import Settings
from bot.rag.citations import renumber, sources_for
from bot.rag.curated import DEFAULT_MIN_SCORE as DEFAULT_CURATED_MIN_SCORE
from bot.rag.curated import CuratedIndex, CuratedMatch
from bot.rag.degenerate import Degeneracy, Verdict, check_text
from bot.rag.embeddings import Vectors
from bot.rag.errors import RagError
from bot.rag.extractive import extractive_text
from bot.rag.index import Index
from bot.rag.intent import classify
from bot.rag.llm import ChatClient, LLMError
from bot.rag.notices import DECLINED, notice_for
from bot.rag.prompts import build_messages, condense_messages, is_no_answer, prompt_budget
from bot.rag.question import validate_question
from bot.rag.streaming import DegenerateStreamError, OnDelta, checked_relay
from bot.rag.types import SEARCHED, Answer, Mode, Passage, Turn

log = logging.getLogger(__name__)

CLOSEST_TALKS_SHOWN = 3
CONDENSE_MAX_TOKENS = 96
FOLLOW_UP_TURNS = 2
# LLM failures before any text that are answered with quotes of the passages found (status
# "fallback"): the endpoint is down, failing, slow or saturated. A rejected prompt, model or key
# stays an error, so that the operator sees the misconfiguration.
QUOTED_WHEN_DOWN = frozenset({"unavailable", "server_error", "timeout", "busy", "empty"})


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


class Answerer:
    """Answer questions from the keynote index, through an LLM when one is configured."""

    def __init__(
        self, settings: Settings, chat: ChatClient | None = None, index: Index | None = None
    ) -> None:
        """Keep the settings, the chat client and a shared index (else opened on first use)."""
        self.settings = settings
        self.chat = chat
        self._index = index
        self._owns_index = index is None
        self._opening = asyncio.Lock()
        self._curated: CuratedIndex | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Answerer:
        """Build an answerer; extractive when LLM_BASE_URL is unset."""
        return cls(settings, ChatClient(settings) if settings.llm_base_url else None)

    async def index(self) -> Index:
        """Open the index once (in a worker thread) and return it."""
        async with self._opening:
            if self._index is None:
                self._index = await asyncio.to_thread(Index.open, self.settings)
            return self._index

    @property
    def index_loaded(self) -> bool:
        """Tell whether the keynote index is open (it opens on the first question)."""
        return self._index is not None

    @property
    def curated_min_score(self) -> float:
        """Return the similarity a curated answer needs: configured, fitted, else e5-small's."""
        configured = self.settings.curated_min_score
        if configured is not None:
            return configured
        fitted = self._index.curated_threshold if self._index is not None else None
        return DEFAULT_CURATED_MIN_SCORE if fitted is None else fitted

    async def curated_index(self) -> CuratedIndex:
        """Open the curated collection once (in a worker thread) and return it."""
        async with self._opening:
            if self._curated is None:
                # The keynote index's embedder when it is open: one model in memory, not two.
                embedder = self._index.embedder if self._index is not None else None
                self._curated = await asyncio.to_thread(CuratedIndex.open, self.settings, embedder)
            return self._curated

    async def _curated_match(self, query: str, vector: Vectors) -> CuratedMatch | None:
        """Return the curated pair matching `query` above its threshold; never raises."""
        try:
            curated = await self.curated_index()
            match = await asyncio.to_thread(curated.best, query, vector)
        except Exception as error:  # the keynotes still answer without curated answers
            log.warning("curated answers unavailable: %s", error)
            return None
        return match if match is not None and match.score >= self.curated_min_score else None

    def _from_curated(self, result: Answer, match: CuratedMatch) -> None:
        """Answer with a curated pair's answer, citing the pair as an `faq` source."""
        entry = match.entry
        log.info("answering from curated pair %s (similarity %.3f)", entry.pair_id, match.score)
        result.text, result.status = entry.answer.strip(), "answered"
        result.sources = [match.source()]

    async def answer(
        self, question: str, history: Sequence[Turn] = (), on_delta: OnDelta | None = None
    ) -> Answer:
        """Answer one question; never raises for user, index or LLM failures."""
        started = time.perf_counter()
        result = Answer(question=question, text="", mode=self._mode(), status="error")
        try:
            await self._answer(result, history, on_delta, started)
        except RagError as error:
            self._fail(result, error.user_message, str(error))
        except LLMError as error:
            if error.partial.strip() and result.passages:
                self._partial(result, error.partial, str(error), error.kind)
            elif result.passages and error.kind in QUOTED_WHEN_DOWN:
                self._without_llm(result, error)
            else:
                self._fail(result, error.user_message, str(error), error.kind)
        except Exception as error:
            log.exception("unexpected failure answering %r", question[:80])
            cause = f"{type(error).__name__}: {error}"
            self._fail(result, strings.UNEXPECTED_ERROR, cause, "unexpected")
        result.notice = notice_for(result)
        result.timings["total_ms"] = _ms(started)
        return result

    def _mode(self) -> Mode:
        return "llm" if self.chat is not None else "extractive"

    def _fail(self, result: Answer, message: str, cause: str, kind: str | None = None) -> None:
        log.warning("answer failed: %s", cause)
        result.status, result.text, result.error_cause = "error", message, cause
        result.error_kind = kind
        result.sources = []

    def _partial(self, result: Answer, partial: str, cause: str, kind: str) -> None:
        verdict = check_text(partial)
        if verdict is not None:
            self._fall_back(result, verdict, cause)
            return
        log.warning("answer cut short, keeping the partial text: %s", cause)
        cited = renumber(partial, result.passages)
        result.text = cited.text.strip()
        result.sources = sources_for(cited.passages, cited.text)
        result.status, result.error_cause, result.error_kind = "partial", cause, kind

    def _fall_back(self, result: Answer, verdict: Verdict, cut: str | None = None) -> None:
        """Replace a degenerate model answer with the extractive one (`cut`: why it stopped)."""
        log.warning(
            "degenerate output from %s (%s): answering extractively", result.endpoint, verdict
        )
        passages = result.passages
        self._finish(result, self._extract(result.question, passages), passages)
        result.status, result.mode = "fallback", "extractive"
        result.error_cause = f"degenerate model output ({verdict}); answered extractively"
        result.error_kind = "degenerate"
        if cut:
            result.error_cause = f"{cut}; {result.error_cause}"

    def _without_llm(self, result: Answer, error: LLMError) -> None:
        """Answer extractively when the LLM failed before its first token (status fallback)."""
        log.warning("the LLM failed before answering (%s): answering extractively", error)
        passages = result.passages
        self._finish(result, self._extract(result.question, passages), passages)
        result.status, result.mode = "fallback", "extractive"
        result.error_cause = f"{error}; answered extractively"
        result.error_kind = error.kind

    async def _answer(
        self, result: Answer, history: Sequence[Turn], on_delta: OnDelta | None, started: float
    ) -> None:
        question = validate_question(result.question, self.settings.question_max_chars)
        result.question = question
        result.intent = intent = classify(question)
        if intent not in SEARCHED:
            log.info("not answering: the message is not a question (%s)", intent)
            result.text, result.mode, result.status = DECLINED[intent], "refused", "refused"
            if on_delta is not None:
                await on_delta(result.text)
            return
        index = await self.index()
        query, llm_down = await self._standalone(question, history, result)
        mark = time.perf_counter()
        vector = await asyncio.to_thread(index.embed_query, query)  # once, for both collections
        embed_ms = _ms(mark)
        mark = time.perf_counter()
        curated = await self._curated_match(query, vector)
        result.timings["curated_ms"] = _ms(mark)
        if curated is not None:
            self._from_curated(result, curated)
            if on_delta is not None:
                await on_delta(result.text)
            return
        mark = time.perf_counter()
        passages = await index.search(query, self.settings.retrieval_k, vector)
        result.timings["retrieval_ms"] = embed_ms + _ms(mark)  # embedding the question included
        result.passages = passages
        verdict = index.relevance(query, passages, self.settings.retrieval_min_score, vector)
        if not verdict.relevant:
            log.info("refusing: %s", verdict.describe())
            self._refuse(result, passages)
        elif self.chat is None:
            self._finish(result, self._extract(question, passages), passages)
        elif llm_down is not None:  # it failed condensing the follow-up: not asked twice
            self._without_llm(result, llm_down)
        else:
            await self._generate(self.chat, result, history, on_delta, started)
            return
        if on_delta is not None:
            await on_delta(result.text)

    def _refuse(self, result: Answer, passages: Sequence[Passage]) -> None:
        if result.intent == "code":  # code for something the talks do not teach: a task
            result.text, result.mode, result.status = strings.TASK_REFUSED, "refused", "refused"
            return
        talks = list(dict.fromkeys((p.title, p.author) for p in passages))[:CLOSEST_TALKS_SHOWN]
        lines = [strings.NOT_COVERED]
        if talks:
            lines += ["", strings.CLOSEST_TALKS, *(f"- «{t}» — {a}" for t, a in talks)]
        result.text, result.mode, result.status = "\n".join(lines), "refused", "refused"

    def _extract(self, question: str, passages: Sequence[Passage]) -> str:
        """Quote the passages' sentences that carry the question's terms (no LLM)."""
        index = self._index  # open whenever there are passages to quote
        if index is None:
            return ""
        return extractive_text(question, passages, index.term_weights(question), index.terms)

    def _finish(self, result: Answer, text: str, passages: Sequence[Passage]) -> None:
        cited = renumber(text, passages)
        result.text = cited.text.strip()
        result.sources = sources_for(cited.passages, cited.text)
        result.status = "answered"

    async def _generate(
        self,
        chat: ChatClient,
        result: Answer,
        history: Sequence[Turn],
        on_delta: OnDelta | None,
        started: float,
    ) -> None:
        """Build the prompt within the context budget, stream the answer and cite it."""
        mark = time.perf_counter()
        info = await chat.model_info()
        result.model, result.endpoint = info.name, chat.base_url
        budget = prompt_budget(info.max_model_len, chat.max_tokens)
        prompt = build_messages(result.question, result.passages, history, budget)
        result.passages = prompt.passages
        result.timings["prompt_ms"] = _ms(mark)
        result.timings["before_llm_ms"] = _ms(started)
        mark, degeneracy = time.perf_counter(), Degeneracy()
        relay = checked_relay(prompt.passages, degeneracy, on_delta)

        async def timed(text: str) -> None:
            # Taken here, not from the completion, so a stream stopped as degenerate has one too.
            result.timings.setdefault("first_token_ms", _ms(mark))
            await relay(text)

        try:
            completion = await chat.stream(prompt.messages, on_text=timed)
        except DegenerateStreamError as stop:
            result.timings["llm_ms"] = _ms(mark)
            self._fall_back(result, stop.verdict)
            return
        result.timings["llm_ms"] = _ms(mark)
        if not completion.text.strip():
            raise LLMError(f"{chat.base_url} returned an empty answer", kind="empty")
        verdict = degeneracy.check(completion.text, final=True)
        if verdict is not None:
            self._fall_back(result, verdict)
            return
        if is_no_answer(completion.text):
            log.info("the model found no answer in the passages: refusing")
            self._refuse(result, result.passages)
            return
        self._finish(result, completion.text, prompt.passages)
        if completion.finish_reason == "length":
            self._partial(result, completion.text, "the answer hit LLM_MAX_TOKENS", "max_tokens")

    async def _standalone(
        self, question: str, history: Sequence[Turn], result: Answer
    ) -> tuple[str, LLMError | None]:
        """Return the question made self-contained for retrieval, and how the LLM failed."""
        if not history:
            return question, None
        failed: LLMError | None = None
        mark = time.perf_counter()
        if self.chat is not None:
            try:
                messages = condense_messages(question, history)
                done = await self.chat.stream(messages, max_tokens=CONDENSE_MAX_TOKENS)
                condensed = done.text.strip()
                fits = 0 < len(condensed) <= self.settings.question_max_chars
                if fits and check_text(condensed) is None:  # a looping model: prepend turns
                    result.timings["condense_ms"] = _ms(mark)
                    return condensed, None
            except LLMError as error:  # down: the answer quotes the passages instead
                if error.kind not in QUOTED_WHEN_DOWN and error.kind != "prompt_too_long":
                    raise
                log.warning("could not condense the follow-up, prepending turns: %s", error)
                failed = error if error.kind in QUOTED_WHEN_DOWN else None
        earlier = [t.content for t in history if t.role == "user"][-FOLLOW_UP_TURNS:]
        return " ".join([*earlier, question])[-self.settings.question_max_chars :], failed

    async def aclose(self) -> None:
        """Close the LLM client and release the index."""
        if self.chat is not None:
            await self.chat.aclose()
        if self._curated is not None:
            self._curated.close()
            self._curated = None
        if self._index is not None and self._owns_index:
            self._index.close()
            self._index = None
