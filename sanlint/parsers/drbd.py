"""DRBD configuration parser: drbd.conf and drbd.d/*.res (8.3, 8.4 and 9).

The grammar (`grammars/drbd.lark`) accepts the union of what drbdadm 9.22,
`drbdadm-84` and `drbdadm-83` accept; `sanlint.parsers.drbd_lark` walks its
tree into the `sanlint.model.drbd` objects and adds the few syntax checks
the scanner makes through token types (a bare keyword, number or IPv4
address is not a name: drbdadm's flex scanner hands those to the parser as
other tokens).  That Lark parser is the reference; it costs 3-4 ms per
small `.res` file, too much for a LINSTOR node's thousands of them.

So `parse` here first runs a hand-written scanner (one regular expression)
and recursive-descent parser that builds the same model directly, for the
language the grammar accepts minus a few rare constructs (IPv6 addresses).
Whatever it does not accept, a syntax error included, it hands to the Lark
parser, which then gives the model or the positioned error: errors and
rare constructs are exactly the reference's.  tests/test_parse_drbd_fast.py
checks that both parsers give the identical model (spans included) on every
DRBD fixture and on generated and mutated configurations.

The fast parser mirrors Lark's contextual lexer: a word is a keyword only
where the parser state accepts that keyword.  One LALR subtlety matters:
the state after a name is shared by every rule with a name, so after a name
the words `minor`, `address`, `port` and `via` are always keywords (never a
second host name in `on A B`, `proxy on A B`, `hosts A B`).

Deliberately stricter than drbdadm (a linter should say so):

* a missing closing `}` at the end of the file is an error (drbdadm 9.22,
  8.4 and 8.3 accept it silently: `parse_resource()` treats EOF as `}`);
* host sections in `common { }` are an error here at once (drbdadm reports
  "there are no host sections allowed" after parsing the section).

Deliberately looser (left to the rules, which know option names/versions):
option statements are generic, `name [value...];`, where drbdadm takes
exactly one value token (or none, for a boolean) except for
`become-primary-on` and proxy plugin lines.

Semantic errors drbdadm raises while parsing (port or node-id out of range,
device name/minor mismatch, duplicate statements, ...) are not parse errors:
the model keeps the values and the DRBD rules report them.

`version_hint` says which drbdadm generation the syntax needs:

* "9" when it uses anything only the 9 parser knows: `node-id`,
  `connection`, `connection-mesh`, `path`, `template-file`,
  `require-drbd-module-version-*`, `_peer_node_id`, host-level
  `options { }`, or `skip` anywhere but at the top level;
* else "8.4" for what 8.4 introduced: `volume`, resource-level
  `options { }`, `alternate-link-address`;
* else "8.3" for the 8.3 idiom that 8.4 only tolerates: a `syncer { }`
  section (a resource-level `protocol` is not a hint: it is still the
  usual placement in 8.4 configurations, and 9 accepts it);
* else None (plain 8.4-compatible syntax, which 9 reads as well).
"""

from __future__ import annotations

import re
from itertools import accumulate
from operator import add, sub
from typing import Iterator

from sanlint.model.base import Located, Setting
from sanlint.model.drbd import (DrbdAddress, DrbdConfig, DrbdConnection, DrbdEndpoint, DrbdHost, DrbdInclude,
                                DrbdPath, DrbdProxy, DrbdResource, DrbdSection, DrbdVolume)
from sanlint.source import NumberTooLarge, SourceFile, bounded_int

# Words the scanners of all three drbdadm generations turn into keyword
# tokens: they cannot be a host, resource, disk or device name unless quoted.
# (drbd-utils user/v9, v84 and v83 drbdadm_scanner.fl; a word that is a
# keyword in only one generation is accepted, as that generation's parser
# is the only one to refuse it.)
RESERVED = frozenset({
    "on", "stacked-on-top-of", "floating", "no", "net", "yes", "ask", "skip", "disk", "proxy", "minor",
    "inside", "syncer", "device", "global", "common", "outside", "address", "startup", "include",
    "handlers", "minor-count", "disable-ip-verification", "dialog-refresh", "resource", "meta-disk",
    "flexible-meta-disk", "usage-count", "_this_host", "_remote_host", "sci", "ssocks", "sdp", "ipv4", "ipv6",
})
_NUM = re.compile(r"[0-9]{1,8}[MKGs]?")  # flex NUM: an integer token, not a string
_IPV4 = re.compile(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}")  # flex IPV4ADDR
_DRBD_MINOR = re.compile(r"(?:/dev/)?drbd([0-9]+)")
_SCALE = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "s": 512}  # shared_tool.c new_strtoll()


