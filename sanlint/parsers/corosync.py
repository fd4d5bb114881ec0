"""corosync.conf, 1.x (openais/aisexec) through 3.x (knet), with `grammars/corosync.lark`.

`parse(src)` gives a `CorosyncConfig`: `root` is the file as a nameless
section holding the top-level sections (`totem`, `nodelist`, ...), each
with its `key: value` settings and nested sections; `nodes` come from
`nodelist { node { ... } }`, `interfaces` from `totem { interface { ... } }`.

Syntax, as corosync 3.1's coroparse.c reads it (checked with `corosync -t`):
one statement per line; comments are whole lines starting with '#', so in
`secauth: off # no` the value is `off # no`; `name {` must end its line and
`}` must stand alone (corosync 2.x silently skipped a line it did not
understand, 3.x rejects it: "Line is not opening or closing section or key
value"); a value may be empty.  sanlint also requires names to use the
characters cmap accepts in key names, which corosync enforces only on
sections that hold keys, and rejects an empty key (`: x`), which 3.1.7 still
stores and later releases refuse ("Key name can't be empty").

`version` is a guess from what the file uses, since the file states no
version (`totem.version` is the totem protocol, 2 in every release):

* "1": an `aisexec` or `amf` section, or `service { name: pacemaker }`
  (the Pacemaker plugin exists only in corosync 1.x/openais), or no
  `nodelist` and no `quorum` section (corosync 2+ clusters need votequorum);
* "3": `transport: knet`, knet-only settings (`link_mode`, `crypto_model`,
  `knet_*`, an interface `linknumber`), or the knet-only `nozzle` section;
  `crypto_cipher`/`crypto_hash` alone prove nothing: corosync 2.0 has them;
* "2" otherwise (a nodelist with `transport: udpu`/`udp`, or no transport,
  which 3.x would run as knet: such a file may be either).
"""

from __future__ import annotations

import re

from lark import Token, Tree

from sanlint.model.base import Setting
from sanlint.model.corosync import CorosyncConfig, CorosyncInterface, CorosyncNode, CorosyncSection
from sanlint.parsers.grammar import parse_with
from sanlint.source import SourceFile, bounded_int

_COMMENT_LINE = re.compile(r"^[ \t\xa0]*#[^\n]*", re.M)
_RING_ADDR = re.compile(r"ring(\d+)_addr")
_KNET_ONLY = ("link_mode", "crypto_model", "knet_")


def parse(src: SourceFile) -> CorosyncConfig:
    text = _COMMENT_LINE.sub(lambda m: " " * len(m.group()), src.text)
    tree = parse_with("corosync", src, text)
    root = CorosyncSection(name="", span=src.whole(), body_span=src.whole())
    _fill(src, root, tree.children)
    config = CorosyncConfig(root=root, span=src.whole())
    config.nodes = [_node(s) for n in root.children("nodelist") for s in n.children("node")]
    config.interfaces = [_interface(s) for t in root.children("totem") for s in t.children("interface")]
    config.version = _version(root)
    return config


def _fill(src: SourceFile, section: CorosyncSection, nodes: list[Tree]) -> None:
    for node in nodes:
        name: Token = node.children[0]
        if node.data == "setting":
            section.settings.append(_setting(src, name, node))
        else:
            section.sections.append(_section(src, name, node))


def _setting(src: SourceFile, name: Token, node: Tree) -> Setting:
    value = node.children[1] if len(node.children) > 1 else None
    if value is None:  # `key:` with nothing after: an empty value, right after the colon
        colon = src.text.index(":", name.end_pos) + 1
        return Setting(name=str(name), value="", span=src.span(name.start_pos, colon),
                       value_span=src.span(colon, colon))
    return Setting(name=str(name), value=str(value), span=src.span(name.start_pos, value.end_pos),
                   value_span=src.span(value.start_pos, value.end_pos))


def _section(src: SourceFile, name: Token, node: Tree) -> CorosyncSection:
    start, end = node.meta.start_pos, node.meta.end_pos
    body_start = src.text.index("{", name.end_pos) + 1
    section = CorosyncSection(name=str(name), span=src.span(start, end),
                              body_span=src.span(body_start, end - 1))
    _fill(src, section, node.children[1:])
    return section


def _node(section: CorosyncSection) -> CorosyncNode:
    rings = {}
    for s in section.settings:
        m = _RING_ADDR.fullmatch(s.name)
        if m and s.value:
            rings[bounded_int(m.group(1))] = s.value
    return CorosyncNode(name=section.value("name"), nodeid=section.value("nodeid"),
                        ring_addrs=dict(sorted(rings.items())), span=section.span)


def _interface(section: CorosyncSection) -> CorosyncInterface:
    number = section.value("linknumber") or section.value("ringnumber") or "0"
    return CorosyncInterface(number=bounded_int(number) if number.isdigit() else 0,
                             bindnetaddr=section.value("bindnetaddr"), mcastaddr=section.value("mcastaddr"),
                             mcastport=section.value("mcastport"), span=section.span)


def _version(root: CorosyncSection) -> str:
    if _is_v1(root):
        return "1"
    if _is_v3(root):
        return "3"
    return "2"


def legacy_layout(root: CorosyncSection) -> bool:
    """Sections only corosync 1.x/openais reads: `aisexec`, `amf`, or the
    Pacemaker plugin (`service { name: pacemaker }`)."""
    if root.children("aisexec") or root.children("amf"):
        return True
    return any(s.value("name") == "pacemaker" for s in root.children("service"))


def _is_v1(root: CorosyncSection) -> bool:
    if legacy_layout(root):
        return True
    return not root.children("nodelist") and not root.children("quorum") and not _is_v3(root)


def _is_v3(root: CorosyncSection) -> bool:
    if root.children("nozzle"):
        return True
    for totem in root.children("totem"):
        if totem.value("transport") == "knet":
            return True
        if any(s.name.startswith(_KNET_ONLY) for s in totem.settings):
            return True
        for iface in totem.children("interface"):
            if iface.get("linknumber") or any(s.name.startswith("knet_") for s in iface.settings):
                return True
    return False
