"""Placeholder until the feature lands."""

from __future__ import annotations


def scenario(ctx):  # type: ignore[no-untyped-def]
    return []
