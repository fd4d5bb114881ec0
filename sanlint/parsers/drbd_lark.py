"""The reference DRBD parser: `grammars/drbd.lark` (Lark LALR) walked into the
`sanlint.model.drbd` objects.

`sanlint.parsers.drbd.parse` reads files with a hand-written scanner and
parser (20x faster) and hands every file it does not accept to this one,
so syntax errors, and the rare constructs the fast parser leaves out,
come from here.  tests/test_parse_drbd_fast.py checks that both give the
same model, spans included, on every DRBD fixture and generated configs.
What the grammar accepts, and why, is described in sanlint/parsers/drbd.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from sanlint.parsers.grammar import _import_lark

_import_lark()  # without the optional `regex` module (see there)
from lark import Token, Tree  # noqa: E402

from sanlint.model.base import Setting
from sanlint.model.drbd import (DrbdAddress, DrbdConfig, DrbdConnection, DrbdEndpoint, DrbdHost, DrbdInclude,
                                DrbdPath, DrbdProxy, DrbdResource, DrbdSection, DrbdVolume)
from sanlint.parsers.drbd import _DRBD_MINOR, _IPV4, _NUM, _SCALE, RESERVED
from sanlint.parsers.drbd import floating_name as _floating_name
from sanlint.parsers.grammar import parse_with
from sanlint.source import ParseError, SourceFile, Span, bounded_int

_HOST_SECTIONS = ("host_section", "floating", "stacked", "this_host", "remote_host")
_VOLUME_STATEMENTS = ("disk_stmt", "device_stmt", "meta_disk_stmt", "flex_meta_disk_stmt", "disk_section")


def parse(src: SourceFile) -> DrbdConfig:
    tree = parse_with("drbd", src)
    return _Builder(src).config(tree)


# -- token helpers -------------------------------------------------------------

def _unquote(tok: Token) -> str:
    """drbdadm's unescape(): drop the quotes, a backslash quotes the next character."""
    text = str(tok)
    if tok.type != "DQSTRING":
        return text
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _atoi(text: str) -> int:
    return bounded_int(re.match(r"[0-9]*", text).group(0) or "0")


def _strtoll(text: str) -> int:
    """An INT token as drbdadm's m_strtoll reads it (K/M/G/s suffix scales)."""
    return _atoi(text) * _SCALE.get(text[-1], 1)


def _tokens(node: Tree, *types: str) -> list[Token]:
    return [c for c in node.children if isinstance(c, Token) and c.type in types]


def _first(node: Tree, *types: str) -> Token | None:
    for c in node.children:
        if isinstance(c, Token) and c.type in types:
            return c
    return None


def _subtrees(node: Tree, *names: str) -> Iterator[Tree]:
    for c in node.children:
        if isinstance(c, Tree) and c.data in names:
            yield c


@dataclass
class _Hints:
    nine: Token | Tree | None = None
    eight_four: Token | Tree | None = None
    syncer: Token | None = None
    resource_protocol: Setting | None = None
    net_protocol: bool = False


