"""nftables, iptables-save and firewalld zone parsers.

Oracles: `nft -c -f` and `iptables-restore --test` check the fixtures
offline; where a network namespace can be created (`unshare -n`, root),
the ruleset is loaded there and nft's own JSON listing decides which
probes (new TCP/UDP connection to a port from a source) are accepted.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanlint.model.network import Firewall
from sanlint.parsers import firewall as fwp
from sanlint.source import ParseError, SourceFile
from conftest import FIXTURES, need

FW = FIXTURES / "firewall"
PARSE = {".conf": fwp.parse_nftables, ".nft": fwp.parse_nftables, ".rules": fwp.parse_iptables,
         ".xml": fwp.parse_firewalld}


def load(path: Path) -> Firewall:
    return PARSE[path.suffix](SourceFile(display=path.name, data=path.read_bytes(), path=path))


def text_src(text: str, name: str = "fw") -> SourceFile:
    return SourceFile.from_text(name, text)


def first_match(fw: Firewall, port: int, source: str, proto: str = "tcp") -> bool:
    """New connection verdict with first-match semantics over the model."""
    for r in fw.rules:
        if r.action == "unknown" or r.protocol not in (None, proto):
            continue
        if r.ports and not any(lo <= port <= hi for lo, hi in r.ports):
            continue
        if r.source and ipaddress.ip_address(source) not in ipaddress.ip_network(r.source):
            continue
        return r.action == "accept"
    return fw.default_policy == "accept"


# -- nftables ------------------------------------------------------------------

def test_nftables_fixture():
    fw = load(FW / "nftables.conf")
    assert (fw.kind, fw.default_policy) == ("nftables", "drop")
    accepts = [(r.protocol, r.ports, r.source) for r in fw.rules if r.action == "accept"]
    assert accepts == [("tcp", [(7788, 7799), (3260, 3260)], "10.0.0.0/24"), ("tcp", [(22, 22)], None),
                       ("udp", [(5404, 5412)], "10.0.1.0/24"), ("udp", [(5404, 5412)], "10.0.2.0/24")]
    unknown = [r.span.text for r in fw.rules if r.action == "unknown"]
    assert unknown == ["ct state established,related accept", "iif lo accept",
                       "tcp dport 2224 ip saddr != 192.168.0.0/16 accept", "ip protocol icmp accept"]
    drbd = fw.rules[2]
    assert drbd.span.text == "tcp dport { 7788-7799, 3260 } ip saddr $SAN_NET accept"
    assert (drbd.span.line, drbd.span.column, drbd.chain) == (13, 9, "input")
    assert fw.allows(7790, "10.0.0.5") and not fw.allows(7790, "10.9.0.5") and not fw.allows(2224, "10.0.0.5")


def test_nftables_without_input_hook_has_no_policy():
    fw = fwp.parse_nftables(text_src("table ip nat {\n chain post { type nat hook postrouting priority 100; }\n}\n"))
    assert fw.rules == [] and fw.default_policy is None


def test_nftables_continuation_and_comments():
    fw = fwp.parse_nftables(text_src(
        "table inet f { # comment\n chain i { type filter hook input priority 0\n policy accept\n"
        " tcp dport \\\n 3260 accept comment \"iscsi\"\n }\n}\n"))
    assert [(r.action, r.ports) for r in fw.rules] == [("accept", [(3260, 3260)])]
    assert fw.default_policy == "accept"


# -- iptables ------------------------------------------------------------------

def test_iptables_fixture():
    fw = load(FW / "iptables.rules")
    assert (fw.kind, fw.default_policy) == ("iptables", "drop")
    got = [(r.action, r.protocol, r.ports, r.source) for r in fw.rules]
    assert got == [
        ("unknown", None, [], None), ("unknown", None, [], None),
        ("accept", "tcp", [(7788, 7790)], "10.0.0.0/24"),
        ("accept", "tcp", [(3260, 3260), (2224, 2224), (21064, 21064)], None),
        ("accept", "udp", [(5404, 5412)], "10.0.1.0/24"),
        ("accept", "tcp", [(22, 22)], None),
        ("reject", "tcp", [(9000, 9000)], None),
        ("unknown", "tcp", [(8080, 8080)], None),
    ]
    assert fw.rules[2].span.text.startswith("-A INPUT -s 10.0.0.0/24") and fw.rules[2].span.line == 13


def test_iptables_counters_and_masks():
    fw = fwp.parse_iptables(text_src("*filter\n:INPUT ACCEPT [5:300]\n"
                                     "[1:60] -A INPUT -s 10.1.0.0/255.255.0.0 -p tcp --dport 3260 -j DROP\nCOMMIT\n"))
    (r,) = fw.rules
    assert (r.action, r.source, fw.default_policy) == ("drop", "10.1.0.0/16", "accept")


# -- firewalld -----------------------------------------------------------------

def test_firewalld_zone_with_sources():
    fw = load(FW / "san.xml")
    assert (fw.kind, fw.default_policy) == ("firewalld", "reject")
    assert fw.allows(3260, "10.0.0.7") and fw.allows(7789, "10.0.0.7") and fw.allows(5405, "10.0.0.7", "udp")
    assert not fw.allows(3260, "192.168.1.1")  # the zone is bound to 10.0.0.0/24
    assert fw.allows(22, "10.0.9.1") and not fw.allows(22, "10.0.0.7")  # rich rule
    assert not fw.allows(7791, "10.0.0.7")
    port = next(r for r in fw.rules if r.ports == [(7788, 7790)])
    assert port.span.text == '<port protocol="tcp" port="7788-7790"/>' and port.span.line == 7


def test_firewalld_public_zone():
    fw = load(FW / "public.xml")
    assert fw.default_policy == "drop"
    assert [(r.action, r.chain) for r in fw.rules] == [("accept", "ssh"), ("unknown", "dhcpv6-client"), ("accept", None)]


def test_firewalld_entities_are_not_expanded():
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE zone [<!ENTITY p SYSTEM "file:///etc/passwd">]>\n'
           '<zone><service name="&p;"/></zone>\n')
    try:
        fw = fwp.parse_firewalld(text_src(xml))
    except ParseError:
        return
    assert all("root:" not in (r.chain or "") for r in fw.rules)


# -- invalid fixtures ----------------------------------------------------------

INVALID = sorted(p for p in (FW / "invalid").iterdir() if p.suffix != ".expect")


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_position(path: Path):
    expect = Path(f"{path}.expect").read_text().strip()
    with pytest.raises(ParseError) as info:
        load(path)
    assert f"{info.value.line}:{info.value.column}" == expect, info.value.describe()


# -- oracles -------------------------------------------------------------------

@pytest.mark.oracle
@pytest.mark.parametrize("path", [FW / "nftables.conf"], ids=lambda p: p.name)
def test_nft_accepts_valid_fixture(path):
    run = subprocess.run([need("nft"), "-c", "-f", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.oracle
@pytest.mark.parametrize("path", sorted((FW / "invalid").glob("*.nft")), ids=lambda p: p.name)
def test_nft_rejects_invalid_fixture_at_the_same_place(path):
    run = subprocess.run([need("nft"), "-c", "-f", str(path)], capture_output=True, text=True)
    assert run.returncode != 0
    line, col = Path(f"{path}.expect").read_text().strip().split(":")
    assert f"{path.name}:{line}:{col}-" in run.stderr.replace(str(path), path.name), run.stderr


@pytest.mark.oracle
def test_iptables_restore_accepts_fixture():
    run = subprocess.run([need("iptables-restore"), "--test", str(FW / "iptables.rules")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.oracle
@pytest.mark.parametrize("path", sorted((FW / "invalid").glob("*.rules")), ids=lambda p: p.name)
def test_iptables_restore_rejects_invalid_fixture(path):
    run = subprocess.run([need("iptables-restore"), "--test", str(path)], capture_output=True, text=True)
    assert run.returncode != 0


def _netns_json(nft: str, ruleset: str) -> dict | None:
    run = subprocess.run(["unshare", "-n", "sh", "-c", f"{nft} -f - && {nft} -j list ruleset"],
                         input=ruleset, capture_output=True, text=True)
    if run.returncode != 0:
        if "Operation not permitted" in run.stderr or "unshare" in run.stderr:
            return None
        raise AssertionError(run.stderr)
    return json.loads(run.stdout)


def nft_verdict(doc: dict, port: int, source: str, proto: str = "tcp") -> bool:
    """Tiny evaluator of nft's JSON listing: first matching rule of each
    input base chain, then its policy.  Matches other than l4 dport and ip
    saddr never match (a new connection from outside)."""
    items = doc["nftables"]
    chains = [i["chain"] for i in items if "chain" in i and i["chain"].get("hook") == "input"]
    if not chains:
        return True
    for chain in chains:
        rules = [i["rule"] for i in items if "rule" in i and (i["rule"]["table"], i["rule"]["chain"],
                                                              i["rule"]["family"]) ==
                 (chain["table"], chain["name"], chain["family"])]
        verdict = next((v for r in rules if (v := _rule_verdict(r["expr"], port, source, proto))), None)
        if (verdict or chain.get("policy", "accept")) != "accept":
            return False
    return True


def _rule_verdict(exprs: list, port: int, source: str, proto: str) -> str | None:
    for e in exprs:
        if "match" in e and not _matches(e["match"], port, source, proto):
            return None
        for v in ("accept", "drop", "reject"):
            if v in e:
                return v
    return None


def _matches(m: dict, port: int, source: str, proto: str) -> bool:
    left, right, op = m["left"], m["right"], m["op"]
    payload = left.get("payload", {})
    if payload.get("field") == "dport":
        return payload.get("protocol") in (proto, "th") and op in ("==", "in") and _in(port, right)
    if payload.get("field") == "saddr" and payload.get("protocol") == "ip":
        return op in ("==", "in") and _in(ipaddress.ip_address(source), right)
    if left.get("meta", {}).get("key") == "l4proto":
        return op in ("==", "in") and right == proto
    return False


def _in(value, right) -> bool:
    if isinstance(right, dict) and "set" in right:
        return any(_in(value, r) for r in right["set"])
    if isinstance(right, dict) and "range" in right:
        lo, hi = right["range"]
        return _in_range(value, lo, hi)
    if isinstance(right, dict) and "prefix" in right:
        net = ipaddress.ip_network(f"{right['prefix']['addr']}/{right['prefix']['len']}")
        return not isinstance(value, int) and value in net
    if isinstance(value, int):
        return value == right
    return str(value) == str(right)


def _in_range(value, lo, hi) -> bool:
    if isinstance(value, int):
        return lo <= value <= hi
    return ipaddress.ip_address(lo) <= value <= ipaddress.ip_address(hi)


PROBES = [(p, s, proto) for p in (22, 2224, 3260, 5405, 7788, 7790, 7799, 7800, 9000)
          for s in ("10.0.0.5", "10.0.1.5", "10.0.2.9", "192.168.1.1") for proto in ("tcp", "udp")]


def _compare_with_kernel(text: str) -> None:
    doc = _netns_json(need("nft"), text)
    if doc is None:
        if os.environ.get("CI"):  # CI runs as root: a namespace must be possible there
            pytest.fail("cannot create a network namespace (needs root / CAP_SYS_ADMIN)")
        pytest.skip("cannot create a network namespace here (needs root / CAP_SYS_ADMIN; CI never skips this)")
    fw = fwp.parse_nftables(text_src(text))
    for port, source, proto in PROBES:
        assert first_match(fw, port, source, proto) == nft_verdict(doc, port, source, proto), (port, source, proto)


@pytest.mark.oracle
def test_nftables_fixture_matches_nft_in_a_namespace():
    _compare_with_kernel((FW / "nftables.conf").read_text())


# -- properties ----------------------------------------------------------------

ports = st.lists(st.tuples(st.integers(1, 9999), st.integers(0, 50)).map(lambda t: (t[0], t[0] + t[1])),
                 min_size=1, max_size=3)
nets = st.sampled_from(["10.0.0.0/24", "10.0.1.0/24", "10.0.0.5/32", "192.168.0.0/16"])


@st.composite
def rulesets(draw):
    rules = []
    for _ in range(draw(st.integers(0, 6))):
        rules.append((draw(st.sampled_from(["tcp", "udp"])), draw(ports), draw(st.lists(nets, max_size=2, unique=True)),
                      draw(st.sampled_from(["accept", "drop"]))))
    return draw(st.sampled_from(["accept", "drop"])), rules


def render_nft(policy: str, rules) -> str:
    lines = ["flush ruleset", "table inet filter {", "  chain input {",
             f"    type filter hook input priority 0; policy {policy};"]
    for proto, prts, srcs, verdict in rules:
        p = ", ".join(f"{lo}-{hi}" if hi > lo else str(lo) for lo, hi in prts)
        s = "" if not srcs else f" ip saddr {{ {', '.join(srcs)} }}"
        lines.append(f"    {proto} dport {{ {p} }}{s} {verdict}")
    return "\n".join(lines + ["  }", "}"]) + "\n"


def render_ipt(policy: str, rules) -> str:
    lines = ["*filter", f":INPUT {policy.upper()} [0:0]"]
    for proto, prts, srcs, verdict in rules:
        dports = ",".join(f"{lo}:{hi}" if hi > lo else str(lo) for lo, hi in prts)
        for s in srcs or [None]:
            src = f" -s {ipaddress.ip_network(s)}" if s else ""
            lines.append(f"-A INPUT{src} -p {proto} -m multiport --dports {dports} -j {verdict.upper()}")
    return "\n".join(lines + ["COMMIT"]) + "\n"


def _normal(fw: Firewall) -> list:
    return [(r.action, r.protocol, r.ports, r.source) for r in fw.rules]


@settings(max_examples=60, deadline=None)
@given(rulesets())
def test_generated_rulesets_parse_to_the_model(ruleset):
    policy, rules = ruleset
    expect = [(v, proto, prts, str(ipaddress.ip_network(s)) if s else None)
              for proto, prts, srcs, v in rules for s in (srcs or [None])]
    nft = fwp.parse_nftables(text_src(render_nft(policy, rules)))
    ipt = fwp.parse_iptables(text_src(render_ipt(policy, rules)))
    assert _normal(nft) == expect and nft.default_policy == policy
    assert _normal(ipt) == expect and ipt.default_policy == policy


@pytest.mark.oracle
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rulesets())
def test_generated_rulesets_match_nft_in_a_namespace(ruleset):
    _compare_with_kernel(render_nft(*ruleset))


FIXTURE_TEXTS = {fwp.parse_nftables: (FW / "nftables.conf").read_text(),
                 fwp.parse_iptables: (FW / "iptables.rules").read_text(),
                 fwp.parse_firewalld: (FW / "san.xml").read_text()}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(FIXTURE_TEXTS)), st.data())
def test_mutations_raise_only_parse_error(parser, data):
    text = FIXTURE_TEXTS[parser]
    for _ in range(data.draw(st.integers(1, 3))):
        pos = data.draw(st.integers(0, len(text) - 1))
        ch = data.draw(st.sampled_from(list('{}<>/="\\;#!,\n \t&[]:') + ["table", "</zone>", "-A", "*filter", "\u00e9"]))
        text = text[:pos] + ch + text[pos + data.draw(st.integers(0, 1)):]
    try:
        parser(text_src(text))
    except ParseError as e:
        assert e.line >= 1 and e.column >= 1
