"""/etc/hosts: one address, then its names, per line (hosts(5)).

No grammar: the format is a list of blank-separated words per line, so a
line splitter is clearer than a Lark grammar.  `#` starts a comment
anywhere on a line.  A line with an address but no name is an error
(glibc's files backend skips it silently, which hides a typo); so is a
first word that is no IPv4/IPv6 address.  Each `HostsEntry` spans its line
without the comment.
"""

from __future__ import annotations

import ipaddress
import re

from sanlint.model.network import HostsEntry
from sanlint.source import ParseError, SourceFile

_WORD = re.compile(r"[^\s#]+")


def parse(src: SourceFile) -> list[HostsEntry]:
    entries = []
    offset = 0
    for line in src.text.split("\n"):
        entry = _entry(src, line, offset)
        if entry is not None:
            entries.append(entry)
        offset += len(line) + 1
    return entries


def _entry(src: SourceFile, line: str, offset: int) -> HostsEntry | None:
    body = line.split("#", 1)[0]
    words = list(_WORD.finditer(body))
    if not words:
        return None
    first = words[0]
    address = first.group()
    if not _is_address(address):
        line_no, col = src.line_col(offset + first.start())
        raise ParseError("not an IP address", line_no, col, found=repr(address),
                         expected=["IPv4 or IPv6 address"], char_offset=offset + first.start())
    if len(words) == 1:
        line_no, col = src.line_col(offset + first.end())
        raise ParseError("address without a host name", line_no, col, found="end of line",
                         expected=["host name"], char_offset=offset + first.end())
    return HostsEntry(address=address, names=[w.group() for w in words[1:]],
                      span=src.span(offset + first.start(), offset + words[-1].end()))


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0: a scope id is allowed
    except ValueError:
        return False
    return True
