"""The tweepee benchmark: `make bench` / `make bench-quick` (see bench/README.md).

It measures and reports; it asserts nothing about time and is not a test.
"""
