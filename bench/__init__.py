"""Reproducible benchmarks: run each as `python -m bench.NAME` (bench/README.md)."""