def parse(src: SourceFile) -> DrbdConfig:
    try:
        return fast_parse(src)
    except (Unsupported, NumberTooLarge):
        pass
    from sanlint.parsers import drbd_lark

    return drbd_lark.parse(src)


def floating_name(addr: DrbdAddress) -> str:
    """The host name drbdadm makes up for `floating ADDR:PORT` (parse_host_section)."""
    if addr.family == "ipv6":
        return f"ipv6 [{addr.address}]:{addr.port}"
    return f"{addr.address}:{addr.port}"


def iter_located(obj: Located) -> Iterator[Located]:
    """`obj` and every model object under it, depth first (for tests and
    tools that check spans)."""
    from dataclasses import fields

    stack: list[object] = [obj]
    while stack:
        cur = stack.pop()
        if not isinstance(cur, Located):
            continue
        yield cur
        for f in fields(cur):
            v = getattr(cur, f.name)
            if isinstance(v, list):
                stack.extend(reversed(v))
            elif isinstance(v, Located):
                stack.append(v)


# -- the fast parser -------------------------------------------------------------------

class Unsupported(Exception):
    """The fast parser gives up on a file: the Lark parser decides."""


# One significant token per match, with the blanks and comments before it:
# a run of name characters (WORD, INT, IPV4ADDR, KMODVERS and keywords are
# all such runs: which one it is depends on the parser state, as in Lark's
# contextual lexer), a quoted string, any other single character, or the end.
_TOKEN = re.compile(r'((?:[ \t\r\n]++|#[^\n]*+)*+)([a-zA-Z0-9/._-]++|"(?:[^"\\\n]|\\[^\n]){0,255}"|.|\Z)', re.S)
_RUN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-")
_INT = re.compile(r"[0-9]{1,8}[MKGs]?")
_KMODVERS = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
_OTHER = re.compile(r"[^\sa-zA-Z0-9\/.\-{};:\[\]#]")
_ESCAPE = re.compile(r"\\(.)")
_AFTER_NAME_KEYWORDS = frozenset({"minor", "address", "port", "via"})  # see the module docstring
_SECTIONS = frozenset({"net", "syncer", "startup", "options", "handlers"})
_FAMILIES = frozenset({"ipv4", "ssocks", "sdp", "sci"})


def _unquote(text: str) -> str:
    if text[0] != '"':
        return text
    inner = text[1:-1]
    return _ESCAPE.sub(r"\1", inner) if "\\" in inner else inner


def _atoi(text: str) -> int:
    return bounded_int(re.match(r"[0-9]*", text).group(0) or "0")


def _strtoll(text: str) -> int:
    return _atoi(text) * _SCALE.get(text[-1], 1)


def fast_parse(src: SourceFile) -> DrbdConfig:
    """The model of `src`, or `Unsupported` (or `NumberTooLarge`) when the
    Lark parser must decide."""
    return _Fast(src).config()


