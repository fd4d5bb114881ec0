"""One parser per format (the format registry, sanlint.formats, names it).
Each module exposes `parse(src) -> model object`
and raises `sanlint.source.ParseError` on bad syntax.  Modules are imported
only when a file of their format is met (start-up time matters)."""

from __future__ import annotations

import importlib
from typing import Any

from sanlint.source import SourceFile


def parse(src: SourceFile, fmt: str | None = None) -> Any:
    """Parse `src` with the parser its format's registry entry names."""
    from sanlint.formats import BY_NAME

    fmt = fmt or src.format
    if fmt not in BY_NAME:
        raise KeyError(f"no parser for format {fmt!r}")
    module, _, func = BY_NAME[fmt].parser.partition(":")
    if module not in _loaded:
        if module not in _LARK_ON_DEMAND:
            from sanlint.parsers.grammar import _import_lark

            _import_lark()  # before any parser module imports lark itself
        _loaded.add(module)
    return getattr(importlib.import_module(module), func)(src)


_loaded: set[str] = set()
# parsers that import lark only for the files they hand to a Lark parser
# (sanlint.parsers.drbd: its fallback, drbd_lark, calls _import_lark itself)
_LARK_ON_DEMAND = frozenset({"sanlint.parsers.drbd"})
