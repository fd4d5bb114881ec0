"""The DRBD parser: model values, spans, errors, generated configs, mutations."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanlint.model.base import Setting
from sanlint.model.drbd import (DrbdAddress, DrbdConfig, DrbdConnection, DrbdEndpoint, DrbdHost, DrbdInclude,
                                DrbdPath, DrbdProxy, DrbdResource, DrbdSection, DrbdVolume)
from sanlint.parsers.drbd import RESERVED, iter_located, parse
from sanlint.source import ParseError, SourceFile, Span
from conftest import FIXTURES

DRBD = FIXTURES / "drbd"
VALID = sorted(p for p in (DRBD / "valid").rglob("*") if p.is_file())
INVALID = sorted((DRBD / "invalid").glob("*.res"))


def load(rel: str) -> DrbdConfig:
    path = DRBD / "valid" / rel
    return parse(SourceFile(display=rel, data=path.read_bytes(), path=path, format="drbd"))


def text(src: str) -> DrbdConfig:
    return parse(SourceFile.from_text("test.res", src, format="drbd"))


# -- model values --------------------------------------------------------------------

def test_seed_chapter_config() -> None:
    cfg = load("v83/sandisk0.res")
    assert cfg.version_hint == "8.3"
    (res,) = cfg.resources
    assert res.name == "sandisk0"
    assert res.protocol.value == "C" and res.protocol.span.text == "protocol        C;"
    assert res.option("syncer", "rate").value == "70M"
    assert res.option("disk", "fencing").value == "resource-only"
    assert res.option("handlers", "fence-peer").value == "/usr/lib/drbd/crm-fence-peer.sh"
    san1 = res.host("san-1.example.com")
    assert san1.kind == "on" and san1.names == ["san-1.example.com"]
    assert (san1.address.family, san1.address.address, san1.address.port) == ("ipv4", "172.17.50.21", 7676)
    assert not san1.address.family_explicit
    (vol,) = san1.volumes
    assert (vol.number, vol.device, vol.minor, vol.disk, vol.meta_disk) == (None, "/dev/drbd0", 0, "/dev/sdb", "internal")
    assert vol.statement("device").span.text == "device  /dev/drbd0;"


def test_dual_primary_83() -> None:
    cfg = load("v83/dual-primary.conf")
    assert [o.name for o in cfg.global_options] == ["usage-count", "minor-count", "dialog-refresh",
                                                    "disable-ip-verification"]
    assert cfg.global_options[-1].value is None and cfg.global_options[-1].value_span is None
    assert cfg.common_protocol.value == "C" and cfg.common[0].kind == "syncer"
    r0, r1 = cfg.resources
    assert r0.option("net", "allow-two-primaries").value is None
    secret = r0.option("net", "shared-secret")
    assert secret.value == "s3cr3t#not-a-comment" and secret.value_span.text == "s3cr3t#not-a-comment"
    assert r0.option("startup", "become-primary-on").value == "both"
    assert r0.option("handlers", "outdate-peer").value == "/usr/lib/heartbeat/drbd-peer-outdater -t 5"
    bravo = r1.host("bravo").volumes[0]
    assert r1.host("alpha").volumes[0].meta_disk == "/dev/vg0/meta" and r1.host("alpha").volumes[0].meta_index == 0
    assert bravo.meta_disk == "/dev/vg0/meta1" and bravo.statement("flexible-meta-disk") is not None


def test_stacked_and_floating() -> None:
    upper = load("v83/stacked.res").resources[1]
    stacked = upper.hosts[0]
    assert stacked.kind == "stacked-on-top-of" and stacked.lower_resource == "r0" and stacked.names == []
    assert stacked.address.address == "192.168.42.1" and stacked.volumes[0].device == "/dev/drbd10"
    f = load("v83/floating-skip.res")
    assert len(f.skipped) == 2 and f.skipped[1].text.startswith("skip retired")
    res = f.resources[0]
    assert [h.kind for h in res.hosts] == ["floating", "floating"]
    assert res.hosts[1].address.family == "sci" and res.hosts[1].names == ["10.9.0.2:7006"]
    assert res.hosts[0].body_span is None
    assert [s.value for s in res.ignore_on] == ["charlie"]
    assert res.volumes[0].minor == 6 and res.volumes[0].device is None


def test_volumes_and_options_84() -> None:
    cfg = load("v84/r0.res")
    assert cfg.version_hint == "8.4"
    res = cfg.resources[0]
    assert res.option("options", "cpu-mask").value == "ff"
    assert [(v.number, v.device, v.minor, v.meta_disk, v.meta_index) for v in res.volumes] == [
        (0, "/dev/drbd1", 1, "internal", None), (1, None, 2, "/dev/vg0/meta", 1)]
    assert res.host("alpha").names == ["alpha"]  # quoted in the file
    eff = res.effective_volumes(res.host("bravo"))
    assert [v.disk for v in eff] == ["/dev/vg0/data", "/dev/vg0/log"]


def test_ipv6_and_families() -> None:
    r6, r7, r8 = load("v84/ipv6-multi.res").resources
    alpha = r6.hosts[0]
    assert alpha.names == ["alpha", "alpha-ha", "alpha.example.com"]
    assert (alpha.address.family, alpha.address.address, alpha.address.port) == ("ipv6", "fd00:10::1", 7796)
    assert alpha.address.family_explicit and alpha.address.span.text == "ipv6 [fd00:10::1]:7796"
    assert alpha.volumes[0].number == 0 and alpha.volumes[0].span.text.startswith("volume 0 {")
    assert r7.hosts[0].address.address == "fe80::a00:27ff:fe4e:66a1%eth1"
    assert [h.address.family for h in r8.hosts] == ["ssocks", "sdp"]


def test_quoted_names_and_escapes() -> None:
    res = load("v84/quoted.res").resources[0]
    assert res.name == "web-data"
    assert [h.names for h in res.hosts] == [["net"], ["disk"]]
    assert res.volumes[0].disk == "/dev/vg0/web data"
    secret = res.option("net", "shared-secret")
    assert secret.value == 'pa#ss"word' and secret.value_span.text == 'pa#ss\\"word'
    assert secret.span.text == 'shared-secret "pa#ss\\"word";'


def test_proxy_sections() -> None:
    res = load("v84/proxy.res").resources[0]
    proxy = res.section("proxy")
    assert proxy.get("memlimit").value == "512M"
    (plugin,) = proxy.sections
    assert plugin.kind == "plugin" and [(o.name, o.value) for o in plugin.options] == [("zlib", "level 9"),
                                                                                        ("debug", None)]
    alpha = res.host("alpha")
    assert alpha.proxy.on_hosts == ["alpha-proxy"]
    assert alpha.proxy.inside.port == 7796 and alpha.proxy.outside.address == "192.168.23.1"


def test_drbd9_mesh() -> None:
    cfg = load("v9/mesh.res")
    assert cfg.version_hint == "9"
    assert cfg.commons[0].option("options", "quorum").value == "majority"
    res = cfg.resources[0]
    assert [h.node_id for h in res.hosts] == [0, 1, 2]
    assert res.hosts[0].node_id_span.text == "0"
    (mesh,) = res.connections
    assert mesh.mesh and mesh.hosts == ["alpha", "bravo", "charlie"]
    assert mesh.sections[0].get("ping-timeout").value == "10"
    charlie = res.host("charlie")
    assert [v.disk for v in charlie.volumes] == ["none", "none"]
    assert res.volumes[1].sections[0].kind == "disk" and res.volumes[1].sections[0].get("md-flushes").value == "no"


def test_drbd9_paths() -> None:
    res = load("v9/paths.res").resources[0]
    assert res.hosts[0].names == ["alpha", "bravo"]
    c1, c2 = res.connections
    assert c1.hosts == ["alpha", "charlie"] and len(c1.paths) == 2
    assert [a.address for a in c1.addresses] == ["10.2.0.1", "10.2.0.3", "192.168.0.1", "192.168.0.3"]
    assert c1.paths[1].endpoints[0].span.text == "host alpha    address 192.168.0.1:7001;"
    assert c1.volumes[0].number == 0 and c1.volumes[0].sections[0].get("resync-rate").value == "10M"
    assert c2.endpoints[0].port == 7002 and c2.endpoints[0].address is None
    assert c2.sections[0].kind == "disk"


def test_drbd9_via_proxy_this_host_template() -> None:
    rp = load("v9/proxy-via.res").resources[0]
    ep = rp.connections[0].endpoints[0]
    assert ep.proxy.on_hosts == ["alpha"] and ep.proxy.outside.address == "172.16.15.1"
    t = load("v9/this-host.res").resources[0]
    assert t.hosts[0].kind == "_this_host" and t.connections[0].peer_node_id == 1
    assert [e.kind for e in t.connections[0].paths[0].endpoints] == ["_this_host", "_remote_host"]
    r = load("v9/template/r.res").resources[0]
    assert r.template_file.value == "common.tmpl"
    mv = load("v9/module-version.res")
    assert mv.module_versions[0].name == "require-drbd-module-version-ge"
    assert mv.module_versions[0].value == "9.0.0" and mv.resources[0].connections[0].name == "c1"


def test_includes() -> None:
    cfg = load("v84/include/drbd.conf")
    assert [i.pattern for i in cfg.includes] == ["drbd.d/global_common.conf", "drbd.d/*.res",
                                                 "drbd.d/nothing-matches-*.res"]
    assert cfg.includes[1].span.text == 'include "drbd.d/*.res";'
    assert cfg.includes[1].pattern_span.text == "drbd.d/*.res"


def test_skip_everywhere_9() -> None:
    cfg = load("v9/skip.res")
    assert len(cfg.skipped) == 5
    assert cfg.skipped[0].text.startswith("skip resource r9") and cfg.skipped[0].text.endswith("}")
    assert [r.name for r in cfg.resources] == ["r0"]
    assert cfg.resources[0].option("net", "protocol").value == "C"


@pytest.mark.parametrize("src,hint", [
    ("resource r { on a { node-id 0; address 1.2.3.4:5; } }", "9"),
    ("resource r { volume 0 { disk /dev/sdb; } }", "8.4"),
    ("resource r { options { cpu-mask 1; } syncer { rate 1M; } }", "8.4"),
    ("resource r { syncer { rate 1M; } }", "8.3"),
    ("resource r { protocol C; }", None),  # still the usual placement in 8.4
    ("resource r { protocol C; net { protocol C; } }", None),
    ("skip { x } resource r { disk /dev/sdb; }", None),
    ("resource r { skip { x } }", "9"),
])
def test_version_hint(src: str, hint: str | None) -> None:
    assert text(src).version_hint == hint


def test_common_protocol_and_multiword_value() -> None:
    cfg = text('common { protocol C; startup { become-primary-on alpha  bravo; } }\n')
    assert cfg.common_protocol.value == "C"
    opt = cfg.common[0].get("become-primary-on")
    assert opt.value == "alpha bravo" and opt.value_span.text == "alpha  bravo"


def test_non_ascii_spans_are_bytes() -> None:
    src = 'resource r { # kommentar: größe\n  handlers { split-brain "/bin/echo größe"; } }\n'
    opt = text(src).resources[0].option("handlers", "split-brain")
    assert opt.value == "/bin/echo größe"
    assert opt.value_span.bytes == "/bin/echo größe".encode() and opt.span.line == 2 and opt.span.column == 14


# -- spans: every object of every fixture -----------------------------------------------

def _keyword(obj: object) -> str | None:
    """What the text of `obj`'s span must start with."""
    if isinstance(obj, DrbdResource):
        return "common" if obj.span.text.startswith("common") else "resource"
    if isinstance(obj, (DrbdSection, Setting)):
        return obj.kind if isinstance(obj, DrbdSection) else obj.name
    if isinstance(obj, DrbdHost):
        return obj.kind
    if isinstance(obj, DrbdVolume):
        return "volume" if obj.number is not None else None
    if isinstance(obj, DrbdAddress):
        return obj.family if obj.family_explicit else obj.address
    if isinstance(obj, DrbdConnection):
        return "connection-mesh" if obj.mesh else "connection"
    if isinstance(obj, DrbdEndpoint):
        return obj.kind
    if isinstance(obj, DrbdPath):
        return "path"
    if isinstance(obj, DrbdProxy):
        return "via proxy" if obj.span.text.startswith("via") else "proxy"
    if isinstance(obj, DrbdInclude):
        return "include"
    return None


