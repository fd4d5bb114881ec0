"""Line arithmetic on a file's bytes, shared by every syntax's editor.

All offsets are byte offsets into `SourceFile.data`.

>>> data = b"a {\\n\\tx 1;  # c\\n}\\n"
>>> line_start(data, 6), line_end(data, 6)
(4, 14)
>>> indent_at(data, 6), starts_line(data, 5), starts_line(data, 6)
('\\t', True, False)
>>> data[5:trailing_comment_end(data, 9)]
b'x 1;  # c'
"""

from __future__ import annotations

BLANKS = b" \t"


def line_start(data: bytes, offset: int) -> int:
    """Offset of the first byte of the line holding `offset`."""
    return data.rfind(b"\n", 0, offset) + 1


def line_end(data: bytes, offset: int) -> int:
    """Offset of the newline ending the line of `offset` (or len(data))."""
    end = data.find(b"\n", offset)
    return len(data) if end < 0 else end


def next_line(data: bytes, offset: int) -> int:
    """Offset just past the newline ending the line of `offset` (or len(data))."""
    return min(line_end(data, offset) + 1, len(data))


def starts_line(data: bytes, offset: int) -> bool:
    """Only blanks stand between the start of the line and `offset`."""
    return not data[line_start(data, offset):offset].strip(BLANKS)


def ends_line(data: bytes, offset: int, comment: bytes = b"#") -> bool:
    """Only blanks (and a comment) stand between `offset` and the end of its line."""
    rest = data[offset:line_end(data, offset)].strip()
    return not rest or rest.startswith(comment)


def indent_at(data: bytes, offset: int) -> str:
    """The whitespace that starts the line of `offset`."""
    start = line_start(data, offset)
    i = start
    while i < len(data) and data[i:i + 1] in (b" ", b"\t"):
        i += 1
    return data[start:i].decode()


def blanks_before(data: bytes, offset: int, newlines: bool = False) -> int:
    """Move `offset` back over blanks (and line breaks when `newlines`)."""
    stop = b" \t\r\n" if newlines else BLANKS
    while offset > 0 and data[offset - 1] in stop:
        offset -= 1
    return offset


def blanks_after(data: bytes, offset: int, limit: int | None = None) -> int:
    """Move `offset` forward over blanks (not past `limit`)."""
    limit = len(data) if limit is None else limit
    while offset < limit and data[offset:offset + 1] in (b" ", b"\t"):
        offset += 1
    return offset


def trailing_comment_end(data: bytes, end: int, comment: bytes = b"#") -> int:
    """If only whitespace and a comment follow `end` on its line, the end of
    that comment (exclusive, before the newline); else `end`."""
    stop = line_end(data, end)
    rest = data[end:stop]
    if rest.lstrip(BLANKS).startswith(comment):
        return stop if not rest.endswith(b"\r") else stop - 1
    return end


def alone_on_lines(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """`(first byte of the line of start, byte after the newline ending the
    line of end)` when nothing but blanks shares those lines, else None."""
    ls = line_start(data, start)
    le = line_end(data, end)
    if data[ls:start].strip() or data[end:le].strip():
        return None
    return ls, min(le + 1, len(data))
