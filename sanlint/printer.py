"""Printing a parsed file back from its model.

The model keeps every statement's byte span; what lies between statements
(comments, blank lines, indentation) is kept as trivia.  Printing an
untouched file is therefore the concatenation of trivia and statement
spans in order, and must give back the original bytes exactly; printing
with edits applies byte-span edits (`sanlint.fixes.apply_edits`).
"""

from __future__ import annotations

from typing import Any

from sanlint.model.base import Located, walk
from sanlint.source import SourceFile


def statements(parsed: Any, src: SourceFile) -> list[Located]:
    """The outermost located objects of `parsed` that belong to `src`, in order.

    Objects nested inside another object's span are skipped; the file-level
    object itself (its span covers the whole file) is not a statement.
    """
    objs = [o for o in walk(parsed) if o.span.file is src and not (o.span.start == 0 and o.span.end == len(src.data))]
    objs.sort(key=lambda o: (o.span.start, -o.span.end))
    out: list[Located] = []
    end = -1
    for o in objs:
        if o.span.start >= end:
            out.append(o)
            end = o.span.end
        elif o.span.end > end:  # overlaps without nesting: a broken span
            raise ValueError(f"span {o.span!r} of {type(o).__name__} overlaps the previous statement")
    return out


def render(parsed: Any, src: SourceFile) -> bytes:
    """The file printed back from its statements and the trivia between them."""
    data = src.data
    parts, pos = [], 0
    for o in statements(parsed, src):
        parts.append(data[pos:o.span.start])  # trivia
        parts.append(o.span.bytes)  # the statement
        pos = o.span.end
    parts.append(data[pos:])
    return b"".join(parts)
