"""Benchmarks run by `make bench`: each module `bench/<name>.py` has a `main(args)` that prints
its figures next to a baseline measured in the same run (ratios, never absolute thresholds in
the test suite)."""
