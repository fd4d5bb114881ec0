"""Where each format's own parser reads a comment.

Inline suppressions (`# sanlint: disable=CODE`) and the placeholder scan
(SAN007) must agree with the real tools on what is a comment, since text
the tool does not take for a comment is part of a value:

* `#` anywhere outside a string (`TRAILING`): drbdadm (`user/v9/drbdadm_scanner.fl`:
  the rule `\\#.*` outside a `"..."` token), LVM (`libdm/libdm-config.c`
  `_eat_space`: `#` to the end of the line, strings `"..."`/`'...'` apart),
  tgt-admin (Perl Config::General `_read`: `s/(?<!\\\\)#.*$//`, quotes or not;
  `\\#` is a literal `#`), /etc/hosts (hosts(5)) and nft (a `#` outside a
  string).
* `#` only as the first non-blank character of a line (`LINE_START`):
  corosync (`exec/coroparse.c` `parse_section`: a trailing `# x` is part of
  the value, and after `{` or `}` corosync 3 refuses the line), crmsh
  (`crmsh/parse.py` `parse`: a statement starting with `#` is a comment,
  any other is split by `shlex.split`, which keeps `#` as a word; and
  `utils.lines2cli` joins a comment line that follows a trailing `\\` into
  the statement), IET (`usr/plain.c`: a line whose first word starts with
  `#`; the rest of a `Lun` line is the LUN's option list, the rest of an
  initiators.allow line its address list), sbd's sysconfig (systemd
  `EnvironmentFile=`: `#` and `;` start a comment only at the start of a
  line, `src/basic/env-file.c`), iptables-restore (comment lines only).
* XML (`<!-- ... -->` anywhere): CIB, firewalld zones.
* No comments at all: LIO's saveconfig.json (JSON), command outputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanlint.source import SourceFile

TRAILING = frozenset({"drbd", "lvm", "lvm-metadata", "tgt", "hosts", "nftables"})
LINE_START = frozenset({"corosync", "crm", "ietd", "ietd-allow", "sbd", "iptables"})
XML = frozenset({"cib", "firewalld"})
NO_COMMENTS = frozenset({"lio"})
CONFIGURATION = TRAILING | LINE_START | XML | NO_COMMENTS  # what the admin writes (not command outputs)


@dataclass(frozen=True)
class Comment:
    start: int  # character offsets in SourceFile.text; `end` excludes the newline
    end: int
    own_line: bool  # nothing but blanks before it on its line


def placement(fmt: str | None) -> str:
    """How a format takes comments: "trailing", "line-start", "xml" or "none"."""
    if fmt in TRAILING:
        return "trailing"
    if fmt in LINE_START:
        return "line-start"
    if fmt in XML:
        return "xml"
    return "none"


def comments(src: SourceFile) -> list[Comment]:
    """The comments of a file, as its format's own parser reads them."""
    text = src.text
    kind = placement(src.format)
    if "#" not in text and "<!--" not in text:
        return []
    if kind == "xml":
        return [Comment(m.start(), m.end(), _own_line(text, m.start())) for m in _XML_COMMENT.finditer(text)]
    if kind == "line-start":
        return _line_start(text, continuation=src.format == "crm")
    if kind == "trailing":
        if src.format == "tgt":
            return _tgt(text)
        return _outside_strings(text, single_quotes=src.format in ("lvm", "lvm-metadata"))
    return []


def code_only(src: SourceFile) -> str:
    """The file's text with every comment blanked (same offsets, newlines kept)."""
    text = src.text
    found = comments(src)
    if not found:
        return text
    parts, pos = [], 0
    for c in found:
        parts.append(text[pos:c.start])
        parts.append(re.sub(r"[^\n]", " ", text[c.start:c.end]))
        pos = c.end
    parts.append(text[pos:])
    return "".join(parts)


_XML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _own_line(text: str, at: int) -> bool:
    start = text.rfind("\n", 0, at) + 1
    return not text[start:at].strip()


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _line_start(text: str, continuation: bool) -> list[Comment]:
    out = []
    continued = False
    for pos, line in _lines(text):
        body = line.rstrip("\r")
        stripped = body.lstrip(" \t\xa0")
        if stripped.startswith("#") and not continued:
            out.append(Comment(pos + len(body) - len(stripped), pos + len(body), True))
            continue  # crmsh: a comment line ending in `\` does not continue anything
        continued = continuation and body.rstrip(" \t").endswith("\\")
    return out


def _tgt(text: str) -> list[Comment]:
    out = []
    for pos, line in _lines(text):
        m = re.search(r"(?<!\\)#", line)
        if m:
            end = len(line.rstrip("\r"))
            out.append(Comment(pos + m.start(), pos + max(end, m.start() + 1), not line[:m.start()].strip()))
    return out


def _outside_strings(text: str, single_quotes: bool) -> list[Comment]:
    """`#` to the end of the line, outside "..." (with backslash escapes) and,
    for LVM, '...' strings (which end at the line: neither parser lets a string
    run past it)."""
    out = []
    i, n = 0, len(text)
    line_start = 0
    while i < n:
        c = text[i]
        if c == "\n":
            line_start = i + 1
        elif c == '"' or (c == "'" and single_quotes):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" and c == '"' else 1
            i = j + 1 if j < n and text[j] == c else j
            continue
        elif c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            body_end = end - 1 if end > i and text[end - 1] == "\r" else end
            out.append(Comment(i, max(body_end, i + 1), not text[line_start:i].strip()))
            i = end
            continue
        i += 1
    return out