class _Fast:
    """Recursive descent over the token list, building the model as
    `drbd_lark._Builder` does from Lark's tree (same objects, same order,
    same spans, same version hints)."""

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        # (blanks before, token) pairs; positions by running sums (all C loops)
        pairs = _TOKEN.findall(src.text)
        blanks, texts = zip(*pairs) if pairs else ((), ())
        lengths = list(map(len, texts))
        ends = list(accumulate(map(add, map(len, blanks), lengths)))
        self.t, self.s, self.e = texts, list(map(sub, ends, lengths)), ends
        self.i = 0
        # version hints: the first node (in document order) that needs 9 / 8.4,
        # as drbd_lark records them: its first token, then its span once it ends
        # (hint nodes of one kind never nest)
        self.hint9: int | None = None
        self.hint9_span = None
        self.hint84: int | None = None
        self.hint84_span = None
        self.syncer_span = None
        self.skipped: list = []

    # -- tokens ------------------------------------------------------------------
    def fail(self):
        return Unsupported(self.i)

    def expect(self, text: str) -> int:
        i = self.i
        if self.t[i] != text:
            raise Unsupported(i)
        self.i = i + 1
        return i

    def span(self, first: int, last: int):
        return self.src.span(self.s[first], self.e[last])

    def is_word(self, i: int) -> bool:
        t = self.t[i]
        return bool(t) and t[0] in _RUN and len(t) <= 128

    def is_value(self, i: int) -> bool:
        """WORD or DQSTRING."""
        t = self.t[i]
        if not t:
            return False
        c = t[0]
        return (c in _RUN and len(t) <= 128) or (c == '"' and len(t) > 1)

    def name(self) -> tuple[str, int]:
        """A name position (WORD or DQSTRING), checked as drbd_lark's name()."""
        i = self.i
        t = self.t[i]
        if not t:
            raise Unsupported(i)
        c = t[0]
        if c == '"' and len(t) > 1:
            self.i = i + 1
            return _unquote(t), i
        if c not in _RUN or len(t) > 128 or t in RESERVED or _NUM.fullmatch(t) or _IPV4.fullmatch(t):
            raise Unsupported(i)
        self.i = i + 1
        return t, i

    def names(self) -> tuple[list[str], int, int]:
        """`_name+`: names and the token range they cover."""
        first = self.i
        out = [self.name()[0]]
        while self.is_value(self.i) and self.t[self.i] not in _AFTER_NAME_KEYWORDS:
            out.append(self.name()[0])
        return out, first, self.i - 1

    def int_token(self) -> int:
        i = self.i
        if not _INT.fullmatch(self.t[i]):
            raise Unsupported(i)
        self.i = i + 1
        return i

    def value_span(self, first: int, last: int):
        """drbd_lark's value_span over tokens first..last (None when empty)."""
        if last < first:
            return None
        if first == last and self.t[first][0] == '"':
            return self.src.span(self.s[first] + 1, self.e[first] - 1)
        return self.src.span(self.s[first], self.e[last])

    # -- top level ------------------------------------------------------------------
    def config(self) -> DrbdConfig:
        src = self.src
        cfg = DrbdConfig(span=src.whole())
        t = self.t
        while True:
            word = t[self.i]
            if word == "":
                break
            start = self.i
            if word == "resource":
                self.i += 1
                name, _ = self.name()
                cfg.resources.append(self.resource(start, name))
            elif word == "global":
                self.i += 1
                sec = self.section(start, "global")
                cfg.global_sections.append(sec)
                cfg.global_options.extend(sec.options)
                if cfg.global_span is None:
                    cfg.global_span = sec.span
            elif word == "common":
                self.i += 1
                common = self.resource(start, "common", in_common=True)
                cfg.commons.append(common)
                cfg.common.extend(common.sections)
                cfg.common_protocol = common.protocol or cfg.common_protocol
            elif word == "include":
                self.i += 1
                pattern, tok = self.name()
                self.expect(";")
                cfg.includes.append(DrbdInclude(pattern, span=self.span(start, self.i - 1),
                                                pattern_span=self.value_span(tok, tok)))
            elif word == "skip":
                self.skipped.append(self.skip())
            elif word.startswith("require-drbd-module-version-") and word[28:] in ("eq", "ne", "gt", "ge", "lt", "le"):
                self.i += 1
                ver = self.i
                if not _KMODVERS.fullmatch(t[ver]):
                    raise self.fail()
                self.i += 1
                self.expect(";")
                span = self.span(start, self.i - 1)
                if self.hint9_span is None:
                    self.hint9_span = span
                cfg.module_versions.append(Setting(word, t[ver], span=span, value_span=self.value_span(ver, ver)))
            else:
                raise self.fail()
        cfg.skipped = self.skipped
        if self.hint9_span is not None:
            cfg.version_hint, cfg.version_hint_span = "9", self.hint9_span
        elif self.hint84_span is not None:
            cfg.version_hint, cfg.version_hint_span = "8.4", self.hint84_span
        elif self.syncer_span is not None:
            cfg.version_hint, cfg.version_hint_span = "8.3", self.syncer_span
        return cfg

    def skip(self):
        """`skip tokens... { balanced }` (the current token is `skip`); its span."""
        start = self.i
        t = self.t
        i = start + 1
        depth = 0
        while True:
            w = t[i]
            if w == "{":
                depth += 1
            elif w == "}":
                if depth == 0:
                    raise Unsupported(i)
                depth -= 1
                if depth == 0:
                    break
            elif w == "" or not (w in (";", ":", "[", "]") or self.is_value(i) or _OTHER.fullmatch(w)):
                raise Unsupported(i)
            i += 1
        self.i = i + 1
        return self.span(start, i)

    # -- settings and sections ----------------------------------------------------------
    def option(self) -> Setting:
        """`WORD value* ;` (the current token is the WORD)."""
        t = self.t
        first = self.i
        i = first + 1
        while self.is_value(i):
            i += 1
        if t[i] != ";":
            raise Unsupported(i)
        self.i = i + 1
        if i == first + 1:
            return Setting(t[first], None, span=self.span(first, i), value_span=None)
        value = " ".join([_unquote(w) for w in t[first + 1 : i]])
        return Setting(t[first], value, span=self.span(first, i), value_span=self.value_span(first + 1, i - 1))

    def section(self, start: int, kind: str, plugins: bool = False) -> DrbdSection:
        """`KEYWORD { option* }` from the token after the keyword."""
        lb = self.expect("{")
        options: list[Setting] = []
        sections: list[DrbdSection] = []
        t = self.t
        while True:
            w = t[self.i]
            if w == "}":
                break
            if not self.is_word(self.i):
                raise self.fail()
            if plugins and t[self.i + 1] == "{":
                sections.append(self.plugin())
            else:
                options.append(self.option())
        rb = self.i
        self.i += 1
        return DrbdSection(kind, options, span=self.span(start, rb),
                           body_span=self.src.span(self.e[lb], self.s[rb]), sections=sections)

    def plugin(self) -> DrbdSection:
        t = self.t
        start = self.i
        self.i += 2  # WORD {
        sec = DrbdSection(t[start], span=None, body_span=None)  # spans set below
        while t[self.i] != "}":
            first = self.i
            i = first
            while self.is_value(i):
                i += 1
            if t[i] != ";":
                raise Unsupported(i)
            self.i = i + 1
            if i == first:
                sec.options.append(Setting("", None, span=self.span(i, i), value_span=None))
            else:
                rest = t[first + 1 : i]
                sec.options.append(Setting(_unquote(t[first]), " ".join([_unquote(w) for w in rest]) or None,
                                           span=self.span(first, i), value_span=self.value_span(first + 1, i - 1)))
        rb = self.i
        self.i += 1
        sec.span = self.span(start, rb)
        sec.body_span = self.src.span(self.e[start + 1], self.s[rb])
        return sec

    # -- resources -----------------------------------------------------------------------
    def resource(self, start: int, name: str, in_common: bool = False) -> DrbdResource:
        lb = self.expect("{")
        res = DrbdResource(name, span=None, body_span=None)
        implicit: list = []  # (first, last, kind) of the statements of the implicit volume
        t = self.t
        while True:
            i = self.i
            w = t[i]
            if w == "}":
                break
            if w in ("on", "floating", "stacked-on-top-of", "_this_host", "_remote_host"):
                if in_common:
                    raise self.fail()
                res.hosts.append(self.host(w))
            elif w == "protocol":
                self.i += 1
                first = self.i
                j = first
                while self.is_value(j):
                    j += 1
                if t[j] != ";":
                    raise Unsupported(j)
                self.i = j + 1
                value = " ".join([_unquote(x) for x in t[first:j]]) if j > first else None
                res.protocol = Setting("protocol", value, span=self.span(i, j), value_span=self.value_span(first, j - 1))
            elif w in _SECTIONS:
                self.i += 1
                if w == "options":
                    self.note84(i)
                res.sections.append(self.section(i, w))
                self.fix_hint84()
                if w == "syncer" and self.syncer_span is None:
                    self.syncer_span = self.span(i, i)
            elif w == "proxy":
                self.i += 1
                res.sections.append(self.section(i, "proxy", plugins=True))
            elif w == "disk" and t[i + 1] == "{":  # a resource-level disk section (not the implicit volume's)
                self.i += 1
                res.sections.append(self.section(i, "disk"))
            elif w in ("disk", "device", "meta-disk", "flexible-meta-disk"):
                implicit.append(self.volume_statement(w))
            elif w == "volume":
                res.volumes.append(self.volume())
            elif w == "connection":
                self.note9(i)
                res.connections.append(self.connection())
            elif w == "connection-mesh":
                self.note9(i)
                res.connections.append(self.mesh())
            elif w == "template-file":
                self.note9(i)
                res.template_file = self.name_statement("template-file")
            elif w == "ignore-on":
                res.ignore_on.append(self.name_statement("ignore-on"))
            elif w == "skip":
                self.hinted_skip(i)
            else:
                raise self.fail()
        self.close(res, start, lb)
        if implicit:
            res.volumes.insert(0, self.implicit_volume(implicit))
        return res

    def close(self, obj, start: int, lb: int) -> None:
        """At the `}` closing `obj` (opened by token `start`, `{` at `lb`): its spans."""
        rb = self.i
        self.i += 1
        obj.span = self.span(start, rb)
        obj.body_span = self.src.span(self.e[lb], self.s[rb])

    def hinted_skip(self, i: int) -> None:
        """A `skip { }` where only DRBD 9 allows one (not at the top level nor
        in a connection)."""
        self.note9(i)
        self.skipped.append(self.skip())
        self.fix_hint9()

    # The first node hinting "9" is recorded when it starts; its span is
    # known once it ends.  note9 marks the start, fix_hint9 sets the span.
    def note9(self, i: int) -> None:
        if self.hint9_span is None and self.hint9 is None:
            self.hint9 = i

    def fix_hint9(self) -> None:
        if self.hint9 is not None and self.hint9_span is None:
            self.hint9_span = self.span(self.hint9, self.i - 1)

    def note84(self, i: int) -> None:
        if self.hint84 is None:
            self.hint84 = i

    def fix_hint84(self) -> None:
        if self.hint84 is not None and self.hint84_span is None:
            self.hint84_span = self.span(self.hint84, self.i - 1)

    def name_statement(self, keyword: str) -> Setting:
        """`template-file NAME;` / `ignore-on NAME;` (current token: the keyword)."""
        start = self.i
        self.i += 1
        value, tok = self.name()
        end = self.expect(";")
        if keyword == "template-file":
            self.fix_hint9()
        return Setting(keyword, value, span=self.span(start, end), value_span=self.value_span(tok, tok))

    # -- hosts ---------------------------------------------------------------------------
    def host(self, kw: str) -> DrbdHost:
        start = self.i
        self.i += 1
        host = DrbdHost([], kind=kw, span=None, body_span=None)
        t = self.t
        if kw == "on":
            host.names = self.names()[0]
        elif kw == "floating":
            host.address = self.address()
            host.names = [floating_name(host.address)]
            if t[self.i] == ";":
                host.span = self.span(start, self.i)
                self.i += 1
                return host
        elif kw == "stacked-on-top-of":
            host.lower_resource = self.name()[0]
        else:
            host.names = [kw]
        lb = self.expect("{")
        implicit: list = []
        while True:
            i = self.i
            w = t[i]
            if w == "}":
                break
            if w in ("disk", "device", "meta-disk", "flexible-meta-disk"):
                implicit.append(self.volume_statement(w))
            elif w == "address":
                self.i += 1
                host.address = self.address()
                self.expect(";")
            elif w == "alternate-link-address":
                self.note84(i)
                self.i += 1
                host.alternate_address = self.address()
                self.expect(";")
                self.fix_hint84()
            elif w == "node-id":
                self.note9(i)
                self.i += 1
                tok = self.int_token()
                self.expect(";")
                self.fix_hint9()
                host.node_id, host.node_id_span = _strtoll(t[tok]), self.span(tok, tok)
            elif w == "volume":
                host.volumes.append(self.volume())
            elif w == "options":
                self.note9(i)
                self.i += 1
                host.sections.append(self.section(i, "options"))
                self.fix_hint9()
            elif w == "proxy":
                self.i += 1
                if t[self.i] != "on":
                    raise self.fail()
                self.i += 1
                host.proxy = self.proxy_on(i)
            elif w == "skip":
                self.hinted_skip(i)
            else:
                raise self.fail()
        self.close(host, start, lb)
        if implicit:
            host.volumes.insert(0, self.implicit_volume(implicit))
        return host

    def proxy_on(self, start: int) -> DrbdProxy:
        """`proxy on NAMES { inside..; outside..; options { } }` from the first name."""
        names = self.names()[0]
        proxy = DrbdProxy(on_hosts=names, span=None)
        self.expect("{")
        t = self.t
        while True:
            i = self.i
            w = t[i]
            if w == "}":
                break
            if w in ("inside", "outside"):
                self.i += 1
                addr = self.address()
                self.expect(";")
                if w == "inside":
                    proxy.inside = addr
                else:
                    proxy.outside = addr
            elif w == "options":
                self.i += 1
                proxy.sections.append(self.section(i, "options", plugins=True))
            else:
                raise self.fail()
        proxy.span = self.span(start, self.i)
        self.i += 1
        return proxy

    # -- volumes ---------------------------------------------------------------------------
    def volume_statement(self, kw: str) -> tuple:
        """A disk/device/meta-disk/flexible-meta-disk statement or a `disk { }`
        section, parsed now and applied to its volume later (volume_apply)."""
        start = self.i
        self.i += 1
        t = self.t
        if kw == "disk" and t[self.i] == "{":
            sec = self.section(start, "disk")
            return ("section", start, self.i - 1, sec, None)
        if kw == "device" and t[self.i] == "minor":
            self.i += 1
            minor = self.int_token()
            end = self.expect(";")
            return ("device", start, end, None, minor)
        text, tok = self.name()
        extra = None
        if kw == "device" and t[self.i] == "minor":
            self.i += 1
            extra = self.int_token()
        elif kw == "meta-disk" and t[self.i] == "[":
            self.i += 1
            extra = self.int_token()
            self.expect("]")
            if text == "internal":
                raise self.fail()
        end = self.expect(";")
        return (kw, start, end, text, extra)

    def volume_apply(self, vol: DrbdVolume, st: tuple) -> None:
        kind, start, end, text, extra = st
        if kind == "section":
            vol.sections.append(text)
            return
        t = self.t
        words = [_unquote(w) for w in t[start + 1 : end]]
        value = " ".join(words).replace("[ ", "[").replace(" ]", "]") or None
        vol.statements.append(Setting(kind, value, span=self.span(start, end),
                                      value_span=self.value_span(start + 1, end - 1)))
        if kind == "disk":
            vol.disk = text
        elif kind == "device":
            vol.device = text
            if extra is not None:
                vol.minor = _atoi(t[extra])
            elif text is not None:
                m = _DRBD_MINOR.fullmatch(text)
                vol.minor = bounded_int(m.group(1)) if m else None
        elif kind == "meta-disk":
            vol.meta_disk = text
            vol.meta_index = _atoi(t[extra]) if extra is not None else None
        else:
            vol.meta_disk, vol.meta_index = text, None

    def implicit_volume(self, statements: list) -> DrbdVolume:
        vol = DrbdVolume(None, span=self.span(statements[0][1], statements[-1][2]))
        for st in statements:
            self.volume_apply(vol, st)
        return vol

    def volume(self) -> DrbdVolume:
        start = self.i
        self.note84(start)
        self.i += 1
        num = self.int_token()
        self.expect("{")
        vol = DrbdVolume(_atoi(self.t[num]), span=None)
        t = self.t
        while True:
            i = self.i
            w = t[i]
            if w == "}":
                break
            if w in ("disk", "device", "meta-disk", "flexible-meta-disk"):
                self.volume_apply(vol, self.volume_statement(w))
            elif w == "skip":
                self.hinted_skip(i)
            else:
                raise self.fail()
        vol.span = self.span(start, self.i)
        self.i += 1
        self.fix_hint84()
        return vol

    # -- addresses -------------------------------------------------------------------------
    def address(self) -> DrbdAddress:
        t = self.t
        start = self.i
        w = t[start]
        explicit = w in _FAMILIES
        if explicit:
            self.i += 1
        elif w == "ipv6":
            raise self.fail()  # IPv6: the Lark parser
        family = w if explicit else "ipv4"
        a = self.i
        if not _IPV4.fullmatch(t[a]):
            raise self.fail()
        self.i += 1
        self.expect(":")
        port = self.int_token()
        return DrbdAddress(family, t[a], _strtoll(t[port]), family_explicit=explicit, span=self.span(start, port))

    # -- connections -----------------------------------------------------------------------
    def connection(self) -> DrbdConnection:
        start = self.i
        self.i += 1
        t = self.t
        name = None
        if t[self.i] != "{":
            name = self.name()[0]
        lb = self.expect("{")
        conn = DrbdConnection(span=None, body_span=None, name=name)
        while True:
            i = self.i
            w = t[i]
            if w == "}":
                break
            if w in ("host", "address", "_this_host", "_remote_host"):
                conn.endpoints.append(self.endpoint())
            elif w == "path":
                self.i += 1
                self.expect("{")
                eps = []
                while t[self.i] != "}":
                    if t[self.i] not in ("host", "address", "_this_host", "_remote_host"):
                        raise self.fail()
                    eps.append(self.endpoint())
                conn.paths.append(DrbdPath(eps, span=self.span(i, self.i)))
                self.i += 1
            elif w == "net":
                self.i += 1
                conn.sections.append(self.section(i, "net"))
            elif w == "disk":
                self.i += 1
                conn.sections.append(self.section(i, "disk"))
            elif w == "volume":
                conn.volumes.append(self.peer_volume())
            elif w == "_peer_node_id":
                self.i += 1
                tok = self.int_token()
                self.expect(";")
                conn.peer_node_id = _strtoll(t[tok])
            elif w == "_is_standalone":
                self.i += 1
                self.expect(";")
            elif w == "_cstate":  # drbdsetup show of drbd-utils >= 9.32: `_cstate Connected;`
                self.i += 1
                self.name()
                self.expect(";")
            elif w == "skip":
                self.skipped.append(self.skip())
            else:
                raise self.fail()
        self.close(conn, start, lb)
        self.fix_hint9()
        for ep in conn.endpoints + [e for p in conn.paths for e in p.endpoints]:
            if ep.host is not None and ep.host not in conn.hosts:
                conn.hosts.append(ep.host)
            if ep.address is not None:
                conn.addresses.append(ep.address)
        return conn

    def endpoint(self) -> DrbdEndpoint:
        t = self.t
        start = self.i
        w = t[start]
        self.i += 1
        if w == "host":
            ep = DrbdEndpoint("host", span=None)
            ep.host = self.name()[0]
            nxt = t[self.i]
            if nxt == "address":
                self.i += 1
                ep.address = self.address()
            elif nxt == "port":
                self.i += 1
                ep.port = _strtoll(t[self.int_token()])
        else:
            ep = DrbdEndpoint(w, span=None)
            ep.address = self.address()
        if t[self.i] == "via":
            via = self.i
            self.i += 1
            if t[self.i] != "proxy" or t[self.i + 1] != "on":
                raise self.fail()
            self.i += 2
            ep.proxy = self.proxy_on(via)
            ep.span = self.span(start, self.i - 1)
        else:
            end = self.expect(";")
            ep.span = self.span(start, end)
        return ep

    def peer_volume(self) -> DrbdVolume:
        start = self.i
        self.i += 1
        num = self.int_token()
        self.expect("{")
        disk = self.expect("disk")
        sec = self.section(disk, "disk")
        end = self.expect("}")
        vol = DrbdVolume(_atoi(self.t[num]), span=self.span(start, end))
        vol.sections.append(sec)
        return vol

    def mesh(self) -> DrbdConnection:
        start = self.i
        self.i += 1
        lb = self.expect("{")
        conn = DrbdConnection(mesh=True, span=None, body_span=None)
        t = self.t
        while True:
            i = self.i
            w = t[i]
            if w == "}":
                break
            if w == "hosts":
                self.i += 1
                conn.hosts.extend(self.names()[0])
                self.expect(";")
            elif w == "net":
                self.i += 1
                conn.sections.append(self.section(i, "net"))
            else:
                raise self.fail()
        self.close(conn, start, lb)
        self.fix_hint9()
        return conn
