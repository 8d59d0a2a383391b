"""Benchmark of report generation: recorded DynamoDB Query pages through the real shard and merge code.

`python -m bench.run` is the entry point; `docs/benchmarks.md` records what it measures.
"""
