"""Benchmarks of the API against a raw SQL baseline (run.py; docs/performance.md)."""
