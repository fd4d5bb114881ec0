"""Useless suppression: a `sanlint: disable=` comment names an unknown code or suppresses nothing.

## What it checks

Every inline suppression (`# sanlint: disable=CODE[,CODE]` on its own line
above a statement, or at the end of the statement's line where the format
reads a trailing `#` as a comment; `<!-- sanlint: disable=CODE -->` before
an element in CIB XML): each code must be a known rule code, and must actually
suppress a finding there.  Codes of rules that are switched off by the
configuration are not reported.

## Why it matters

A suppression that no longer suppresses anything hides the next real
problem on that line, and a misspelt code (`DRBD1O1`) suppresses nothing
while looking as if it did.  Auditors read suppressions as accepted risks:
stale ones make the report lie.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  # sanlint: disable=DRBD124
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

Safe: the fix deletes the useless code from the list, or the whole comment
when no code is left; it changes no configuration value.

## Source

sanlint's suppression syntax (README); the same idea as ruff's RUF100
(unused `noqa`).
"""

from __future__ import annotations

from typing import Iterable

from sanlint.rule import Edit, Finding, Fix, Rule


class UnusedSuppressionRule(Rule):
    code = "SAN004"
    name = "unused-suppression"
    severity = "warning"
    reads = ("files",)
    fix = "safe"

    def check(self, ctx):  # the runner calls unused_suppressions() after all other rules
        return []


def unused_suppressions(rule: Rule, sups: Iterable, known: set[str], enabled: set[str]) -> list[Finding]:
    out = []
    for s in sups:
        bad = []
        for code, span in s.codes:
            if code not in known:
                bad.append((code, span, f"suppression names unknown rule code {code}"))
            elif code in enabled and code not in s.used:
                bad.append((code, span, f"suppression of {code} suppresses nothing on the line it covers"))
        for code, span, message in bad:
            fix = _removal(s, [c for c, _, _ in bad])
            out.append(rule.finding(message, span, identity=f"suppression {code} in {s.file.display}", fix=fix))
    return out


def _removal(s, drop: list[str]) -> Fix:
    keep = [c for c, _ in s.codes if c not in drop]
    if keep:
        first, last = s.codes[0][1], s.codes[-1][1]
        from sanlint.source import Span
        codes_span = Span(s.file, first.start, last.end)
        return Fix([Edit.replace(codes_span, ",".join(keep))], f"drop {', '.join(drop)} from the suppression")
    span = s.span
    data = s.file.data
    line_start = data.rfind(b"\n", 0, span.start) + 1
    before = data[line_start:span.start]
    end = span.end
    if data[span.start:span.start + 4] == b"<!--":
        close = data.find(b"-->", span.end)
        end = close + 3 if close >= 0 else span.end
    line_end = data.find(b"\n", end)
    line_end = len(data) if line_end < 0 else line_end
    rest = data[end:line_end]
    if not before.strip() and (not rest.strip() or data[span.start:span.start + 1] == b"#"):
        return Fix([Edit(s.file, line_start, min(line_end + 1, len(data)), "")], "delete the useless suppression comment")
    # trailing comment after a statement: cut from the whitespace before the comment
    cut = span.start
    while cut > line_start and data[cut - 1:cut] in (b" ", b"\t"):
        cut -= 1
    if data[span.start:span.start + 1] == b"#":
        return Fix([Edit(s.file, cut, line_end, "")], "delete the useless suppression comment")
    return Fix([Edit(s.file, cut, end, "")], "delete the useless suppression comment")
