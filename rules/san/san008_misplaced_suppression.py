"""Misplaced suppression: a `# sanlint: disable=` at the end of a line whose format reads `#` only at the start of a line.

## What it checks

A `# sanlint: disable=CODE` written after configuration on the same line in
a format whose own parser takes `#` as a comment only at the start of a
line: corosync.conf, crm configuration (also a comment line inside a
statement continued with `\\`), ietd.conf, initiators.allow/targets.allow,
sbd's sysconfig and iptables-save files; and any such text in LIO's
saveconfig.json, which is JSON and has no comments.  Such a suppression is
not honoured: the finding it meant to hide is still reported.  Also a crm
suppression whose reason follows `--` (or that ends with `-`): crmsh keeps
crm comments as XML comments, which may not hold `--`, so `crm configure
load` refuses the whole file; there the reason goes after `;`.

## Why it matters

For those tools the text is not a comment but part of the line: corosync
reads `secauth: off # sanlint: disable=CORO101` as the value
`off # sanlint: disable=CORO101`, crmsh refuses the statement, IET passes
`Type=fileio # sanlint:...` to the kernel as the LUN's options and reads
`10.0.0.0/24 # sanlint:...` in initiators.allow as one address that
matches nobody.  The file now says something else than the admin meant.

## Example

```corosync path=etc/corosync/corosync.conf
totem {
  version: 2
  cluster_name: san
  secauth: off # sanlint: disable=CORO101 -- isolated back-to-back link
}
```

## Use instead

```corosync path=etc/corosync/corosync.conf
totem {
  version: 2
  cluster_name: san
  # sanlint: disable=CORO101 -- isolated back-to-back link
  secauth: off
}
```

## Fix safety

Unsafe: the fix moves the comment onto its own line above the statement
(the first line of a continued crm statement), with the statement's
indentation.  (Replacing a crm suppression's `--` by `;` is safe: it
changes a comment only.)  The tool then reads the value without the comment text,
which is what the line meant but not what the tool read until now.  No fix
inside a continued crm statement's middle line when the line itself ends
with `\\`, nor in JSON.

## Source

corosync `exec/coroparse.c` `parse_section` (a line is a comment only when
its first non-blank character is `#`); crmsh `crmsh/parse.py` `parse` and
`utils.lines2cli`, and `xmlutil.stuff_comments` (crm comments become XML
comments: `configure.load: Comment may not contain '--' or end with '-'`,
crmsh 4.6); IET `usr/plain.c` (`*p == '#'` on a line's first word);
systemd `src/basic/env-file.c` (sbd's `EnvironmentFile=`).  The formats
that do take a trailing `#` (DRBD, LVM, tgt) are listed in the README.
"""

from __future__ import annotations

import re

from sanlint.rule import Edit, Fix, Rule
from sanlint.suppressions import misplaced


class MisplacedSuppressionRule(Rule):
    code = "SAN008"
    name = "misplaced-suppression"
    severity = "error"
    reads = ("files",)
    fix = "unsafe"

    def check(self, ctx):
        for src in ctx.site.files:
            for m in misplaced(src):
                codes = ",".join(m.codes)
                if m.kind == "dashes":
                    yield self.finding(
                        f"suppression of {codes} holds `--` (or ends with `-`): crmsh keeps crm comments as XML "
                        f"comments, which may not, so `crm configure load` refuses the file; write the reason "
                        f"after `;`", m.span, identity=f"crm suppression {codes} with dashes in {src.display}",
                        fix=_undash(m), host=src.host)
                    continue
                yield self.finding(f"suppression of {codes} is not a comment here, so it is not honoured: "
                                   f"{_why(m)}", m.span, identity=f"misplaced suppression {codes} in {src.display}",
                                   fix=_move(m), host=src.host)


def _why(m) -> str:
    fmt = m.file.format
    if m.kind == "no-comments":
        return "JSON has no comments (use per-file-ignores in the configuration)"
    if m.kind == "continued":
        return ("crmsh joins a comment line that follows a `\\` continuation into the statement; "
                "put it above the statement's first line")
    if fmt in ("cib", "firewalld"):
        return "in XML write <!-- sanlint: disable=CODE --> before the element"
    tool = {"corosync": "corosync", "crm": "crmsh", "ietd": "ietd", "ietd-allow": "ietd", "sbd": "systemd",
            "iptables": "iptables-restore"}.get(fmt or "", fmt or "this format's parser")
    return f"{tool} reads `#` as a comment only at the start of a line; put it on its own line above the statement"


def _undash(m) -> Fix:
    src = m.file
    text = src.text
    end = text.find("\n", m.comment_start)
    end = len(text) if end < 0 else end
    comment = text[m.comment_start:end].rstrip("\r")
    new = re.sub(r"[ \t]*-{2,}[ \t]*", " ; ", comment).rstrip("- \t")
    return Fix([Edit(src, src.byte_offset(m.comment_start), src.byte_offset(m.comment_start + len(comment)), new)],
               "write the reason after `;`")


def _move(m) -> Fix | None:
    """Delete the trailing comment (and the blanks before it) and put it on
    its own line above the statement's first line, with that line's indent."""
    src = m.file
    if m.kind != "trailing" or src.format in ("cib", "firewalld"):
        return None
    text = src.text
    start = m.comment_start
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", start)
    le = len(text) if le < 0 else le
    if text[ls:le].rstrip(" \t\r").endswith("\\"):
        return None  # the line continues: the comment would end the statement
    first = ls  # crm: a continued statement starts at the first line not continuing the one above
    while src.format == "crm" and first > 0:
        prev = text.rfind("\n", 0, first - 1) + 1
        if not text[prev:first - 1].rstrip(" \t\r").endswith("\\"):
            break
        first = prev
    line = text[first:text.find("\n", first) if text.find("\n", first) >= 0 else len(text)]
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    cut = start
    while cut > ls and text[cut - 1] in " \t":
        cut -= 1
    body_end = le - 1 if le > start and text[le - 1] == "\r" else le
    comment = text[start:body_end]
    return Fix([Edit(src, src.byte_offset(cut), src.byte_offset(body_end), ""),
                Edit.insert(src, src.byte_offset(first), f"{indent}{comment}\n")],
               "move the suppression onto its own line above the statement", safe=False)
