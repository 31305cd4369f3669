"""Benchmarks: the app at the scale of every city in every region.

Run ``make bench`` (or ``python -m bench --help``); ``bench/README.md`` explains every figure.
"""
