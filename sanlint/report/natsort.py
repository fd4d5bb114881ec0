"""Natural sort: digits compare as numbers, so `r2` comes before `r10` and
`san-9` before `san-10` (what an admin reading a resource list expects)."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+)")


def natural_key(text: str | None) -> tuple:
    """Sort key of `text`: runs of digits by value, the rest case-folded
    (the original text breaks ties, so the order is total and stable)."""
    text = text or ""
    parts = _PART.split(text)
    key = tuple((0, int(p), "") if i % 2 else (1, 0, p.casefold()) for i, p in enumerate(parts) if p != "")
    return (key, text)


def natural_sorted(items, key=None) -> list:
    if key is None:
        return sorted(items, key=natural_key)
    return sorted(items, key=lambda x: natural_key(key(x)))
