"""Fixtures of the vLLM tier: the server URL from PIDE_AYUDA_VLLM_URL and the sample index."""

from __future__ import annotations

import os

import pytest

from tests.fixtures.corpus import built_sample_index, sample_data_dir  # noqa: F401


@pytest.fixture
def vllm_url() -> str:
    """Return the real vLLM base URL; skip when the tier is off, fail in CI (it must run there)."""
    url = os.environ.get("PIDE_AYUDA_VLLM_URL")
    if not url and os.environ.get("CI") == "true":
        pytest.fail("CI=true but PIDE_AYUDA_VLLM_URL is not set: the vLLM tier must run in CI")
    if not url:
        pytest.skip("vLLM tier off: run `make test VLLM=1` (or set PIDE_AYUDA_VLLM_URL)")
    return url