def _check_span(span: Span, data: bytes) -> None:
    assert 0 <= span.start <= span.end <= len(data)
    before = data[: span.start].decode("utf-8", "surrogateescape")
    assert span.line == before.count("\n") + 1
    assert span.column == len(before) - (before.rfind("\n") + 1) + 1


@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(DRBD)))
def test_round_trip_spans(path: Path) -> None:
    data = path.read_bytes()
    cfg = parse(SourceFile(display=path.name, data=data, path=path))
    count = 0
    for obj in iter_located(cfg):
        count += 1
        _check_span(obj.span, data)
        for extra in ("value_span", "body_span", "node_id_span", "pattern_span"):
            s = getattr(obj, extra, None)
            if s is not None:
                _check_span(s, data)
                assert obj.span.start <= s.start <= s.end <= obj.span.end
        kw = _keyword(obj)
        if kw is not None and not obj.span.text.startswith('"'):
            assert obj.span.text.startswith(kw), (type(obj).__name__, obj.span.text[:40])
        if isinstance(obj, DrbdVolume) and obj.number is None:
            assert obj.span.text.split()[0] in ("disk", "device", "meta-disk", "flexible-meta-disk")
        if isinstance(obj, Setting) and obj.span.text.endswith(";"):
            if obj.value is not None and "\\" not in obj.span.text and obj.value_span is not None:
                assert re.sub(r'[\s"]', "", obj.value_span.text) == re.sub(r"\s", "", obj.value)
        if isinstance(obj, (DrbdSection, DrbdResource, DrbdHost)) and obj.body_span is not None:
            b = obj.body_span
            assert data[b.start - 1 : b.start] == b"{" and data[b.end : b.end + 1] == b"}"
    assert count > 3


