"""Inline suppressions: `# sanlint: disable=CODE[,CODE] -- reason`.

Where a suppression goes depends on where the format's own parser reads a
comment (`sanlint.comments`):

* On its own line (every format with comments): it covers the next line
  that holds configuration (blank and comment lines between are skipped),
  and for crm the lines that continue that statement with `\\`.
* At the end of the offending line: only where the tool reads a trailing
  `#` as a comment (DRBD, LVM, tgt, /etc/hosts, nft); it covers that line.
* CIB XML: `<!-- sanlint: disable=CODE -->` before the element (on its own
  line: the next element's line; on the element's line: that line).

Anywhere else the text is not a comment for the tool: a trailing `#` on a
corosync, crm, ietd, initiators.allow, sbd or iptables line becomes part of
the value (or makes the tool refuse the line).  Such a misplaced
suppression is never honoured; SAN008 reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sanlint.comments import CONFIGURATION, Comment, comments, placement
from sanlint.source import SourceFile, Span

DIRECTIVE = re.compile(r"(?:#|<!--)[ \t]*sanlint:[ \t]*disable[ \t]*=[ \t]*"
                       r"([A-Za-z0-9_]+(?:[ \t]*,[ \t]*[A-Za-z0-9_]+)*)")


@dataclass
class Suppression:
    file: SourceFile
    line: int  # the comment's line
    codes: list[tuple[str, Span]]  # each code with its own span (for SAN004's fix)
    span: Span  # the whole directive
    covers: frozenset[int] = frozenset()  # the lines whose findings it suppresses
    reason: str = ""  # the text after `--`
    used: set[str] = field(default_factory=set)


@dataclass
class Misplaced:
    file: SourceFile
    span: Span  # the directive
    codes: list[str]
    comment_start: int  # character offset of the comment's `#`
    kind: str  # "trailing", "continued" (crm), "dashes" (crm), "no-comments" (JSON)


def _codes(src: SourceFile, m: re.Match) -> list[tuple[str, Span]]:
    return [(cm.group(0).upper(), src.span(m.start(1) + cm.start(), m.start(1) + cm.end()))
            for cm in re.finditer(r"[A-Za-z0-9_]+", m.group(1))]


def _reason(text: str, m: re.Match, end: int) -> str:
    rest = text[m.end():end]
    rest = re.sub(r"-->\s*$", "", rest).strip()
    return re.sub(r"^(--|[-:;#])\s*", "", rest).strip()


def find(src: SourceFile) -> list[Suppression]:
    """The suppressions the file's format lets sanlint honour."""
    text = src.text
    if "sanlint:" not in text:
        return []
    found = comments(src)
    if not found:
        return []
    lines = text.split("\n")
    comment_lines = {src.line_col(c.start)[0] for c in found if c.own_line}
    out = []
    for c in found:
        if "sanlint:" not in text[c.start:c.end]:
            continue
        for m in DIRECTIVE.finditer(text, c.start, c.end):
            line, _ = src.line_col(m.start())
            covers = _next_statement(lines, line, comment_lines, src.format == "crm") if c.own_line else {line}
            out.append(Suppression(src, line, _codes(src, m), src.span(m.start(), m.end()), frozenset(covers),
                                   _reason(text, m, c.end)))
    return out


def _next_statement(lines: list[str], line: int, comment_lines: set[int], crm: bool) -> set[int]:
    """The 1-based lines of the first statement after comment line `line`."""
    n = line + 1
    while n <= len(lines) and (n in comment_lines or not lines[n - 1].strip()):
        n += 1
    if n > len(lines):
        return set()
    covered = {n}
    while crm and lines[n - 1].rstrip(" \t\r").endswith("\\") and n < len(lines):
        n += 1
        covered.add(n)
    return covered


def misplaced(src: SourceFile) -> list[Misplaced]:
    """Suppressions the format's own tool does not read as a comment: after
    configuration on a corosync/crm/ietd/sbd/iptables line ("trailing"), a
    comment line inside a crm statement continued with `\\` ("continued"),
    anything in JSON ("no-comments"); and crm suppressions that crmsh refuses
    although they are comments ("dashes": crmsh keeps a comment as an XML
    comment, which may not hold `--` nor end with `-`).  In formats that take
    trailing comments, a directive outside a comment sits in a quoted string:
    a value, not an attempt to suppress."""
    text = src.text
    if "sanlint:" not in text or src.format not in CONFIGURATION or placement(src.format) == "trailing":
        return []
    found: list[Comment] = comments(src)
    out = []
    for m in DIRECTIVE.finditer(text):
        codes = [c for c, _ in _codes(src, m)]
        span = src.span(m.start(), m.end())
        inside = next((c for c in found if c.start <= m.start() < c.end), None)
        if inside is None:
            kind = "no-comments" if placement(src.format) == "none" else \
                "continued" if not text[text.rfind("\n", 0, m.start()) + 1:m.start()].strip() else "trailing"
            out.append(Misplaced(src, span, codes, m.start(), kind))
        elif src.format == "crm" and ("--" in text[inside.start:inside.end] or
                                      text[inside.start:inside.end].rstrip().endswith("-")):
            out.append(Misplaced(src, span, codes, inside.start, "dashes"))
    return out


def covering(src: SourceFile, line: int, code: str) -> Suppression | None:
    """The suppression that hides finding `code` on `line` of `src`, if any."""
    return next((s for s in find(src) if line in s.covers and any(c == code for c, _ in s.codes)), None)