@dataclass
class _Builder:
    src: SourceFile
    hints: _Hints = field(default_factory=_Hints)
    skipped: list[Span] = field(default_factory=list)

    # -- spans ---------------------------------------------------------------
    def span(self, node: Tree | Token) -> Span:
        if isinstance(node, Token):
            return self.src.span(node.start_pos, node.end_pos)
        return self.src.span(node.meta.start_pos, node.meta.end_pos)

    def span_between(self, first: Tree | Token, last: Tree | Token) -> Span:
        start = first.start_pos if isinstance(first, Token) else first.meta.start_pos
        end = last.end_pos if isinstance(last, Token) else last.meta.end_pos
        return self.src.span(start, end)

    def body_span(self, node: Tree) -> Span | None:
        """Text strictly between the node's own (first) `{` and its last `}`."""
        lb = _first(node, "LBRACE")
        rb = _tokens(node, "RBRACE")
        if lb is None or not rb:
            return None
        return self.src.span(lb.end_pos, rb[-1].start_pos)

    def value_span(self, values: list[Token]) -> Span | None:
        if not values:
            return None
        if len(values) == 1 and values[0].type == "DQSTRING":
            return self.src.span(values[0].start_pos + 1, values[0].end_pos - 1)
        return self.span_between(values[0], values[-1])

    def error(self, tok: Token, message: str, expected: list[str]) -> ParseError:
        return ParseError(message, tok.line, tok.column, found=repr(str(tok)), expected=expected,
                          char_offset=tok.start_pos)

    def name(self, tok: Token) -> str:
        """A TK_STRING position: quoted, or a bare word the scanner does not
        turn into a keyword, number or address."""
        text = str(tok)
        if tok.type == "WORD" and (text in RESERVED or _NUM.fullmatch(text) or _IPV4.fullmatch(text)):
            why = "a keyword" if text in RESERVED else "not a string to drbdadm"
            raise self.error(tok, f"syntax error ({text!r} is {why}; quote it)", ["string"])
        return _unquote(tok)

    def hint9(self, node: Tree | Token) -> None:
        if self.hints.nine is None:
            self.hints.nine = node

    def hint84(self, node: Tree | Token) -> None:
        if self.hints.eight_four is None:
            self.hints.eight_four = node

    # -- top level -------------------------------------------------------------
    def config(self, tree: Tree) -> DrbdConfig:
        cfg = DrbdConfig(span=self.src.whole())
        for node in tree.children:
            kind = node.data
            if kind == "global_section":
                sec = self.section(node, "global")
                cfg.global_sections.append(sec)
                cfg.global_options.extend(sec.options)
                if cfg.global_span is None:
                    cfg.global_span = sec.span
            elif kind == "common_section":
                common = self.resource(node, "common", in_common=True)
                cfg.commons.append(common)
                cfg.common.extend(common.sections)
                cfg.common_protocol = common.protocol or cfg.common_protocol
            elif kind == "resource":
                name_tok = node.children[1]
                cfg.resources.append(self.resource(node, self.name(name_tok)))
            elif kind == "include":
                tok = node.children[1]
                cfg.includes.append(DrbdInclude(self.name(tok), span=self.span(node),
                                                pattern_span=self.value_span([tok])))
            elif kind == "module_version":
                self.hint9(node)
                cfg.module_versions.append(self.setting(node))
            elif kind == "skip_block":
                self.skipped.append(self.span(node))
        cfg.skipped = self.skipped
        cfg.version_hint, cfg.version_hint_span = self.version_hint()
        return cfg

    def version_hint(self) -> tuple[str | None, Span | None]:
        h = self.hints
        if h.nine is not None:
            return "9", self.span(h.nine)
        if h.eight_four is not None:
            return "8.4", self.span(h.eight_four)
        if h.syncer is not None:
            return "8.3", self.span(h.syncer)
        return None, None

    # -- settings and sections -------------------------------------------------------
    def setting(self, node: Tree, name: str | None = None) -> Setting:
        """`WORD value* ;` (or KEYWORD value* ;): name, joined values, spans."""
        toks = [c for c in node.children if isinstance(c, Token) and c.type != "SEMICOLON"]
        if name is None:
            name, toks = str(toks[0]), toks[1:]
        elif toks and toks[0].type not in ("WORD", "DQSTRING"):
            toks = toks[1:]  # the keyword itself
        value = " ".join(_unquote(t) for t in toks) if toks else None
        return Setting(name, value, span=self.span(node), value_span=self.value_span(toks))

    def section(self, node: Tree, kind: str | None = None) -> DrbdSection:
        kind = kind or str(node.children[0])
        sec = DrbdSection(kind, span=self.span(node), body_span=self.body_span(node))
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "option":
                sec.options.append(self.setting(child))
            elif child.data == "plugin":
                sec.sections.append(self.plugin(child))
        if kind == "syncer" and self.hints.syncer is None:
            self.hints.syncer = node.children[0]
        if kind == "net" and sec.get("protocol") is not None:
            self.hints.net_protocol = True
        return sec

    def plugin(self, node: Tree) -> DrbdSection:
        sec = DrbdSection(str(node.children[0]), span=self.span(node), body_span=self.body_span(node))
        for line in _subtrees(node, "plugin_line"):
            words = [c for c in line.children if isinstance(c, Token) and c.type != "SEMICOLON"]
            name = _unquote(words[0]) if words else ""
            rest = words[1:]
            sec.options.append(Setting(name, " ".join(_unquote(t) for t in rest) or None,
                                       span=self.span(line), value_span=self.value_span(rest)))
        return sec

    # -- resources -----------------------------------------------------------------------
    def resource(self, node: Tree, name: str, in_common: bool = False) -> DrbdResource:
        res = DrbdResource(name, span=self.span(node), body_span=self.body_span(node))
        implicit: list[Tree] = []
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            if in_common and child.data in _HOST_SECTIONS:
                raise self.error(child.children[0], "syntax error (no host sections in common)",
                                 ["a section", "'}'"])
            self.resource_item(res, child, implicit)
        if implicit:
            res.volumes.insert(0, self.implicit_volume(implicit))
        return res

    def resource_item(self, res: DrbdResource, node: Tree, implicit: list[Tree]) -> None:
        kind = node.data
        if kind in _HOST_SECTIONS:
            res.hosts.append(self.host(node))
        elif kind == "protocol_stmt":
            res.protocol = self.setting(node, "protocol")
            if self.hints.resource_protocol is None:
                self.hints.resource_protocol = res.protocol
        elif kind == "section":
            if str(node.children[0]) == "options":
                self.hint84(node)
            res.sections.append(self.section(node))
        elif kind == "proxy_section":
            res.sections.append(self.section(node, "proxy"))
        elif kind == "disk_section":
            res.sections.append(self.section(node, "disk"))
        elif kind in _VOLUME_STATEMENTS:
            implicit.append(node)
        elif kind == "volume":
            res.volumes.append(self.volume(node))
        elif kind in ("connection", "connection_mesh"):
            self.hint9(node)
            res.connections.append(self.connection(node) if kind == "connection" else self.mesh(node))
        elif kind == "template_file":
            self.hint9(node)
            self.name(node.children[1])
            res.template_file = self.setting(node, "template-file")
        elif kind == "ignore_on":
            self.name(node.children[1])
            res.ignore_on.append(self.setting(node, "ignore-on"))
        elif kind == "skip_block":
            self.hint9(node)
            self.skipped.append(self.span(node))

    # -- hosts ---------------------------------------------------------------------------
    def host(self, node: Tree) -> DrbdHost:
        kind = {"host_section": "on", "floating": "floating", "stacked": "stacked-on-top-of",
                "this_host": "_this_host", "remote_host": "_remote_host"}[node.data]
        host = DrbdHost([], kind=kind, span=self.span(node), body_span=self.body_span(node))
        if kind == "on":
            host.names = [self.name(t) for t in _tokens(node, "WORD", "DQSTRING")]
        elif kind == "floating":
            host.address = self.address(next(_subtrees(node, "address")))
            host.names = [_floating_name(host.address)]
        elif kind == "stacked-on-top-of":
            host.lower_resource = self.name(_first(node, "WORD", "DQSTRING"))
        else:
            host.names = [kind]
        implicit: list[Tree] = []
        for child in node.children:
            if isinstance(child, Tree):
                self.host_item(host, child, implicit)
        if implicit:
            host.volumes.insert(0, self.implicit_volume(implicit))
        return host

    def host_item(self, host: DrbdHost, node: Tree, implicit: list[Tree]) -> None:
        kind = node.data
        if kind in _VOLUME_STATEMENTS:
            implicit.append(node)
        elif kind == "address_stmt":
            host.address = self.address(node.children[1])
        elif kind == "alt_address_stmt":
            self.hint84(node)
            host.alternate_address = self.address(node.children[1])
        elif kind == "node_id":
            self.hint9(node)
            tok = node.children[1]
            host.node_id, host.node_id_span = _strtoll(str(tok)), self.span(tok)
        elif kind == "volume":
            host.volumes.append(self.volume(node))
        elif kind == "host_options":
            self.hint9(node)
            host.sections.append(self.section(node, "options"))
        elif kind == "proxy_on":
            host.proxy = self.proxy_on(node)
        elif kind == "skip_block":
            self.hint9(node)
            self.skipped.append(self.span(node))

    def proxy_on(self, node: Tree) -> DrbdProxy:
        names = [self.name(t) for t in _tokens(node, "WORD", "DQSTRING")]
        proxy = DrbdProxy(on_hosts=names, span=self.span(node))
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "proxy_inside":
                proxy.inside = self.address(child.children[1])
            elif child.data == "proxy_outside":
                proxy.outside = self.address(child.children[1])
            elif child.data == "proxy_options":
                proxy.sections.append(self.section(child, "options"))
        return proxy

    # -- volumes ---------------------------------------------------------------------------
    def volume(self, node: Tree) -> DrbdVolume:
        self.hint84(node)
        vol = DrbdVolume(_atoi(str(node.children[1])), span=self.span(node))
        for child in node.children:
            if isinstance(child, Tree):
                self.volume_item(vol, child)
        return vol

    def implicit_volume(self, statements: list[Tree]) -> DrbdVolume:
        vol = DrbdVolume(None, span=self.span_between(statements[0], statements[-1]))
        for st in statements:
            self.volume_item(vol, st)
        return vol

    def volume_item(self, vol: DrbdVolume, node: Tree) -> None:
        kind = node.data
        if kind == "disk_section":
            vol.sections.append(self.section(node, "disk"))
            return
        if kind == "skip_block":
            self.hint9(node)
            self.skipped.append(self.span(node))
            return
        keyword = str(node.children[0])
        words = [t for t in node.children[1:] if isinstance(t, Token) and t.type in ("WORD", "DQSTRING")]
        text = self.name(words[0]) if words else None
        rest = [t for t in node.children[1:] if isinstance(t, Token) and t.type != "SEMICOLON"]
        vol.statements.append(Setting(keyword, _statement_value(node), span=self.span(node),
                                      value_span=self.value_span(rest)))
        if kind == "disk_stmt":
            vol.disk = text
        elif kind == "device_stmt":
            self.device(vol, node, text)
        elif kind == "meta_disk_stmt":
            vol.meta_disk, vol.meta_index = text, None
            index = _first(node, "INT")
            if index is not None:
                if text == "internal":  # drbdadm: EXP(';') right after "internal"
                    raise self.error(_first(node, "LSQB"), "syntax error", ["';'"])
                vol.meta_index = _atoi(str(index))
        else:  # flexible-meta-disk
            vol.meta_disk, vol.meta_index = text, None

    def device(self, vol: DrbdVolume, node: Tree, text: str | None) -> None:
        vol.device = text
        minor = _first(node, "INT")
        if minor is not None:
            vol.minor = _atoi(str(minor))
        elif text is not None:
            m = _DRBD_MINOR.fullmatch(text)
            vol.minor = bounded_int(m.group(1)) if m else None

    # -- addresses -------------------------------------------------------------------------
    def address(self, node: Tree) -> DrbdAddress:
        toks = [c for c in node.children if isinstance(c, Token)]
        explicit = toks[0].type in ("IPV4", "IPV6", "SSOCKS", "SDP", "SCI")
        family = str(toks[0]) if explicit else "ipv4"
        addr = _first(node, "IPV4ADDR", "IPV6ADDR")
        port = toks[-1]
        return DrbdAddress(family, str(addr), _strtoll(str(port)), family_explicit=explicit, span=self.span(node))

    # -- connections -----------------------------------------------------------------------
    def connection(self, node: Tree) -> DrbdConnection:
        conn = DrbdConnection(span=self.span(node), body_span=self.body_span(node))
        name = _first(node, "WORD", "DQSTRING")
        conn.name = self.name(name) if name is not None else None
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            kind = child.data
            if kind == "endpoint":
                conn.endpoints.append(self.endpoint(child))
            elif kind == "path":
                conn.paths.append(DrbdPath([self.endpoint(e) for e in _subtrees(child, "endpoint")],
                                           span=self.span(child)))
            elif kind == "section_net":
                conn.sections.append(self.section(child, "net"))
            elif kind == "conn_disk":
                conn.sections.append(self.section(child, "disk"))
            elif kind == "conn_volume":
                conn.volumes.append(self.peer_volume(child))
            elif kind == "peer_node_id":
                conn.peer_node_id = _strtoll(str(child.children[1]))
            elif kind == "skip_block":
                self.skipped.append(self.span(child))
        for ep in conn.endpoints + [e for p in conn.paths for e in p.endpoints]:
            if ep.host is not None and ep.host not in conn.hosts:
                conn.hosts.append(ep.host)
            if ep.address is not None:
                conn.addresses.append(ep.address)
        return conn

    def endpoint(self, node: Tree) -> DrbdEndpoint:
        first = node.children[0]
        kind = {"HOST": "host", "ADDRESS": "address"}.get(first.type, str(first))
        ep = DrbdEndpoint(kind, span=self.span(node))
        if kind == "host":
            ep.host = self.name(node.children[1])
        addr = next(_subtrees(node, "address"), None)
        if addr is not None:
            ep.address = self.address(addr)
        port = _first(node, "INT")
        if port is not None:
            ep.port = _strtoll(str(port))
        via = next(_subtrees(node, "via"), None)
        if via is not None:
            ep.proxy = self.proxy_on(via)
        return ep

    def peer_volume(self, node: Tree) -> DrbdVolume:
        vol = DrbdVolume(_atoi(str(node.children[1])), span=self.span(node))
        disk_kw = _tokens(node, "DISK")[0]
        lbraces = _tokens(node, "LBRACE")
        rbraces = _tokens(node, "RBRACE")
        sec = DrbdSection("disk", span=self.span_between(disk_kw, rbraces[0]),
                          body_span=self.src.span(lbraces[1].end_pos, rbraces[0].start_pos))
        sec.options = [self.setting(o) for o in _subtrees(node, "option")]
        vol.sections.append(sec)
        return vol

    def mesh(self, node: Tree) -> DrbdConnection:
        conn = DrbdConnection(mesh=True, span=self.span(node), body_span=self.body_span(node))
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "mesh_hosts":
                conn.hosts.extend(self.name(t) for t in _tokens(child, "WORD", "DQSTRING"))
            elif child.data == "section_net":
                conn.sections.append(self.section(child, "net"))
        return conn


def _statement_value(node: Tree) -> str | None:
    """The words after a volume statement's keyword, as written (quotes removed)."""
    words = [_unquote(t) for t in node.children[1:] if isinstance(t, Token) and t.type != "SEMICOLON"]
    return " ".join(words).replace("[ ", "[").replace(" ]", "]") or None