# -- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_position(path: Path) -> None:
    line, col = map(int, path.with_suffix(".expect").read_text().split(":"))
    with pytest.raises(ParseError) as err:
        parse(SourceFile(display=path.name, data=path.read_bytes(), path=path))
    e = err.value
    assert (e.line, e.column) == (line, col), e.describe()
    assert e.found and e.expected


@pytest.mark.parametrize("name,found,expected", [
    ("double-semicolon", "';'", "'}'"),
    ("address-no-port", "';'", "':'"),
    ("missing-semicolon", "'meta-disk'", "';'"),
    ("keyword-host", "'net'", "string"),
    ("include-in-resource", "'include'", "'on'"),
    ("missing-final-brace", "end of file", "'}'"),
    ("volume-word", "'data'", "a number"),
    ("ipv6-no-keyword", "'['", "'ipv6'"),
])
def test_error_found_expected(name: str, found: str, expected: str) -> None:
    path = DRBD / "invalid" / f"{name}.res"
    with pytest.raises(ParseError) as err:
        parse(SourceFile(display=path.name, data=path.read_bytes()))
    assert err.value.found == found and expected in err.value.expected


# -- generated configurations ------------------------------------------------------------

WORD = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True).filter(lambda w: w not in RESERVED)
VALUE = st.one_of(WORD, st.from_regex(r"[0-9]{1,5}[MKG]?", fullmatch=True),
                  st.from_regex(r'"[a-z #/.;{}]{0,12}"', fullmatch=True))
