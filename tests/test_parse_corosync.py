"""corosync.conf parsing: 1.x/2.x/3.x values, spans, errors, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import FIXTURES
from sanlint.parsers.corosync import parse
from sanlint.source import ParseError, SourceFile

COROSYNC = FIXTURES / "corosync"
INVALID = sorted(p for p in (COROSYNC / "invalid").iterdir() if p.suffix != ".expect")


def load(name: str) -> SourceFile:
    path = COROSYNC / name
    return SourceFile(display=str(path), data=path.read_bytes(), path=path)


def text(body: str) -> SourceFile:
    return SourceFile.from_text("corosync.conf", body)


def test_openais_era():
    config = parse(load("corosync-1x-openais.conf"))
    assert config.version == "1"
    assert config.nodes == []
    (ring,) = config.interfaces
    assert (ring.number, ring.bindnetaddr, ring.mcastaddr, ring.mcastport) == (0, "172.17.50.0", "239.219.5.144", "5405")
    assert config.value("totem.secauth") == "off"
    assert config.value("service.name") == "pacemaker"
    assert [s.name for s in config.root.sections] == ["aisexec", "service", "totem", "logging", "amf"]
    secauth = config.section("totem").get("secauth")
    assert secauth.span.text == "secauth:\toff" and secauth.value_span.text == "off"
    assert (secauth.span.line, secauth.span.column) == (50, 2)
    assert ring.span.text.startswith("interface {") and ring.span.text.endswith("}")


def test_udpu_nodelist():
    config = parse(load("corosync-2x-udpu.conf"))
    assert config.version == "2"
    assert [(n.name, n.nodeid, n.ring_addrs) for n in config.nodes] == [
        (None, "1", {0: "san-1.example.com"}), (None, "2", {0: "san-2.example.com"})]
    assert config.value("quorum.two_node") == "1"
    assert config.value("logging.logfile") == "/var/log/cluster/corosync.log"
    assert config.nodes[0].span.line == 10


def test_knet_two_links_with_crypto():
    config = parse(load("corosync-3x-knet.conf"))
    assert config.version == "3"
    assert [i.number for i in config.interfaces] == [0, 1]
    assert [(n.name, n.ring_addrs) for n in config.nodes] == [
        ("san-1", {0: "172.17.50.21", 1: "10.0.0.21"}), ("san-2", {0: "172.17.50.22", 1: "10.0.0.22"})]
    assert config.value("totem.crypto_cipher") == "aes256"
    link1 = config.section("totem").children("interface")[1]
    assert link1.value("knet_transport") == "sctp"


def test_rrp_two_rings_is_v2():
    config = parse(load("corosync-2x-rrp.conf"))
    assert config.version == "2"  # crypto_cipher exists since corosync 2.0
    assert [(i.number, i.bindnetaddr, i.mcastport) for i in config.interfaces] == [
        (0, "172.17.50.0", "5405"), (1, "10.0.0.0", "5407")]
    assert config.section("logging").children("logger_subsys")[0].value("subsys") == "QUORUM"


@pytest.mark.parametrize("body, version", [
    ("aisexec {\n}\nnodelist {\n}\n", "1"),
    ("totem {\n version: 2\n}\n", "1"),
    ("totem {\n version: 2\n}\nquorum {\n provider: corosync_votequorum\n}\n", "2"),
    ("totem {\n crypto_model: nss\n}\nnodelist {\n}\n", "3"),
    ("totem {\n interface {\n  linknumber: 0\n }\n}\nnodelist {\n}\n", "3"),
    ("totem {\n transport: udpu\n}\nnodelist {\n}\n", "2"),
])
def test_version_heuristic(body, version):
    assert parse(text(body)).version == version


def test_values_run_to_end_of_line():
    config = parse(text("totem {\n  secauth: off # not a comment\n  x:\n  y :  a b:c  \n}\n"
                        "nodelist {\n  node {\n    ring0_addr: fe80::1%eth0\n  }\n}\n"))
    totem = config.section("totem")
    assert totem.value("secauth") == "off # not a comment"  # corosync keeps it: '#' only starts whole-line comments
    empty = totem.get("x")
    assert empty.value == "" and empty.span.text == "x:" and empty.value_span.start == empty.value_span.end
    y = totem.get("y")
    assert y.value == "a b:c" and y.span.text == "y :  a b:c"
    assert config.nodes[0].ring_addrs == {0: "fe80::1%eth0"}


def test_comments_crlf_and_body_span():
    src = text("# top\r\ntotem {\r\n\t# inside\r\n\tversion: 2\r\n}\r\n")
    config = parse(src)
    totem = config.section("totem")
    assert totem.value("version") == "2" and totem.get("version").value_span.text == "2"
    assert totem.body_span.text == "\r\n\t# inside\r\n\tversion: 2\r\n"
    assert totem.span.line == 2


def test_section_name_with_colon_and_no_final_newline():
    config = parse(text("totem: {\n  version: 2\n}"))
    assert config.value("totem.version") == "2"


def test_empty_and_comment_only_files():
    assert parse(text("")).root.sections == []
    assert parse(text("# nothing\n\n")).root.settings == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_position(path: Path):
    expect = Path(f"{path}.expect").read_text().strip()
    with pytest.raises(ParseError) as err:
        parse(SourceFile(display=str(path), data=path.read_bytes(), path=path))
    assert f"{err.value.line}:{err.value.column}" == expect


@pytest.mark.parametrize("body", ["totem {\n", "}\n", ": x\n", "a {\n b: c{\n}\n", "a {\n} x\n", "a = b\n"])
def test_rejected(body):
    with pytest.raises(ParseError):
        parse(text(body))


# -- properties --------------------------------------------------------------
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
VALUES = st.from_regex(r"[!-z|~](?:[ -z|~]{0,15}[!-z|~])?", fullmatch=True)  # printable, no '{', no edge blanks
LEAF = st.lists(st.tuples(NAMES, VALUES), max_size=4)
SECTIONS = st.lists(st.tuples(NAMES, LEAF, st.lists(st.tuples(NAMES, LEAF), max_size=2)), max_size=4)


@settings(max_examples=150, deadline=None)
@given(SECTIONS)
def test_generated_config_round_trips(sections):
    lines = []
    for name, items, subs in sections:
        lines.append(f"{name} {{")
        lines += [f"\t{k}: {v}" for k, v in items]
        for sub, sub_items in subs:
            lines.append(f"\t{sub} {{")
            lines += ["\t\t# comment", *(f"\t\t{k}:\t{v}" for k, v in sub_items), "\t}"]
        lines.append("}")
    config = parse(text("\n".join(lines) + "\n"))
    got = [(s.name, [(x.name, x.value) for x in s.settings],
            [(c.name, [(x.name, x.value) for x in c.settings]) for c in s.sections]) for s in config.root.sections]
    assert got == [(n, i, s) for n, i, s in sections]


BASE = (COROSYNC / "corosync-3x-knet.conf").read_text() + (COROSYNC / "corosync-1x-openais.conf").read_text()


@st.composite
def mutated(draw) -> str:
    out = BASE
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(out)))
        chunk = draw(st.text(alphabet="{}:#\n\r \tx9.", min_size=1, max_size=3))
        if draw(st.booleans()):
            out = out[:pos] + chunk + out[pos:]
        else:
            out = out[:pos] + out[pos + len(chunk):]
    return out


@settings(max_examples=200, deadline=None)
@given(mutated())
def test_mutated_input_raises_only_parse_error(body):
    try:
        parse(text(body))
    except ParseError as e:
        assert e.line >= 1 and e.column >= 1
