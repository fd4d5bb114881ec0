"""Edits on crm configure text: quoting as crmsh writes values, deleting a
`name=value` token or a statement without breaking `\\` continuations,
renaming a pair's name, inserting after a statement.  Offsets are bytes.

>>> from sanlint.source import SourceFile
>>> f = SourceFile.from_text("c.crm", "primitive p ocf:heartbeat:IPaddr2 \\\\\\n\\tparams ip=10.0.0.1 \\\\\\n\\top monitor interval=10s\\n")
>>> continuation_indent(f.span(0, len(f.data) - 1))
'\\t'
"""

from __future__ import annotations

import re
from typing import Any

from sanlint.edit.text import blanks_after, line_end, line_start
from sanlint.rule import Edit
from sanlint.source import Span

_SAFE_WORD = re.compile(r"^[A-Za-z0-9_.:/@#%+,\-\[\]]+$")


def quote(value: str) -> str:
    """A value as a crm word: bare when the crm shell would read it back as
    one word, else double-quoted with `\\\\` and `"` escaped (crmsh's
    `cliformat.quote_wrap` writes the same).

    >>> quote("10.0.0.1"), quote("a b"), quote('say "hi"'), quote(""), quote("a=b")
    ('10.0.0.1', '"a b"', '"say \\\\"hi\\\\""', '""', '"a=b"')
    """
    if value and _SAFE_WORD.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pair(name: str, value: str | None) -> str:
    """`name=value` (a bare `name` without a value).

    >>> pair("ip", "10.0.0.1"), pair("fake", None)
    ('ip=10.0.0.1', 'fake')
    """
    return name if value is None else f"{name}={quote(value)}"


def quote_like(nvpair: Any, value: str) -> str:
    """`value` quoted the way an existing pair's value is written (so a new
    pair next to `ip="10.0.0.1"` reads `"..."` too); `quote()` otherwise."""
    vs = getattr(nvpair, "value_span", None)
    if nvpair is not None and vs is not None and vs.start > nvpair.span.start:
        q = vs.file.data[vs.start - 1:vs.start]
        if q in (b'"', b"'") and q.decode() not in value:
            return f"{q.decode()}{value}{q.decode()}"
    return quote(value)


def rename_pair(nvpair: Any, new: str) -> Edit:
    """Rename the name of a `name=value` token (after a `$id:` prefix)."""
    span = nvpair.span
    raw = span.bytes
    eq = raw.find(b"=")
    eq = len(raw) if eq < 0 else eq
    start = raw.rfind(b":", 0, eq) + 1 if raw.startswith(b"$") else 0
    return Edit(span.file, span.start + start, span.start + eq, new)


def continuation_indent(span: Span) -> str:
    """Indentation of a statement's continuation lines (8 spaces when it has none)."""
    data = span.file.data
    nl = data.find(b"\n", span.start, span.end)
    if nl >= 0:
        i = blanks_after(data, nl + 1)
        if i > nl + 1:
            return data[nl + 1:i].decode()
    return " " * 8


def delete_token(span: Span) -> Edit:
    r"""Delete one token of a statement (`name=value`, a resource id) with
    the separator before it: blanks, and a `\` continuation and line
    break when the token starts its line.  Continuations stay valid, and
    deleting several tokens of one statement gives edits that never overlap.

    >>> from sanlint.source import SourceFile
    >>> f = SourceFile.from_text("c", "property cib-bootstrap-options: \\\n\ta=1 \\\n\tb=2 \\\n\tc=3\n")
    >>> e = delete_token(f.span(f.text.index("b=2"), f.text.index("b=2") + 3))
    >>> (f.data[:e.start] + f.data[e.end:]).decode()
    'property cib-bootstrap-options: \\\n\ta=1 \\\n\tc=3\n'
    >>> e = delete_token(f.span(f.text.index("c=3"), f.text.index("c=3") + 3))
    >>> (f.data[:e.start] + f.data[e.end:]).decode()
    'property cib-bootstrap-options: \\\n\ta=1 \\\n\tb=2\n'
    >>> f = SourceFile.from_text("c", "property o: a=1 b=2 c=3\n")
    >>> e = delete_token(f.span(16, 19)); (f.data[:e.start] + f.data[e.end:]).decode()
    'property o: a=1 c=3\n'
    """
    data = span.file.data
    s = span.start
    while s > 0 and data[s - 1] in b" \t\\\r\n":
        s -= 1
    return Edit(span.file, s, span.end, "")


def delete_statement(span: Span) -> Edit:
    """Delete a whole statement with all its continuation lines (or, when it
    shares its line with another statement, the statement only)."""
    data = span.file.data
    ls = line_start(data, span.start)
    le = line_end(data, span.end)
    if data[ls:span.start].strip() or data[span.end:le].strip():
        return Edit(span.file, span.start, span.end, "")
    return Edit(span.file, ls, min(le + 1, len(data)), "")


def insert_after_statement(span: Span, text: str) -> Edit:
    """Insert whole line(s) `text` (no trailing newline) after the statement at `span`."""
    data = span.file.data
    le = data.find(b"\n", span.end)
    if le < 0:
        return Edit.insert(span.file, len(data), "\n" + text + "\n")
    return Edit.insert(span.file, le + 1, text + "\n")