GAP = st.sampled_from([" ", "  ", "\n", "\t", " # note { ; }\n", "\n\n  "])


@dataclass
class GenResource:
    name: str
    sections: list[tuple[str, list[tuple[str, str | None]]]]
    hosts: list[tuple[list[str], str, int]]


@st.composite
def resources(draw) -> GenResource:
    sections = draw(st.lists(st.tuples(st.sampled_from(["net", "disk", "startup", "handlers", "options"]),
                                       st.lists(st.tuples(WORD, st.one_of(st.none(), VALUE)), max_size=4)),
                             max_size=3))
    hosts = draw(st.lists(st.tuples(st.lists(WORD, min_size=1, max_size=2),
                                    st.from_regex(r"10\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}", fullmatch=True),
                                    st.integers(1, 65535)), max_size=3))
    return GenResource(draw(WORD), sections, hosts)


def render(res: list[GenResource], gap) -> str:
    out = []
    for r in res:
        out += ["resource", gap(), r.name, gap(), "{", gap()]
        for kind, opts in r.sections:
            out += [kind, gap(), "{", gap()]
            for name, value in opts:
                out += [name] + ([" ", value] if value is not None else []) + [gap(), ";", gap()]
            out += ["}", gap()]
        for names, ip, port in r.hosts:
            out += ["on", " ", " ".join(names), gap(), "{", gap(), "address", " ", f"{ip}:{port}", gap(), ";",
                    gap(), "}", gap()]
        out += ["}", gap()]
    return "".join(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(resources(), max_size=4), st.data())
