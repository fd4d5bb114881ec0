"""lvm.conf and LVM metadata backups/archives (one syntax, `grammars/lvm.lark`).

`parse(src)` gives an `LvmConfig`: every `key = value` as an `LvmSetting`
whose `section` is the path of the enclosing sections (a path key such as
`devices/filter = [...]` at top level lands in section `devices`, as libdm
splits keys on '/').  A setting's `span` covers `key = value`; its
`value_span` covers a scalar string inside its quotes, any other scalar as
written, and an array from `[` to `]`.  Array elements are in `items`, each
spanning the element as written (quotes included), so a fix can replace,
insert before or delete one filter entry.

`parse_metadata(src)` reads `/etc/lvm/backup/VG` and `/etc/lvm/archive/*.vg`
(the same syntax, written by `vgcfgbackup` and before/after every LVM
command) into `VolumeGroup`s with their PVs (and the `device` hint) and LVs.

What LVM itself does (lvm2 2.03, libdm-config.c; checked with lvmconfig):
values are typed at lexing (`0x10` is the integer 0 followed by a key
`x10`, hence a syntax error); `"..."` strings unescape only `\\"` and
`\\\\`; a repeated key keeps the last value; a file holding only comments
and blank lines fails to load ("Failed to load config file"), while an
empty file is fine.
"""

from __future__ import annotations

import math
import re
from typing import Any

from lark import Token, Tree

from sanlint.model.lvm import (LogicalVolume, LvmConfig, LvmSectionBlock, LvmSetting, LvmValue,
                               PhysicalVolume, VolumeGroup)
from sanlint.parsers.grammar import parse_with
from sanlint.source import NumberTooLarge, ParseError, SourceFile, Span, bounded_int

_UNESCAPE = re.compile(r'\\(["\\])')


def parse(src: SourceFile) -> LvmConfig:
    tree = parse_with("lvm", src)
    config = LvmConfig(span=src.whole())
    if not tree.children and src.text.strip():
        line, col = src.line_col(len(src.text))
        raise ParseError("no settings: LVM refuses to load a file of only comments and blank lines",
                         line, col, char_offset=len(src.text))
    _Builder(src, config).statements(tree.children, [])
    return config


def parse_metadata(src: SourceFile) -> list[VolumeGroup]:
    """The VGs of a metadata backup/archive: its top-level sections."""
    config = parse(src)
    archive = "/archive/" in f"/{src.path or src.display}".replace("\\", "/")
    return [_volume_group(config, block, archive) for block in config.sections if "/" not in block.path]


# -- lvm.conf ----------------------------------------------------------------
class _Builder:
    def __init__(self, src: SourceFile, config: LvmConfig) -> None:
        self.src = src
        self.config = config

    def span(self, node: Tree | Token, end: Tree | Token | None = None) -> Span:
        return self.src.span(_start(node), _end(end if end is not None else node))

    def statements(self, nodes: list[Tree], section: list[str]) -> None:
        for node in nodes:
            key_node = node.children[0]
            path = section + self.key_path(key_node)
            if node.data == "section":
                self.section(node, path)
            else:
                self.setting(node, path)

    def key_path(self, key: Tree) -> list[str]:
        token = key.children[0]
        name = _scalar(token) if token.type != "KEY" else str(token)
        parts = [p for p in str(name).split("/") if p]
        if not parts:
            raise ParseError("empty key", token.line, token.column, found=repr(str(token)),
                             char_offset=token.start_pos)
        return parts

    def section(self, node: Tree, path: list[str]) -> None:
        open_brace, body = node.children[1], node.children[2:]
        self.config.sections.append(LvmSectionBlock(
            path="/".join(path), span=self.span(node),
            body_span=self.src.span(open_brace.end_pos, _end(node) - 1)))
        self.statements(body, path)

    def setting(self, node: Tree, path: list[str]) -> None:
        value_node = node.children[1]
        setting = LvmSetting(section="/".join(path[:-1]), name=path[-1], value=None, span=self.span(node))
        if isinstance(value_node, Tree):  # array
            setting.items = [LvmValue(value=_scalar(t), span=self.span(t))
                             for t in value_node.children if t.type != "COMMA"]
            setting.value = [item.value for item in setting.items]
            setting.value_span = self.span(value_node)
        else:
            setting.value = _scalar(value_node)
            setting.value_span = self._inner(value_node)
        self.config.settings.append(setting)

    def _inner(self, token: Token) -> Span:
        if token.type in ("STRING", "SQSTRING"):
            return self.src.span(token.start_pos + 1, token.end_pos - 1)
        return self.span(token)


def _start(node: Tree | Token) -> int:
    return node.start_pos if isinstance(node, Token) else node.meta.start_pos


def _end(node: Tree | Token) -> int:
    return node.end_pos if isinstance(node, Token) else node.meta.end_pos


def _scalar(token: Token) -> Any:
    text = str(token)
    if token.type == "INT":
        return _c_integer(text)
    if token.type == "FLOAT":
        return _float(text) if any(c.isdigit() for c in text) else 0.0
    if token.type == "STRING":
        return _UNESCAPE.sub(r"\1", text[1:-1])
    if token.type == "SQSTRING":
        return text[1:-1]
    return text


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > 2.0**63:
        raise NumberTooLarge(text)
    return value


def _c_integer(text: str) -> int:
    """What strtoll(text, NULL, 0) gives: a leading 0 means octal, so
    `umask = 077` is 63 and `08` is 0 (lvmconfig prints the same)."""
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits.startswith("0"):
        octal = re.match(r"[0-7]*", digits).group()
        return sign * bounded_int(octal or "0", 8)
    return sign * bounded_int(digits) if digits else 0


# -- metadata ----------------------------------------------------------------
def _str(config: LvmConfig, key: str) -> str | None:
    s = config.get(key)
    return s.value if s is not None and isinstance(s.value, str) else None


def _children(config: LvmConfig, parent: str) -> list[LvmSectionBlock]:
    return config.children(parent)


def _volume_group(config: LvmConfig, block: LvmSectionBlock, archive: bool) -> VolumeGroup:
    vg = block.path
    pvs = [PhysicalVolume(name=b.path.rsplit("/", 1)[1], device=_str(config, f"{b.path}/device"),
                          id=_str(config, f"{b.path}/id"), span=b.span)
           for b in _children(config, f"{vg}/physical_volumes")]
    lvs = [LogicalVolume(name=b.path.rsplit("/", 1)[1], vg=vg, size_extents=_extents(config, b.path), span=b.span)
           for b in _children(config, f"{vg}/logical_volumes")]
    return VolumeGroup(name=vg, id=_str(config, f"{vg}/id"), pvs=pvs, lvs=lvs,
                       system_id=_str(config, f"{vg}/system_id") or None, archive=archive, span=block.span)


def _extents(config: LvmConfig, lv: str) -> int | None:
    counts = [config.get(f"{seg.path}/extent_count") for seg in _children(config, lv)]
    values = [s.value for s in counts if s is not None and isinstance(s.value, int)]
    return sum(values) if values else None
