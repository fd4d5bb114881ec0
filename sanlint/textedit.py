"""Layout-preserving edits for brace-and-semicolon formats (DRBD, tgt,
corosync, LVM): delete a statement with its line, insert a statement into
a `{ }` body with the indentation of its neighbours, build a new section in
the style of the file.  All offsets are byte offsets into `SourceFile.data`.
"""

from __future__ import annotations

from sanlint.rule import Edit
from sanlint.source import SourceFile, Span

_WS = b" \t"


def line_start(data: bytes, offset: int) -> int:
    return data.rfind(b"\n", 0, offset) + 1


def line_end(data: bytes, offset: int) -> int:
    """Offset of the newline ending the line of `offset` (or len(data))."""
    end = data.find(b"\n", offset)
    return len(data) if end < 0 else end


def starts_line(data: bytes, offset: int) -> bool:
    return not data[line_start(data, offset):offset].strip(_WS)


def indent_at(data: bytes, offset: int) -> str:
    """The whitespace that starts the line of `offset`."""
    start = line_start(data, offset)
    i = start
    while i < len(data) and data[i:i + 1] in (b" ", b"\t"):
        i += 1
    return data[start:i].decode()


def trailing_comment_end(data: bytes, end: int, comment: bytes = b"#") -> int:
    """If only whitespace and a comment follow `end` on its line, the end of
    that comment (exclusive, before the newline); else `end`."""
    stop = line_end(data, end)
    rest = data[end:stop]
    stripped = rest.lstrip(_WS)
    if stripped.startswith(comment):
        return stop if not rest.endswith(b"\r") else stop - 1
    return end


def statement_text(span: Span, comment: bytes = b"#") -> str:
    """The statement with its same-line trailing comment, as written."""
    data = span.file.data
    return data[span.start:trailing_comment_end(data, span.end, comment)].decode("utf-8", "surrogateescape")


def delete_statement(span: Span, comment: bytes = b"#") -> Edit:
    """Delete a statement: its whole line(s) (with a trailing comment) when
    it is alone there, else the statement and the blank before it."""
    data = span.file.data
    start = line_start(data, span.start)
    end = trailing_comment_end(data, span.end, comment)
    stop = line_end(data, end)
    if not data[start:span.start].strip(_WS) and not data[end:stop].strip(_WS + b"\r"):
        return Edit(span.file, start, min(stop + 1, len(data)), "")
    # shares its line: take the whitespace before it too
    s = span.start
    while s > 0 and data[s - 1:s] in (b" ", b"\t") and data[start:s - 1].strip(_WS):
        s -= 1
    return Edit(span.file, s, span.end, "")


def is_multiline(body: Span) -> bool:
    return b"\n" in body.file.data[body.start:body.end]


def body_end_insert(file: SourceFile, body: Span, statement: str, indent: str) -> Edit:
    """Append `statement` to a `{ }` body: on its own line before the line
    of the closing brace when the body spans lines, else before the brace."""
    data = file.data
    if is_multiline(body):
        close_line = line_start(data, body.end)
        if not data[close_line:body.end].strip(_WS):
            return Edit(file, close_line, close_line, f"{indent}{statement}\n")
        return Edit(file, body.end, body.end, f"\n{indent}{statement}\n{indent_at(data, body.end)}")
    end = body.end
    while end > body.start and data[end - 1:end] in (b" ", b"\t"):
        end -= 1
    if end == body.start:  # empty body `{}` / `{ }`
        return Edit(file, body.start, body.end, f" {statement} ")
    return Edit(file, end, end, f" {statement}")


def body_start_insert(file: SourceFile, body: Span, statement: str, indent: str) -> Edit:
    """Insert `statement` as the first statement of a `{ }` body."""
    data = file.data
    i = body.start
    while i < body.end:
        ch = data[i:i + 1]
        if ch in (b" ", b"\t", b"\r", b"\n"):
            i += 1
        elif ch == b"#":  # a comment (after the brace or on its own line) stays where it is
            i = line_end(data, i)
        else:
            break
    if i >= body.end:  # empty body (or comments only)
        return body_end_insert(file, body, statement, indent)
    if starts_line(data, i) and is_multiline(body):
        ls = line_start(data, i)
        return Edit(file, ls, ls, f"{indent}{statement}\n")
    return Edit(file, i, i, f"{statement} ")


def statement_indent(file: SourceFile, body: Span, default: str) -> str:
    """Indentation of the statements inside a body (the first one that starts a line)."""
    data = file.data
    pos = body.start
    while True:
        nl = data.find(b"\n", pos, body.end)
        if nl < 0:
            return default
        i = nl + 1
        while i < body.end and data[i:i + 1] in (b" ", b"\t"):
            i += 1
        if i < body.end and data[i:i + 1] not in (b"\n", b"\r", b"#", b"}"):
            return data[nl + 1:i].decode()
        pos = nl + 1


def indent_unit(file: SourceFile) -> str:
    """One level of indentation as the file writes it: the difference
    between a statement inside a section and the section's own indentation
    (the first such pair found), else two spaces."""
    lines = file.data.split(b"\n")
    prev: bytes | None = None
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        ind = line[:len(line) - len(line.lstrip(_WS))]
        if prev is not None and prev.rstrip().endswith(b"{") and len(ind) > 0:
            pind = prev[:len(prev) - len(prev.lstrip(_WS))]
            if ind.startswith(pind) and len(ind) > len(pind):
                return ind[len(pind):].decode()
        prev = line
    return "  "