def test_generated_configs_parse(res: list[GenResource], data) -> None:
    src = render(res, lambda: data.draw(GAP))
    cfg = text(src)
    assert [r.name for r in cfg.resources] == [r.name for r in res]
    for got, want in zip(cfg.resources, res):
        assert [(s.kind, [(o.name, o.value) for o in s.options]) for s in got.sections] == [
            (k, [(n, None if v is None else v.strip('"')) for n, v in opts]) for k, opts in want.sections]
        assert [(h.names, h.address.address, h.address.port) for h in got.hosts] == [
            (names, ip, port) for names, ip, port in want.hosts]
        for sec in got.sections:
            for opt in sec.options:
                assert opt.span.text.startswith(opt.name) and opt.span.text.endswith(";")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(VALID), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255),
                                                  st.sampled_from(["replace", "insert", "delete"])),
                                        min_size=1, max_size=4))
def test_mutations_raise_only_parse_errors(path: Path, edits) -> None:
    data = bytearray(path.read_bytes())
    for pos, byte, op in edits:
        pos %= len(data) + 1
        if op == "insert":
            data[pos:pos] = bytes([byte])
        elif pos < len(data):
            data[pos : pos + 1] = b"" if op == "delete" else bytes([byte])
    try:
        parse(SourceFile(display="mutated", data=bytes(data)))
    except ParseError as e:
        assert e.line >= 1 and e.column >= 1


def test_500_resources_parse_fast() -> None:
    one = ("resource r{i} {{\n  net {{ protocol C; }}\n  on alpha {{ device /dev/drbd{i}; disk /dev/vg/r{i}; "
           "meta-disk internal; address 10.0.{a}.{b}:{port}; }}\n"
           "  on bravo {{ device /dev/drbd{i}; disk /dev/vg/r{i}; meta-disk internal; "
           "address 10.1.{a}.{b}:{port}; }}\n}}\n")
    src = "".join(one.format(i=i, a=i // 250, b=i % 250, port=7000 + i) for i in range(500))
    text("resource warm { }")  # grammar compiled outside the timing
    start = time.perf_counter()
    cfg = text(src)
    elapsed = time.perf_counter() - start
    assert len(cfg.resources) == 500 and cfg.resources[-1].hosts[1].address.port == 7499
    assert elapsed < 3.0, f"{elapsed:.2f}s"
