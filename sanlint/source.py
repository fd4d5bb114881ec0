"""Source files and positions.

Every model object points back into the file it came from through a `Span`:
the file, the 1-based line and column of its first character, and the byte
range `[start, end)` in the file's original bytes.  Fixes and migrators edit
those bytes directly, so everything outside an edited span stays
byte-identical.

Parsers work on text.  Files are decoded as UTF-8 with `surrogateescape`,
so any byte sequence round-trips; character offsets from the parser are
turned into byte offsets by `SourceFile.byte_offset` (the identity for the
usual pure-ASCII configuration file).
"""

from __future__ import annotations

import bisect
import itertools
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _line_starts(text, newline) -> list[int]:
    """Offsets where each line starts (C-level: split, then running sums)."""
    lengths = list(map(len, text.split(newline)))
    # start of line i = sum of the lengths of the lines before it + one newline each
    return list(map(operator.add, itertools.accumulate(lengths[:-1], initial=0), range(len(lengths))))


@dataclass(eq=False)
class SourceFile:
    """One configuration file as read from disk (or given as text in tests)."""

    display: str  # the path as reached from the command-line argument
    data: bytes
    path: Path | None = None  # real location on disk, None for in-memory text
    host: str | None = None  # host name, None for cluster-wide files
    format: str | None = None  # "drbd", "lvm", "crm", "cib", ...
    _text: str | None = field(default=None, repr=False)
    _line_starts: list[int] | None = field(default=None, repr=False)
    _byte_map: list[int] | None = field(default=None, repr=False)

    @classmethod
    def from_text(cls, display: str, text: str, **kw: Any) -> "SourceFile":
        return cls(display=display, data=text.encode("utf-8", "surrogateescape"), **kw)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.data.decode("utf-8", "surrogateescape")
        return self._text

    # -- positions ---------------------------------------------------------
    def _starts(self) -> list[int]:
        if self._line_starts is None:
            # character offsets of line starts; the byte offsets for ASCII text
            self._line_starts = self._byte_line_starts() if self._ascii else _line_starts(self.text, "\n")
        return self._line_starts

    def line_col(self, char_offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        starts = self._starts()
        line = bisect.bisect_right(starts, char_offset)
        return line, char_offset - starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        starts = self._starts()
        if line < 1 or line > len(starts):
            return ""
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[starts[line - 1] : end].rstrip("\r")

    def line_start_char(self, line: int) -> int:
        starts = self._starts()
        return starts[min(max(line, 1), len(starts)) - 1]

    def byte_offset(self, char_offset: int) -> int:
        """Byte offset of a character offset in the decoded text."""
        if self._ascii:  # pure ASCII: one byte per character
            return char_offset
        if self._byte_map is None:
            # cumulative byte length per character, built once per non-ASCII file
            m = [0] * (len(self.text) + 1)
            total = 0
            for i, ch in enumerate(self.text):
                m[i] = total
                total += len(ch.encode("utf-8", "surrogateescape"))
            m[len(self.text)] = total
            self._byte_map = m
        return self._byte_map[char_offset]

    def span(self, start_char: int, end_char: int) -> "Span":
        """Span for a character range of the decoded text."""
        if self._ascii:
            return Span(self, start_char, end_char)
        return Span(self, self.byte_offset(start_char), self.byte_offset(end_char))

    def byte_span(self, start: int, end: int) -> "Span":
        return Span(self, start, end)

    @property
    def _ascii(self) -> bool:
        a = self.__dict__.get("_is_ascii")
        if a is None:
            a = self.__dict__["_is_ascii"] = len(self.data) == len(self.text)
        return a

    def _byte_line_starts(self) -> list[int]:
        starts = self.__dict__.get("_bstarts")
        if starts is None:
            starts = self.__dict__["_bstarts"] = _line_starts(self.data, b"\n")
        return starts

    def line_of_byte(self, offset: int) -> int:
        return bisect.bisect_right(self._byte_line_starts(), offset)

    def column_of_byte(self, offset: int) -> int:
        starts = self._byte_line_starts()
        line_start = starts[bisect.bisect_right(starts, offset) - 1]
        if self._ascii:
            return offset - line_start + 1
        return len(self.data[line_start:offset].decode("utf-8", "surrogateescape")) + 1

    def span_of_line(self, line: int) -> "Span":
        s = self.line_start_char(line)
        return self.span(s, s + len(self.line_text(line)))

    def whole(self) -> "Span":
        return Span(self, 0, len(self.data))

    def __repr__(self) -> str:
        return f"SourceFile({self.display!r}, host={self.host!r}, format={self.format!r})"


class Span:
    """Where a model object comes from: file and byte range `[start, end)`;
    the 1-based line and column of its first character are computed on
    demand (most spans are never shown)."""

    __slots__ = ("file", "start", "end")

    def __init__(self, file: SourceFile, start: int, end: int) -> None:
        self.file = file
        self.start = start
        self.end = end

    @property
    def line(self) -> int:
        return self.file.line_of_byte(self.start)

    @property
    def column(self) -> int:
        return self.file.column_of_byte(self.start)

    @property
    def path(self) -> str:
        return self.file.display

    @property
    def host(self) -> str | None:
        return self.file.host

    @property
    def bytes(self) -> bytes:
        return self.file.data[self.start : self.end]

    @property
    def text(self) -> str:
        return self.bytes.decode("utf-8", "surrogateescape")

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "start": self.start, "end": self.end}

    def __repr__(self) -> str:
        return f"<{self.path}:{self.line}:{self.column} [{self.start}:{self.end}]>"


INT64_MAX = 2**63 - 1


class NumberTooLarge(ValueError):
    """A number beyond what the real tools read (a signed 64-bit integer):
    the site builder turns it into a SAN001 finding at the number."""

    def __init__(self, literal: str, char_offset: int | None = None) -> None:
        super().__init__(f"number out of range ({len(literal.lstrip('+-'))} digits)")
        self.literal = literal
        self.char_offset = char_offset


def bounded_int(text: str, base: int = 10, char_offset: int | None = None) -> int:
    """int(text, base), refusing anything beyond a signed 64-bit integer
    (checked on the length first: int() of thousands of digits is slow, and
    refused by Python past 4,300)."""
    digits = text.strip().lstrip("+-")
    if len(digits.lstrip("0")) > 22:
        raise NumberTooLarge(text, char_offset)
    value = int(text, base)
    if abs(value) > INT64_MAX:
        raise NumberTooLarge(text, char_offset)
    return value


class ParseError(Exception):
    """A syntax error: becomes a SAN001 finding at `line:column`."""

    def __init__(self, message: str, line: int = 1, column: int = 1, *, found: str | None = None,
                 expected: list[str] | None = None, char_offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.found = found
        self.expected = sorted(set(expected or []))
        self.char_offset = char_offset

    def describe(self) -> str:
        text = self.message
        if self.found is not None:
            text += f": found {self.found}"
        if self.expected:
            shown = self.expected[:8]
            if len(self.expected) > 8:
                listed = ", ".join(shown) + f" (or {len(self.expected) - 8} more)"
            else:
                listed = ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else shown[0]
            text += f", expected {listed}"
        return text
