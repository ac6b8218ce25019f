"""Time the ingest of the bundled sample into a fresh data directory, then a no-op re-run.

Usage:
    python -m bench.ingest

Reports chunks, characters, wall time and throughput of a cold ingest (load, chunk, embed, write),
and the time of an immediate re-run, which must skip every talk (content hashes unchanged).
"""

from __future__ import annotations

import json
import os
import tempfile
import time

from bot.config import load_settings
from bot.rag.corpus import load_talks
from bot.rag.ingest import ingest


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pide-ayuda-bench-") as scratch:
        os.environ["PIDE_AYUDA_DATA_DIR"] = scratch
        settings = load_settings()
        chars = sum(len(talk.text) for talk in load_talks("sample", settings.hf_dataset))
        started = time.perf_counter()
        cold = ingest(settings, "sample", progress=False)
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        again = ingest(settings, "sample", progress=False)
        again_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "talks": len(cold.added),
                "chunks": cold.chunks_total,
                "characters": chars,
                "cold_ingest_s": round(cold_s, 2),
                "chunks_per_s": round(cold.chunks_total / cold_s, 1),
                "chars_per_s": round(chars / cold_s),
                "rerun_s": round(again_s, 2),
                "rerun_embedded": again.chunks_embedded,
                "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset (all cores)"),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
