"""SBD's configuration: `/etc/sysconfig/sbd` (RHEL, SUSE), `/etc/default/sbd` (Debian).

How sbd reads it (ClusterLabs/sbd): `sbd.service` loads the file with
`EnvironmentFile=-/etc/sysconfig/sbd` (systemd.exec(5)), the SysV script
`sbd.sh` sources it with `.`, and the daemon takes each setting from its
environment (`get_env_option`: leading blanks dropped, an empty value is
no value).  So the file is a list of shell variable assignments:

* `NAME=value`, optionally `export NAME=value`; no blanks around `=`;
* values unquoted, "double quoted" (backslash escapes `\\"`, `\\\\`, `\\$`,
  `` \\` ``) or 'single quoted', and words may join quoted parts;
* `#` starts a comment at the start of a word; lines starting with `;`
  are comments for systemd (sanlint accepts them too);
* `$VAR` is kept as written (neither reader of this file expands it the
  same way: systemd does not expand at all).

Anything else (a command, `NAME = value`, an unterminated quote) is a
parse error: a shell would fail on it and systemd would skip the line.

`SBD_DEVICE` is split as `parse_device_line` does: at every `;`, blanks
around an entry dropped; an empty entry (`a;;b`, a leading or trailing
`;`) is kept apart in `empty_devices` (sbd logs "Could not parse" and
skips it).
"""

from __future__ import annotations

import re

from sanlint.model.base import Setting
from sanlint.model.sbd import SbdConfig, SbdDevice
from sanlint.source import ParseError, SourceFile

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BLANK = " \t"
_ESCAPABLE = '"\\$`\n'


def parse(src: SourceFile) -> SbdConfig:
    text = src.text
    cfg = SbdConfig(span=src.whole())
    pos, n = 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch in _BLANK or ch in "\r\n":
            pos += 1
            continue
        if ch == "#" or (ch == ";" and _at_line_start(text, pos)):
            pos = _line_end(text, pos)
            continue
        start = pos
        if text.startswith("export", pos) and pos + 6 < n and text[pos + 6] in _BLANK:
            pos += 6
            while pos < n and text[pos] in _BLANK:
                pos += 1
        m = _NAME.match(text, pos)
        if not m or m.end() >= n or text[m.end()] != "=":
            _fail(src, pos, "not a variable assignment", "NAME=value")
        name = m.group()
        pos = m.end() + 1
        value, raw, vstart, vend, pos = _word(src, pos)
        tail = pos
        while tail < n and text[tail] in _BLANK:
            tail += 1
        if tail < n and text[tail] not in "\r\n#":
            _fail(src, tail, "text after the value (quote a value that holds blanks)", "end of line or # comment")
        setting = Setting(name=name, value=value, span=src.span(start, pos), value_span=src.span(vstart, vend))
        cfg.settings.append(setting)
        if name == "SBD_DEVICE":
            cfg.devices, cfg.empty_devices = [], []
            _devices(src, cfg, value, raw, vstart)
        pos = tail
    return cfg


def _at_line_start(text: str, pos: int) -> bool:
    ls = text.rfind("\n", 0, pos) + 1
    return not text[ls:pos].strip(_BLANK)


def _line_end(text: str, pos: int) -> int:
    e = text.find("\n", pos)
    return len(text) if e < 0 else e


def _fail(src: SourceFile, pos: int, msg: str, expected: str) -> None:
    line, col = src.line_col(pos)
    end = _line_end(src.text, pos)
    found = src.text[pos:end].strip() or "end of line"
    raise ParseError(msg, line, col, found=repr(found[:40]), expected=[expected], char_offset=pos)


def _word(src: SourceFile, pos: int) -> tuple[str, bool, int, int, int]:
    """One shell word from `pos`: (value, raw, value_start, value_end, end).
    `raw` tells the value is the text between value_start and value_end
    unchanged (no escapes, no quotes inside), so offsets in it map to the file."""
    text, n = src.text, len(src.text)
    out: list[str] = []
    start = pos
    quoted_whole = False
    raw = True
    while pos < n and text[pos] not in _BLANK and text[pos] not in "\r\n":
        ch = text[pos]
        if ch == '"' or ch == "'":
            close = pos + 1
            buf = []
            while True:
                if close >= n:
                    _fail(src, pos, "unterminated quote", f"closing {ch}")
                c = text[close]
                if c == ch:
                    break
                if ch == '"' and c == "\\" and close + 1 < n and text[close + 1] in _ESCAPABLE:
                    raw = False
                    if text[close + 1] != "\n":
                        buf.append(text[close + 1])
                    close += 2
                    continue
                buf.append(c)
                close += 1
            if pos == start:
                quoted_whole = True
            else:
                raw = False
            out.append("".join(buf))
            pos = close + 1
            continue
        if quoted_whole:
            raw = False
            quoted_whole = False
        if ch == "\\" and pos + 1 < n:
            raw = False
            if text[pos + 1] != "\n":
                out.append(text[pos + 1])
            pos += 2
            continue
        out.append(ch)
        pos += 1
    value = "".join(out)
    if quoted_whole and raw:
        return value, True, start + 1, pos - 1, pos
    return value, raw and not quoted_whole, start, pos, pos


def _devices(src: SourceFile, cfg: SbdConfig, value: str, raw: bool, vstart: int) -> None:
    if not value.strip():
        return  # unset: sbd runs without a disk (watchdog only)
    offset = 0
    for part in value.split(";"):
        lead = len(part) - len(part.lstrip())
        entry = part.strip()
        if raw:
            s, e = vstart + offset + lead, vstart + offset + lead + len(entry)
            span = src.span(s, e) if entry else src.span(vstart + offset, vstart + offset + len(part))
        else:
            span = src.span(vstart, vstart + len(value))
        if entry:
            cfg.devices.append(SbdDevice(path=entry, span=span))
        else:
            cfg.empty_devices.append(span)
        offset += len(part) + 1
