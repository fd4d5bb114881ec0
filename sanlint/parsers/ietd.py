"""ietd.conf and initiators.allow / targets.allow (iSCSI Enterprise Target).

ietd.conf is line based (ietd.conf(5)): everything before the first
`Target` line is global (discovery `IncomingUser`/`OutgoingUser`, iSNS and
iSCSI parameters), each `Target IQN` opens a target that runs to the next
one.  Keywords are case-insensitive; a line whose first word starts with `#`
is a comment, and a trailing backslash continues a line.

Models:

* `Lun N Path=..,Type=fileio|blockio|nullio[,ScsiId=..][,ScsiSN=..][,IOMode=wb|wt|ro]`
  -> `IscsiLun` in `target.luns`; with a blank inside the options
  (`Path=/dev/x, Type=blockio`) in `target.refused_luns` instead: IET splits
  the options at commas only (kernel `strsep(&params, ",")` + `match_token`),
  so ` Type=blockio` is an "unknown param" and the kernel refuses the LUN
  (iscsitarget kernel/file-io.c and block-io.c `parse_*_params`); ISCSI114.
  An `IscsiLun`: `io_type` is `Type=` (ietd's default is fileio),
  `write_cache` is True only for `IOMode=wb` on fileio (ietd ignores wb on
  blockio; the default is write-through), the other options go to `params`.
* Target `IncomingUser`/`OutgoingUser` -> `ChapUser`.  The global (discovery)
  ones go to `global_params` as two settings, `IncomingUser` = the user and
  `IncomingUser.password` = the password (a secret name, so `to_json`
  redacts it), since `IscsiConfig` has no discovery account list.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import PurePath

from lark import Token, Tree

from sanlint.model.base import Setting
from sanlint.model.iscsi import AllowRule, ChapUser, IscsiConfig, IscsiLun, IscsiTarget
from sanlint.parsers.grammar import parse_with
from sanlint.source import ParseError, SourceFile, bounded_int

_COMMENT_LINE = re.compile(r"^[ \t\f\r]*#[^\n]*", re.M)
_CONTINUATION = re.compile(r"\\\r?\n")


def _blank(m: re.Match) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def preprocess(text: str) -> str:
    """Blank comment lines and join continued lines, keeping every offset."""
    text = _COMMENT_LINE.sub(_blank, text)
    return _CONTINUATION.sub(lambda m: " " * len(m.group(0)), text)


def parse(src: SourceFile) -> IscsiConfig:
    text = preprocess(src.text)
    try:
        tree = parse_with("ietd", src, text=text)
    except ParseError as e:
        raise _relocated(src, e) from None
    cfg = IscsiConfig(stack="ietd", span=src.whole())
    target: IscsiTarget | None = None
    extent: list[int] = []  # char offsets of the current target: start, end of its last statement
    for stmt in tree.children:
        if stmt.data == "target":
            _finish(src, target, extent, text)
            target = _target(src, stmt)
            cfg.targets.append(target)
            extent = [stmt.meta.start_pos, stmt.meta.end_pos]
        elif target is None:
            _global(src, cfg, stmt)
        else:
            _in_target(src, target, stmt)
            extent[1] = stmt.meta.end_pos
    _finish(src, target, extent, text)
    return cfg


def _finish(src: SourceFile, target: IscsiTarget | None, extent: list[int], text: str) -> None:
    """A target spans its `Target` line through its last statement; its body
    starts on the line after `Target`."""
    if target is None:
        return
    start, end = extent
    line_end = text.find("\n", start)
    body_start = end if line_end < 0 else min(line_end + 1, end)
    target.span = src.span(start, end)
    target.body_span = src.span(body_start, end)


def _relocated(src: SourceFile, e: ParseError) -> ParseError:
    # continuation lines were joined: Lark's line numbers can lag behind
    if e.char_offset is not None:
        e.line, e.column = src.line_col(e.char_offset)
    return e


def _span(src: SourceFile, node: Tree | Token):
    if isinstance(node, Token):
        return src.span(node.start_pos, node.end_pos)
    return src.span(node.meta.start_pos, node.meta.end_pos)


def _target(src: SourceFile, stmt: Tree) -> IscsiTarget:
    _, name = stmt.children
    return IscsiTarget(name=str(name), stack="ietd", span=_span(src, stmt))


def _global(src: SourceFile, cfg: IscsiConfig, stmt: Tree) -> None:
    if stmt.data == "user":
        kw, user, password = stmt.children
        cfg.global_params.append(Setting(str(kw), str(user), span=_span(src, stmt), value_span=_span(src, user)))
        cfg.global_params.append(Setting(f"{kw}.password", str(password), span=_span(src, stmt),
                                         value_span=_span(src, password)))
    elif stmt.data == "param":
        cfg.global_params.append(_setting(src, stmt))
    else:
        word = stmt.children[0]
        raise ParseError(f"{word} outside a Target", word.line, word.column, found=repr(str(word)),
                         expected=["Target"], char_offset=word.start_pos)


def _in_target(src: SourceFile, target: IscsiTarget, stmt: Tree) -> None:
    if stmt.data == "lun":
        lun, blank = _lun(src, stmt)
        (target.luns if blank is None else target.refused_luns).append(lun)
    elif stmt.data == "user":
        kw, user, password = stmt.children
        direction = "incoming" if str(kw).lower().startswith("incoming") else "outgoing"
        target.chap.append(ChapUser(direction, str(user), str(password), span=_span(src, stmt)))
    elif stmt.data == "alias":
        target.alias = str(stmt.children[1])
    else:
        target.params.append(_setting(src, stmt))


def _setting(src: SourceFile, stmt: Tree) -> Setting:
    name, value = stmt.children
    return Setting(str(name), str(value), span=_span(src, stmt), value_span=_span(src, value))


def _lun(src: SourceFile, stmt: Tree) -> tuple[IscsiLun, int | None]:
    """The LUN, and the offset of a blank inside its options (None: IET accepts them)."""
    _, number, opts = stmt.children
    blank = _blank_in(src, opts)
    lun = IscsiLun(bounded_int(str(number), char_offset=number.start_pos), None, span=_span(src, stmt), number_span=_span(src, number))
    for opt in opts.children:
        key, value = opt.children
        _lun_option(src, lun, str(key), value)
    if lun.io_type is None:
        lun.io_type = "fileio"  # ietd.conf(5): fileio is the default mode
    wb = lun.params.get("IOMode") == "wb"
    lun.write_cache = wb and lun.io_type == "fileio" if lun.io_type != "nullio" else None
    return lun, blank


def _lun_option(src: SourceFile, lun: IscsiLun, key: str, value: Token) -> None:
    if key == "Path":
        lun.path = str(value)
    elif key == "Type":
        lun.io_type = str(value)
        lun.io_type_span = _span(src, value)
    else:
        lun.params[key] = str(value)


def _blank_in(src: SourceFile, opts: Tree) -> int | None:
    """Offset of the first blank inside the options after the LUN number (ietd.conf(5): none allowed)."""
    text = src.text[opts.meta.start_pos:opts.meta.end_pos]
    m = re.search(r"\s", text)
    return opts.meta.start_pos + m.start() if m else None


# -- initiators.allow / targets.allow -----------------------------------------

_NAME_PREFIXES = ("iqn.", "eui.", "naa.")


def parse_allow(src: SourceFile) -> IscsiConfig:
    """`TARGET ADDR[, ADDR...]` lines: TARGET is an IQN, `ALL` or a
    `/regex/`; an address is `ALL`, an IPv4 address or network, a
    bracketed IPv6 address or network, or an initiator name."""
    cfg = IscsiConfig(stack="ietd", span=src.whole())
    kind = "targets" if PurePath(src.display).name.startswith("targets") else "initiators"
    offset = 0
    for raw in src.text.split("\n"):
        rule = _allow_line(src, raw, offset, kind)
        if rule is not None:
            cfg.allow_rules.append(rule)
        offset += len(raw) + 1
    return cfg


def _allow_line(src: SourceFile, raw: str, offset: int, kind: str) -> AllowRule | None:
    line = raw.rstrip("\r \t")
    stripped = line.lstrip()
    if not stripped or stripped.startswith("#"):
        return None
    lead = len(line) - len(stripped)
    parts = stripped.split(None, 1)
    if len(parts) < 2:
        _fail(src, offset + len(line), "no initiator listed after the target", found="end of line",
              expected=["address", "initiator name", "ALL"])
    target, rest = parts
    rest_at = offset + lead + stripped.index(rest, len(target))
    entries = _allow_entries(src, rest, rest_at)
    return AllowRule(target, entries, kind, span=src.span(offset + lead, offset + len(line)))


def _allow_entries(src: SourceFile, rest: str, at: int) -> list[str]:
    entries: list[str] = []
    pos = 0
    for piece in rest.split(","):
        entry = piece.strip()
        start = at + pos + (len(piece) - len(piece.lstrip()))
        if not entry:
            _fail(src, start, "empty entry", found="','", expected=["address", "initiator name", "ALL"])
        if not _valid_entry(entry):
            _fail(src, start, "not an address, network or initiator name", found=repr(entry))
        entries.append(entry)
        pos += len(piece) + 1
    return entries


def _valid_entry(entry: str) -> bool:
    if entry == "ALL" or entry.lower().startswith(_NAME_PREFIXES):
        return " " not in entry and "\t" not in entry
    m = re.fullmatch(r"\[([^\]]+)\](?:/(\d+))?", entry)
    addr, prefix = (m.group(1), m.group(2)) if m else (entry.partition("/")[0], entry.partition("/")[2] or None)
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    if prefix is None:
        return True
    return prefix.isdigit() and len(prefix) <= 3 and int(prefix) <= ip.max_prefixlen


def _fail(src: SourceFile, pos: int, message: str, found: str | None = None,
          expected: list[str] | None = None) -> None:
    line, col = src.line_col(pos)
    raise ParseError(message, line, col, found=found, expected=expected, char_offset=pos)
