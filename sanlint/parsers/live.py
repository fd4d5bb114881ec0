"""Command output collected from a running node (sosreport layout).

* `corosync-cmapctl` (corosync `tools/corosync-cmapctl.c` `print_key`):
  one `KEY (TYPE) = VALUE` line per key; a binary key prints `KEY (bin)`
  without a value unless `-b` was given.
* `sbd -d DEV dump` (sbd `src/sbd-md.c` `header_dump`):
  `==Dumping header on disk DEV`, `Timeout (watchdog) : N`, ...
  `Timeout (msgwait)  : N`, `==Header on disk DEV is dumped`; several
  devices may follow each other in one file.
* `installed-rpms` (sos `rpm` plugin: `rpm -qa --qf "%-59{NVRA} %{INSTALLTIME:date}"`):
  `name-version-release.arch   <install date>`.
* `dpkg -l` (sos `dpkg` plugin): a header, then rows `ii  name[:arch]  version  arch  description`.

Lines that match none of these shapes are errors (file:line:column), never
skipped in silence; blank lines and dpkg's header are the exceptions.
"""

from __future__ import annotations

import re

from sanlint.model.live import CmapDump, CmapValue, Package, SbdDump
from sanlint.source import ParseError, SourceFile

_CMAP = re.compile(r"^(?P<key>[^\s()]+) \((?P<type>[iu](?:8|16|32|64)|flt|dbl|str|bin)\)(?: = (?P<value>.*))?$")
_RPM = re.compile(r"^(?P<name>\S+)-(?P<version>[^-\s]+-[^-\s]+)\.(?P<arch>[^.\s]+)(?:\s+.*)?$")
_DPKG = re.compile(r"^(?P<state>[a-zA-Z][a-zA-Z ][a-zA-Z ]?)\s+(?P<name>[^\s:]+)(?::\S+)?\s+(?P<version>\S+)\s+(?P<arch>\S+)")
_SBD_LINE = re.compile(r"^(?P<label>[A-Za-z ()]+?)\s*:\s*(?P<value>\S+)\s*$")


def _lines(src: SourceFile):
    offset = 0
    for n, line in enumerate(src.text.split("\n"), 1):
        yield n, offset, line.rstrip("\r")
        offset += len(line) + 1


def _fail(src: SourceFile, offset: int, line: str, what: str, expected: str) -> None:
    ln, col = src.line_col(offset)
    raise ParseError(what, ln, col, found=repr(line[:60]), expected=[expected], char_offset=offset)


def parse_cmap(src: SourceFile) -> CmapDump:
    dump = CmapDump(span=src.whole())
    for _, offset, line in _lines(src):
        if not line.strip():
            continue
        m = _CMAP.match(line)
        if not m:
            _fail(src, offset, line, "not a corosync-cmapctl line", "KEY (TYPE) = VALUE")
        dump.values[m["key"]] = CmapValue(key=m["key"], type=m["type"], value=m["value"],
                                          span=src.span(offset, offset + len(line)))
    return dump


def parse_sbd_dump(src: SourceFile) -> list[SbdDump]:
    out: list[SbdDump] = []
    cur: SbdDump | None = None
    fields = {"Timeout (watchdog)": "watchdog", "Timeout (msgwait)": "msgwait", "Timeout (allocate)": "allocate",
              "Timeout (loop)": "loop", "Number of slots": "slots"}
    for _, offset, line in _lines(src):
        s = line.strip()
        if not s:
            continue
        m = re.match(r"^==Dumping header on disk (\S+)", s)
        if m:
            cur = SbdDump(device=m.group(1), span=src.span(offset, offset + len(line)))
            out.append(cur)
            continue
        if s.startswith("==Header on disk") or s.startswith("=="):
            continue
        m = _SBD_LINE.match(s)
        if not m or cur is None:
            _fail(src, offset, line, "not a line of `sbd dump` output", "==Dumping header on disk DEV / LABEL : VALUE")
        attr = fields.get(m["label"].strip())
        if attr is not None:
            if not m["value"].isdigit():
                _fail(src, offset + line.index(m["value"]), line, "not a number", "seconds")
            setattr(cur, attr, int(m["value"]))
            if attr == "msgwait":
                cur.msgwait_span = src.span(offset, offset + len(line))
    return out


def parse_rpms(src: SourceFile) -> list[Package]:
    out = []
    for _, offset, line in _lines(src):
        if not line.strip():
            continue
        m = _RPM.match(line.strip())
        if not m:
            _fail(src, offset, line, "not an installed-rpms line", "name-version-release.arch [date]")
        out.append(Package(name=m["name"], version=m["version"], arch=m["arch"], span=src.span(offset, offset + len(line))))
    return out


def parse_dpkg(src: SourceFile) -> list[Package]:
    out = []
    table = False
    for _, offset, line in _lines(src):
        if not line.strip():
            continue
        if line.startswith("+++-"):
            table = True
            continue
        if not table:
            continue  # dpkg's legend: Desired=..., | Status=..., ||/ Name ...
        m = _DPKG.match(line)
        if not m:
            _fail(src, offset, line, "not a dpkg -l row", "STATE NAME VERSION ARCH DESCRIPTION")
        if m["state"].strip().startswith("ii") or m["state"][:2] in ("ii", "hi"):
            out.append(Package(name=m["name"], version=m["version"], arch=m["arch"],
                               span=src.span(offset, offset + len(line))))
    return out
