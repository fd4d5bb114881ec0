"""Host firewalls: nftables.conf, iptables-save output, firewalld zone XML.

Each becomes a `Firewall` of normalised `FirewallRule`s for new inbound
connections (the input hook / INPUT chain / the zone) and the input policy.

A rule whose matches sanlint does not understand (`ct state established`,
`iif lo`, negations, named sets, jumps, marks, ...) is kept with
action "unknown": it never allows anything, so a port counts as open only
when a plain rule opens it.  That is deliberately conservative (an
`iif lo accept` must not open everything).  Other tables, other hooks and
chains not reached from the input hook are ignored.

nftables: a tokenizer, not a grammar.  Tables, chains, `define`d
variables, anonymous sets `{ a, b-c }`, `tcp|udp dport`, `th dport` with
`meta l4proto`, `ip|ip6 saddr`, `policy`, and the verdicts
accept/drop/reject are understood; `counter`, `log ...`, `comment "..."`
are skipped; any other statement makes the rule "unknown".  Unbalanced
braces and unterminated strings raise `ParseError`; `include`, `flush` and
other top-level commands are ignored.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from dataclasses import dataclass

from sanlint.model.network import Firewall, FirewallRule
from sanlint.source import ParseError, SourceFile, bounded_int

# firewalld service definitions (/usr/lib/firewalld/services/*.xml, firewalld 1.x);
# DRBD's 7788+ ports have no service.
FIREWALLD_SERVICES: dict[str, list[tuple[str, int, int]]] = {
    "iscsi-target": [("tcp", 3260, 3260), ("udp", 3260, 3260)],
    "high-availability": [("tcp", 2224, 2224), ("tcp", 3121, 3121), ("tcp", 5403, 5403),
                          ("udp", 5404, 5412), ("tcp", 9929, 9929), ("udp", 9929, 9929),
                          ("tcp", 21064, 21064)],
    "ssh": [("tcp", 22, 22)],
    "nfs": [("tcp", 2049, 2049)],
}

_VERDICTS = {"accept": "accept", "drop": "drop", "reject": "reject"}


def _fail(src: SourceFile, pos: int, message: str, found: str | None = None,
          expected: list[str] | None = None) -> None:
    line, col = src.line_col(pos)
    raise ParseError(message, line, col, found=found, expected=expected, char_offset=pos)


def _port_range(text: str, sep: str = "-") -> tuple[int, int] | None:
    lo, _, hi = text.partition(sep)
    if not lo.isdigit() or (hi and not hi.isdigit()):
        return None
    a, b = bounded_int(lo), bounded_int(hi or lo)
    return (a, b) if a <= b <= 65535 else None


def _network(text: str) -> str | None:
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        return None


# -- nftables ------------------------------------------------------------------

@dataclass
class _Tok:
    text: str
    start: int
    end: int


_NFT_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{};,\n]|[^\s{};,"#\\]+|#[^\n]*|[ \t\r]+|["\\]')


def _nft_tokens(src: SourceFile) -> list[_Tok]:
    toks: list[_Tok] = []
    joined = False  # a backslash at the end of a line continues it
    for m in _NFT_TOKEN.finditer(src.text):
        t = m.group(0)
        if t == '"':
            _fail(src, m.start(), "unterminated string", found="'\"'", expected=["'\"'"])
        if t.startswith("#") or (t.isspace() and t != "\n"):
            continue
        if t == "\\":
            joined = True
            continue
        if t == "\n" and joined:
            joined = False
            continue
        joined = False
        toks.append(_Tok(t, m.start(), m.end()))
    return toks


def _statements(src: SourceFile, toks: list[_Tok], i: int, closing: bool) -> tuple[list, int]:
    """Statements up to the matching `}` (or the end): each is a list of
    tokens, or ("block", head tokens, statements, open token, close token)."""
    out: list = []
    cur: list[_Tok] = []
    while i < len(toks):
        t = toks[i]
        if t.text in ("\n", ";"):
            if cur:
                out.append(cur)
            cur, i = [], i + 1
        elif t.text == "{" and _is_block_head(cur):
            body, j = _statements(src, toks, i + 1, True)
            out.append(("block", cur, body, t, toks[j - 1]))
            cur, i = [], j
        elif t.text == "{":
            j = _set_end(src, toks, i)
            cur.extend(toks[i:j])
            i = j
        elif t.text == "}":
            if not closing:
                _fail(src, t.start, "unbalanced '}'", found="'}'")
            if cur:
                out.append(cur)
            return out, i + 1
        else:
            cur.append(t)
            i += 1
    if closing:
        _fail(src, len(src.text), "unexpected end of file", found="end of file", expected=["'}'"])
    if cur:
        out.append(cur)
    return out, i


def _is_block_head(cur: list[_Tok]) -> bool:
    return bool(cur) and cur[0].text in ("table", "chain", "set", "map", "flowtable")


def _set_end(src: SourceFile, toks: list[_Tok], i: int) -> int:
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == "{":
            depth += 1
        elif toks[j].text == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    _fail(src, toks[i].start, "unterminated set", found="'{'", expected=["'}'"])
    return len(toks)


def parse_nftables(src: SourceFile) -> Firewall:
    toks = _nft_tokens(src)
    stmts, _ = _statements(src, toks, 0, False)
    fw = Firewall(kind="nftables", span=src.whole())
    defines: dict[str, list[_Tok]] = {}
    policies: list[str] = []
    for st in stmts:
        if isinstance(st, tuple) and st[1] and st[1][0].text == "table":
            _nft_table(src, fw, st, defines, policies)
        elif isinstance(st, list) and st[0].text == "define":
            _nft_define(st, defines)
    fw.default_policy = "drop" if "drop" in policies else ("accept" if policies else None)
    return fw


def _nft_define(st: list[_Tok], defines: dict[str, list[_Tok]]) -> None:
    if len(st) >= 4 and st[2].text == "=":
        defines[st[1].text] = st[3:]


def _nft_table(src: SourceFile, fw: Firewall, st: tuple, defines: dict, policies: list[str]) -> None:
    _, head, body, _, _ = st
    family = head[1].text if len(head) > 2 else "ip"
    if family not in ("ip", "ip6", "inet"):
        return
    for inner in body:
        if isinstance(inner, tuple) and inner[1] and inner[1][0].text == "chain":
            _nft_chain(src, fw, inner, defines, policies)
        elif isinstance(inner, list) and inner[0].text == "define":
            _nft_define(inner, defines)


def _nft_chain(src: SourceFile, fw: Firewall, st: tuple, defines: dict, policies: list[str]) -> None:
    _, head, body, _, _ = st
    name = head[1].text if len(head) > 1 else None
    words = [[t.text for t in s] for s in body if isinstance(s, list)]
    if not any(w[:1] == ["type"] and "hook" in w and w[w.index("hook") + 1:w.index("hook") + 2] == ["input"]
               for w in words):
        return
    for s in body:
        if not isinstance(s, list) or s[0].text in ("type", "policy", "comment"):
            if isinstance(s, list) and s[0].text == "policy" and len(s) > 1:
                policies.append(s[1].text)
            continue
        fw.rules.extend(_nft_rule(src, _expand(s, defines), name, s))


def _expand(s: list[_Tok], defines: dict[str, list[_Tok]]) -> list[str]:
    out: list[str] = []
    for t in s:
        if t.text.startswith("$") and t.text[1:] in defines:
            out.extend(d.text for d in defines[t.text[1:]])
        else:
            out.append(t.text)
    return out


_SKIP = {"counter", "notrack"}


def _nft_rule(src: SourceFile, words: list[str], chain: str | None, toks: list[_Tok]) -> list[FirewallRule]:
    span = src.span(toks[0].start, toks[-1].end)
    m = _NftMatch()
    i = 0
    while i < len(words):
        i = m.take(words, i)
        if m.unknown:
            break
    action = m.verdict if (m.verdict and not m.unknown) else "unknown"
    sources = m.sources or [None]
    return [FirewallRule(action, m.protocol, list(m.ports), s, chain, span=span) for s in sources]


class _NftMatch:
    def __init__(self) -> None:
        self.protocol: str | None = None
        self.ports: list[tuple[int, int]] = []
        self.sources: list[str] = []
        self.verdict: str | None = None
        self.unknown = False

    def take(self, w: list[str], i: int) -> int:
        word = w[i]
        if word in _SKIP:
            return i + 1 + (4 if w[i + 1:i + 2] == ["packets"] else 0)
        if word in ("log", "comment"):
            return _skip_log(w, i)
        if self.verdict is not None:
            self.unknown = True  # a statement after the verdict
            return i + 1
        if word in _VERDICTS:
            self.verdict = _VERDICTS[word]
            return i + 1 if word != "reject" else len(w)
        if word in ("tcp", "udp", "th") and w[i + 1:i + 2] == ["dport"]:
            if word != "th":
                self.protocol = word
            return self._ports(w, i + 2)
        if word in ("ip", "ip6") and w[i + 1:i + 2] == ["saddr"]:
            return self._sources(w, i + 2)
        if word == "meta" and w[i + 1:i + 2] == ["l4proto"] and w[i + 2:i + 3] in (["tcp"], ["udp"]):
            self.protocol = w[i + 2]
            return i + 3
        if word in ("ip", "ip6") and w[i + 1:i + 2] in (["protocol"], ["nexthdr"]) \
                and w[i + 2:i + 3] in (["tcp"], ["udp"]):
            self.protocol = w[i + 2]
            return i + 3
        self.unknown = True
        return i + 1

    def _values(self, w: list[str], i: int) -> tuple[list[str], int]:
        if i >= len(w):
            self.unknown = True
            return [], i
        if w[i] != "{":
            return [w[i]], i + 1
        vals, j = [], i + 1
        while j < len(w) and w[j] != "}":
            if w[j] != ",":
                vals.append(w[j])
            j += 1
        return vals, j + 1

    def _ports(self, w: list[str], i: int) -> int:
        vals, j = self._values(w, i)
        for v in vals:
            r = _port_range(v)
            if r is None:
                self.unknown = True  # negation, named set, service name
            else:
                self.ports.append(r)
        return j

    def _sources(self, w: list[str], i: int) -> int:
        vals, j = self._values(w, i)
        for v in vals:
            net = _network(v)
            if net is None:
                self.unknown = True
            else:
                self.sources.append(net)
        return j


def _skip_log(w: list[str], i: int) -> int:
    j = i + 1
    keys = {"prefix", "level", "group", "snaplen", "queue-threshold", "flags"}
    if w[i] == "comment":
        return i + 2
    while j < len(w) and w[j] in keys:
        j += 2
    return j


# -- iptables-save -------------------------------------------------------------

def parse_iptables(src: SourceFile) -> Firewall:
    fw = Firewall(kind="iptables", span=src.whole())
    table: str | None = None
    offset = 0
    for raw in src.text.split("\n"):
        line = raw.strip()
        start = offset + len(raw) - len(raw.lstrip())
        table = _ipt_line(src, fw, line, start, table)
        offset += len(raw) + 1
    if table is not None:
        _fail(src, len(src.text), f"COMMIT expected for table {table}", found="end of file", expected=["COMMIT"])
    return fw


def _ipt_line(src: SourceFile, fw: Firewall, line: str, start: int, table: str | None) -> str | None:
    if not line or line.startswith("#"):
        return table
    counters = re.match(r"\[\d+:\d+\]\s*", line)  # iptables-save -c
    if counters and table is not None:
        line, start = line[counters.end():], start + counters.end()
        if not line:
            _fail(src, start, "counters without a rule", found="end of line", expected=["-A"])
    if line.startswith("*"):
        if table is not None:
            _fail(src, start, f"COMMIT expected for table {table}", found=repr(line), expected=["COMMIT"])
        return line[1:]
    if table is None:
        _fail(src, start, "rule outside a table", found=repr(line.split()[0]), expected=["*filter"])
    if line == "COMMIT":
        return None
    if table != "filter":
        return table
    if line.startswith(":"):
        _ipt_policy(src, fw, line, start)
    elif line.startswith("-A ") or line.startswith("--append "):
        _ipt_rule(src, fw, line, start)
    else:
        _fail(src, start, "unknown line", found=repr(line.split()[0]), expected=[":CHAIN", "-A", "COMMIT"])
    return table


def _ipt_policy(src: SourceFile, fw: Firewall, line: str, start: int) -> None:
    parts = line[1:].split()
    if len(parts) < 2:
        _fail(src, start + len(line), "chain without a policy", found="end of line", expected=["ACCEPT", "DROP", "-"])
    if parts[0] == "INPUT":
        fw.default_policy = parts[1].lower() if parts[1] in ("ACCEPT", "DROP") else None


def _ipt_rule(src: SourceFile, fw: Firewall, line: str, start: int) -> None:
    try:
        args = shlex.split(line)
    except ValueError:
        _fail(src, start + line.index('"') if '"' in line else start, "unterminated quote", found="'\"'")
    if len(args) < 2:
        _fail(src, start + len(line), "-A without a chain", found="end of line", expected=["chain"])
    if args[1] != "INPUT":
        return
    span = src.span(start, start + len(line))
    m = _ipt_match(args[2:])
    action = m["verdict"] if m["verdict"] and not m["unknown"] else "unknown"
    fw.rules.append(FirewallRule(action, m["protocol"], m["ports"], m["source"], "INPUT", span=span))


_IPT_IGNORED = {"--comment": 1, "-m": 1, "--match": 1, "-c": 2, "--set-counters": 2}


def _ipt_match(args: list[str]) -> dict:
    m: dict = {"protocol": None, "ports": [], "source": None, "verdict": None, "unknown": False}
    i = 0
    while i < len(args):
        a = args[i]
        val = args[i + 1] if i + 1 < len(args) else ""
        if a == "!":  # a negated match: skip it, the rule stays unknown
            m["unknown"] = True
            i += 3
            continue
        if a in ("-p", "--protocol") and val in ("tcp", "udp"):
            m["protocol"] = val
        elif a in ("--dport", "--destination-port", "--dports", "--destination-ports"):
            _ipt_ports(m, val)
        elif a in ("-s", "--source", "--src"):
            m["source"] = _network(val)
            m["unknown"] |= m["source"] is None or "," in val
        elif a in ("-j", "--jump"):
            m["verdict"] = {"ACCEPT": "accept", "DROP": "drop", "REJECT": "reject"}.get(val)
            m["unknown"] |= m["verdict"] is None
            i = len(args)  # target options follow (--reject-with ...)
            continue
        elif a in _IPT_IGNORED and not (a in ("-m", "--match") and val in ("state", "conntrack", "set", "mark")):
            i += 1 + _IPT_IGNORED[a]
            continue
        else:
            m["unknown"] = True  # "!", -i, -d, other modules: the rule stays unknown
            i += 1
            continue
        i += 2
    return m


def _ipt_ports(m: dict, val: str) -> None:
    for part in val.split(","):
        r = _port_range(part, ":")
        if r is None:
            m["unknown"] = True
        else:
            m["ports"].append(r)


# -- firewalld -----------------------------------------------------------------

def parse_firewalld(src: SourceFile) -> Firewall:
    root = _xml_root(src)
    if root.tag != "zone":
        _fail(src, 0, "not a firewalld zone", found=repr(root.tag), expected=["<zone>"])
    fw = Firewall(kind="firewalld", span=src.whole(), default_policy=_zone_policy(root.get("target")))
    sources = [s.get("address") for s in root.findall("source") if s.get("address")]
    for el in root:
        for rule in _zone_element(src, el):
            fw.rules.extend(_with_sources(rule, sources))
    return fw


def _xml_root(src: SourceFile):
    from sanlint import xmlsafe

    return xmlsafe.load(src)


def _zone_policy(target: str | None) -> str:
    # firewalld's "default" zone target rejects what no rule accepts
    return {"ACCEPT": "accept", "DROP": "drop"}.get(target or "default", "reject")


def _element_span(src: SourceFile, el):
    line = el.sourceline or 1
    text = src.line_text(line)
    col = text.find(f"<{el.tag}")
    start = src.line_start_char(line) + max(col, 0)
    return src.span(start, src.line_start_char(line) + len(text))


def _zone_element(src: SourceFile, el) -> list[FirewallRule]:
    span = _element_span(src, el) if isinstance(el.tag, str) else None
    if el.tag == "service":
        return _service_rules(el.get("name", ""), None, "accept", span)
    if el.tag == "port":
        return [_port_rule(el, None, "accept", span)]
    if el.tag == "rule":
        return _rich_rule(el, span)
    return []


def _service_rules(name: str, source: str | None, action: str, span) -> list[FirewallRule]:
    ports = FIREWALLD_SERVICES.get(name)
    if ports is None:
        return [FirewallRule("unknown", None, [], source, name, span=span)]
    return [FirewallRule(action, proto, [(lo, hi)], source, name, span=span) for proto, lo, hi in ports]


def _port_rule(el, source: str | None, action: str, span) -> FirewallRule:
    proto = el.get("protocol")
    r = _port_range(el.get("port", ""))
    if r is None or proto not in ("tcp", "udp"):
        return FirewallRule("unknown", proto, [], source, span=span)
    return FirewallRule(action, proto, [r], source, span=span)


def _rich_rule(el, span) -> list[FirewallRule]:
    src_el = el.find("source")
    source = _network(src_el.get("address", "")) if src_el is not None and src_el.get("invert") is None else None
    action = next((a for a in ("accept", "drop", "reject") if el.find(a) is not None), None)
    if action is None or (src_el is not None and source is None) or el.find("destination") is not None:
        return [FirewallRule("unknown", None, [], source, span=span)]
    if el.find("service") is not None:
        return _service_rules(el.find("service").get("name", ""), source, action, span)
    if el.find("port") is not None:
        return [_port_rule(el.find("port"), source, action, span)]
    return [FirewallRule(action, None, [], source, span=span)]


def _with_sources(rule: FirewallRule, sources: list[str]) -> list[FirewallRule]:
    # zone <source> bindings: the zone applies to those sources only
    if not sources or rule.source is not None:
        return [rule]
    return [FirewallRule(rule.action, rule.protocol, list(rule.ports), s, rule.chain, span=rule.span)
            for s in sources]
