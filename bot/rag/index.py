"""Hybrid retrieval over the keynote index: e5 vectors in Chroma fused with a Spanish BM25 leg."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from bot.config import Settings
from bot.rag.calibration import Calibration, calibration_path, check
from bot.rag.calibration import load as load_calibration
from bot.rag.chroma import MODEL_KEY, open_client
from bot.rag.embeddings import Embedder, Vectors, make_embedder
from bot.rag.errors import IndexMismatchError, IndexMissingError, RagError, first_line
from bot.rag.fusion import reciprocal_rank_fusion
from bot.rag.gate import E5_SMALL, OperatingPoint, Verdict, judge
from bot.rag.intent import classify
from bot.rag.lexical_store import lexical_root, open_lexical
from bot.rag.neighbours import group_neighbours
from bot.rag.other_topics import load_other_topics
from bot.rag.rerank import Candidate, coverage, query_terms, rerank, row_coverage
from bot.rag.snapshot import (
    Chunk,
    Snapshot,
    candidate_features,
    dense_query,
    fetch_chunks,
    passage_of,
    span_of,
    talks_query,
)
from bot.rag.speakers import SpeakerDirectory, SpeakerMatch
from bot.rag.titles import TitleDirectory
from bot.rag.types import Passage

log = logging.getLogger(__name__)

# Depth of each leg and of the fused list handed to the late scoring, and the RRF leg weights;
# tuned on bench/data/questions_tune.jsonl (docs/retrieval.md).
CANDIDATES = 30
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
# Most chunks shown as one passage when they are neighbours in their talk (bot/rag/neighbours.py);
# chosen on the tuning split with bench/neighbours.py.
MERGED_CHUNKS = 3


class Index:
    """A read-only view of the built index; open it once and search it from many tasks.

    When an ingest swaps in a new collection, the next search notices the old one is gone and
    reloads, so a running bot picks up a re-index without a restart.
    """

    def __init__(self, settings: Settings, client: Any, embedder: Embedder) -> None:
        """Load the collection named in `settings` through `client`."""
        self._settings = settings
        self._client = client
        self._embedder = embedder
        self._reload_lock = threading.Lock()
        # Chroma's calls release the GIL: the lexical leg runs beside the dense query, and the
        # candidates' late-scoring features beside their fetch (docs/scale.md). The Chroma call
        # stays in the calling thread, which enters it at once and leaves the GIL to the other.
        self._beside = ThreadPoolExecutor(max_workers=2, thread_name_prefix="index")
        self._snapshot = self._load()
        self._other_topics = load_other_topics(settings.data_dir, embedder)
        self.calibration, self.calibration_problem = self._calibration()
        self._names: tuple[Snapshot, SpeakerDirectory, TitleDirectory] | None = None

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> Index:
        """Open the index, refusing a missing, empty or other-model index."""
        embedder = embedder or make_embedder(settings)
        client = open_client(settings)
        try:
            return cls(settings, client, embedder)
        except BaseException:
            client.close()
            raise

    async def search(self, query: str, k: int = 5, vector: Vectors | None = None) -> list[Passage]:
        """Return the `k` best passages for `query` (embedded already as `vector`, if given)."""
        passages, _ = await self.search_timed(query, k, vector)
        return passages

    async def search_timed(
        self, query: str, k: int = 5, vector: Vectors | None = None
    ) -> tuple[list[Passage], dict[str, float]]:
        """Search like `search`, also returning per-stage timings in milliseconds."""
        return await asyncio.to_thread(self._search, query, k, vector)

    async def search_judged(
        self, query: str, k: int = 5, threshold: float | None = None
    ) -> tuple[list[Passage], Verdict]:
        """Search `query` and judge the passages with the gate, embedding the query once."""
        vector = await asyncio.to_thread(self.embed_query, query)
        passages = await self.search(query, k, vector)
        return passages, self.relevance(query, passages, threshold, vector)

    def embed_query(self, query: str) -> Vectors:
        """Embed `query` as this index's searches do (to search and match curated pairs once)."""
        return self._embedder.embed_queries([query]).reshape(-1)

    @property
    def embedder(self) -> Embedder:
        """Return the query/passage embedder this index was built with."""
        return self._embedder

    def talks(self) -> list[tuple[str, str]]:
        """Return (title, author) of every indexed talk, in index order."""
        return [(title, author) for _, title, author in self._snapshot.talks]

    def talk_ids(self) -> list[str]:
        """Return the id of every indexed talk, in the order of `talks`."""
        return [talk_id for talk_id, _, _ in self._snapshot.talks]

    def close(self) -> None:
        """Release the lexical index and the Chroma connection."""
        self._snapshot = Snapshot.closed()
        self._beside.shutdown()
        self._client.close()

    @property
    def operating_point(self) -> OperatingPoint:
        """The gate's point in force: fitted for this embedder, else the bundled model's."""
        fitted = self.calibration
        return fitted.point if fitted and fitted.embedder == self._embedder.name else E5_SMALL

    @property
    def curated_threshold(self) -> float | None:
        """The curated-answer threshold fitted for this embedder, if the index is calibrated."""
        fitted = self.calibration
        return (
            fitted.curated_threshold if fitted and fitted.embedder == self._embedder.name else None
        )

    def _calibration(self) -> tuple[Calibration | None, str | None]:
        """Load the gate's calibration saved beside the index, and say if it does not fit."""
        path = calibration_path(self._settings.data_dir, self._settings.chroma_collection)
        fitted = load_calibration(path)
        problem = check(fitted, self._embedder.name, self._snapshot.collection)
        if problem:
            log.warning("%s", problem)
        return fitted, problem

    def _load(self) -> Snapshot:
        name = self._settings.chroma_collection
        try:
            collection = self._client.get_collection(name, embedding_function=None)
            count = collection.count()
        except Exception as error:
            raise _missing(name, error) from error
        built_with = (collection.metadata or {}).get(MODEL_KEY)
        if built_with != self._embedder.name:
            raise IndexMismatchError(
                f"the index was built with embedding model {built_with!r} but "
                f"{self._embedder.name!r} is configured: rebuild it with "
                "`pide-ayuda ingest --rebuild` or restore the EMBEDDINGS_* settings"
            )
        if not count:
            raise IndexMissingError("the index is empty: build it with `pide-ayuda ingest`")
        saved = open_lexical(lexical_root(self._settings.data_dir), collection)
        return Snapshot(
            collection=collection,
            ids=saved.ids,
            talks=saved.talks,
            lexical=saved.lexical,
            rows={chunk_id: row for row, chunk_id in enumerate(saved.ids)},
            vectors=saved.vectors,
            talk_positions={talk_id: n for n, (talk_id, _, _) in enumerate(saved.talks)},
        )

    def relevance(
        self,
        query: str,
        passages: list[Passage],
        threshold: float | None = None,
        vector: Vectors | None = None,
    ) -> Verdict:
        """Judge whether `passages` (the answer to `query`, embedded as `vector`) cover it."""
        snapshot = self._snapshot
        terms = self._content_terms(snapshot, query)
        covered = [
            max(row_coverage(snapshot.lexical, terms, snapshot.rows[chunk_id]) for chunk_id in ids)
            if (ids := [c for c in p.chunk_ids if c in snapshot.rows])
            else coverage(snapshot.lexical, terms, p.text)
            for p in passages
        ]
        cosines = [p.dense_score or 0.0 for p in passages]
        other_topic = self._other_topics.closeness(
            self.embed_query(query) if vector is None else vector
        )
        point = self.operating_point
        return judge(cosines, covered, other_topic, threshold, classify(query), point)

    def term_weights(self, query: str) -> dict[str, float]:
        """Return the IDF of each content term of `query`, leaving out words naming a speaker."""
        snapshot = self._snapshot
        return {term: snapshot.lexical.idf(term) for term in self._content_terms(snapshot, query)}

    def _content_terms(self, snapshot: Snapshot, query: str) -> list[str]:
        """Return the distinct lexical terms of `query` without the words naming a speaker."""
        named = self._named(snapshot, query)
        return query_terms(snapshot.lexical, query, named.words)

    def terms(self, text: str) -> list[str]:
        """Return the lexical content terms of `text` (stemmed, folded, glossary-normalised)."""
        return self._snapshot.lexical.terms(text)

    def similarity(self, text: str, chunk_ids: Sequence[str]) -> float:
        """Return the best cosine between `text` embedded as a query and indexed chunks."""
        snapshot = self._snapshot
        known = [chunk_id for chunk_id in chunk_ids if chunk_id in snapshot.rows]
        if not known:
            return 0.0
        vector = self._embedder.embed_queries([text])[0]
        rows = [snapshot.rows[chunk_id] for chunk_id in known]
        return max(float(row @ vector) for row in snapshot.vectors.of_rows(rows))

    def candidates(self, query: str) -> list[Candidate]:
        """Return the fused candidates of `query` with their late-scoring features, unranked."""
        return self._candidates(query, {})[0]

    def _candidates(
        self, query: str, timings: dict[str, float], vector: Vectors | None = None
    ) -> tuple[list[Candidate], dict[str, Chunk]]:
        clock = time.perf_counter()
        if vector is None:
            vector = self.embed_query(query)
        clock = _lap(timings, "embed", clock)
        snapshot = self._snapshot
        lexical = self._beside.submit(_timed, timings, "lexical", self._lexical, snapshot, query)
        dense_snapshot, dense_ids = _timed(timings, "dense", self._dense, vector, CANDIDATES)
        lexical_ids, terms, named = lexical.result()
        if dense_snapshot is not snapshot:  # the dense leg reloaded after an ingest's swap
            snapshot = dense_snapshot
            lexical_ids, terms, named = self._lexical(snapshot, query)
        if named.talk_ids:
            named_ids = talks_query(snapshot, vector, named.talk_ids, CANDIDATES)
            dense_ids = list(dict.fromkeys(dense_ids + named_ids))
        clock = _lap(timings, "legs", clock)
        rankings = [(dense_ids, DENSE_WEIGHT), (lexical_ids, LEXICAL_WEIGHT)]
        fused = reciprocal_rank_fusion(rankings)[:CANDIDATES]
        clock = _lap(timings, "fusion", clock)
        scoring = self._beside.submit(
            _timed, timings, "features", candidate_features, snapshot, fused, vector, terms, named
        )
        chunks = _timed(timings, "fetch", fetch_chunks, snapshot, list(dict(fused)))
        found = scoring.result()
        _lap(timings, "scored_and_fetched", clock)
        return found, chunks

    def _lexical(self, snapshot: Snapshot, query: str) -> tuple[list[str], list[str], SpeakerMatch]:
        """Return the lexical leg's ranked chunk ids, the query's terms and the talks it names."""
        named = self._named(snapshot, query)
        terms = query_terms(snapshot.lexical, query, named.words)
        lexical = snapshot.lexical.search_terms(terms, CANDIDATES)
        return [snapshot.ids[row] for row, _ in lexical], terms, named

    def _search(
        self, query: str, k: int, vector: Vectors | None
    ) -> tuple[list[Passage], dict[str, float]]:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        found, chunks = self._candidates(query, timings, vector)
        clock = time.perf_counter()
        ranked = {c.chunk_id: (c, score) for c, score in rerank(found)}
        spans = {chunk_id: span_of(chunk) for chunk_id, chunk in chunks.items()}
        groups = group_neighbours(list(ranked), spans, k, MERGED_CHUNKS)
        passages = [passage_of(group, chunks, spans, ranked) for group in groups]
        _lap(timings, "rerank", clock)
        timings["total"] = (time.perf_counter() - started) * 1000
        return passages, timings

    def _named(self, snapshot: Snapshot, query: str) -> SpeakerMatch:
        """Return the talks `query` names by speaker or by title, and the speaker-name words."""
        cached = self._names
        if cached is None or cached[0] is not snapshot:  # rebuilt after a reload
            speakers = SpeakerDirectory((talk_id, author) for talk_id, _, author in snapshot.talks)
            titles = TitleDirectory(
                ((talk_id, title) for talk_id, title, _ in snapshot.talks), snapshot.lexical.terms
            )
            cached = self._names = (snapshot, speakers, titles)
        by_speaker = cached[1].match(query)
        return SpeakerMatch(by_speaker.talk_ids | cached[2].match(query), by_speaker.words)

    def _dense(self, vector: Vectors, n: int) -> tuple[Snapshot, list[str]]:
        """Query Chroma; if the collection was swapped by an ingest, reload once and retry."""
        snapshot = self._snapshot
        try:
            return snapshot, dense_query(snapshot, vector, n)
        except Exception as error:
            log.info("reloading the index after a failed query (%s)", first_line(error))
        with self._reload_lock:
            if self._snapshot is snapshot:
                self._snapshot = self._load()
                self.calibration, self.calibration_problem = self._calibration()
            snapshot = self._snapshot
        try:
            return snapshot, dense_query(snapshot, vector, n)
        except Exception as error:
            raise RagError(
                f"the Chroma query failed ({first_line(error)}); check the index "
                "(`pide-ayuda ingest --rebuild`) or the Chroma server"
            ) from error


Result = TypeVar("Result")


def _timed(
    timings: dict[str, float], stage: str, work: Callable[..., Result], *args: Any
) -> Result:
    """Run `work(*args)`, recording how long it took as `stage` (from any thread)."""
    started = time.perf_counter()
    result = work(*args)
    timings[stage] = (time.perf_counter() - started) * 1000
    return result


def _lap(timings: dict[str, float], stage: str, since: float) -> float:
    now = time.perf_counter()
    timings[stage] = (now - since) * 1000
    return now


def _missing(name: str, error: Exception) -> RagError:
    from chromadb.errors import NotFoundError

    if isinstance(error, NotFoundError) or "does not exist" in str(error):
        return IndexMissingError(
            f"no collection {name!r} in the index: build it with `pide-ayuda ingest`"
        )
    return IndexMissingError(
        f"the index cannot be read ({first_line(error)}); "
        "rebuild it with `pide-ayuda ingest --rebuild`"
    )
