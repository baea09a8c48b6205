"""Benchmark harness: crowdhire (D, S) against a naive twin (N) and a hand-written floor (F)."""
