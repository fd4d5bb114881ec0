"""The hand-written DRBD parser against the Lark reference (grammars/drbd.lark):
the same model, spans included, or a hand-over to the reference.

`sanlint.parsers.drbd.parse` runs the fast parser and falls back to
`sanlint.parsers.drbd_lark.parse` for whatever the fast one refuses
(`Unsupported`); so the fast parser must never accept a file the reference
refuses, and must build exactly the reference's model for every file it
accepts.  Checked on every DRBD file of the fixtures and the shared corpus,
on generated configurations (every construct of the grammar, with names
drawn from keywords, numbers and addresses), and on byte mutations of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanlint.model.base import Located
from sanlint.parsers import drbd, drbd_lark
from sanlint.source import NumberTooLarge, ParseError, SourceFile, Span
from conftest import FIXTURES

CORPUS = Path("/work/shared/corpus")


def _drbd_files() -> list[Path]:
    found: set[Path] = set()
    for root in (FIXTURES, CORPUS):
        if not root.is_dir():
            continue
        for p in root.rglob("*"):
            if not p.is_file():
                continue
            rel = p.as_posix()
            if (p.suffix == ".res" or p.name == "drbd.conf" or "/drbd.d/" in rel or "/fixtures/drbd/" in rel
                    or p.name.startswith("drbdsetup_show")):
                found.add(p)
    return sorted(found)


FILES = _drbd_files()


def same(a, b, path: str = "cfg") -> None:
    """Assert two parse results are identical: types, values, spans (byte
    ranges and file), recursively."""
    if isinstance(a, Span) or isinstance(b, Span):
        assert isinstance(a, Span) and isinstance(b, Span), f"{path}: {a!r} != {b!r}"
        assert (a.file, a.start, a.end) == (b.file, b.start, b.end), f"{path}: {a!r} != {b!r}"
        return
    if isinstance(a, list) or isinstance(b, list):
        assert isinstance(a, list) and isinstance(b, list) and len(a) == len(b), f"{path}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
        return
    if isinstance(a, Located) or isinstance(b, Located):
        assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
        for name in vars(a).keys() | vars(b).keys():
            same(getattr(a, name), getattr(b, name), f"{path}.{name}")
        return
    assert type(a) is type(b) and a == b, f"{path}: {a!r} != {b!r}"


def outcome(parse, src: SourceFile):
    try:
        return ("ok", parse(src))
    except ParseError as e:
        return ("error", (e.message, e.line, e.column, e.found, e.expected, e.char_offset))
    except NumberTooLarge as e:
        return ("number", (e.literal, e.char_offset))


def check(data: bytes, display: str = "t.res", *, must_accept: bool = False) -> bool:
    """The fast parser agrees with the reference on `data`; True when it
    accepted the file itself (rather than handing it over)."""
    src = SourceFile(display=display, data=data, format="drbd")
    ref = outcome(drbd_lark.parse, src)
    try:
        fast = drbd.fast_parse(src)
    except (drbd.Unsupported, NumberTooLarge):
        assert not must_accept, f"fast parser refused {display}; reference: {ref[0]}"
        # the public parse hands over: its outcome is the reference's
        got = outcome(drbd.parse, src)
        if ref[0] == "ok":
            same(got[1], ref[1])
        else:
            assert got == ref
        return False
    assert ref[0] == "ok", f"fast parser accepted what the reference refuses: {ref}"
    same(fast, ref[1])
    return True


def test_fixture_and_corpus_files() -> None:
    """Every DRBD file of the fixtures and the corpus: the same model as the
    reference; and the fast parser takes the usual files itself (all but
    IPv6 addresses, errors and numbers out of range)."""
    assert len(FILES) > 100
    accepted = [p for p in FILES if check(p.read_bytes(), p.name)]
    assert len(accepted) > 0.8 * len(FILES)
    for p in FILES:
        text = p.read_text(errors="replace")
        if "ipv6" not in text and "/invalid/" not in p.as_posix():
            try:
                drbd_lark.parse(SourceFile(display=p.name, data=p.read_bytes()))
            except (ParseError, NumberTooLarge):
                continue
            assert p in accepted, p


def test_known_subtleties() -> None:
    # after a name, `port`/`via`/`minor`/`address` are keywords (a shared LALR state): not a second host name
    for word in ("port", "via", "minor", "address"):
        check(f"resource r {{ on a {word} {{ address 10.0.0.1:7000; }} }}".encode())
    assert check(b'resource r { on a "port" { address 10.0.0.1:7000; } }', must_accept=True)
    assert check(b"resource r { disk { on-io-error detach; } on a { disk /dev/x; disk { a b; } } }", must_accept=True)
    assert check(b"resource r { volume 0 { skip { x } } options { a; } connection { } }", must_accept=True)
    check("resource r { net { a \"caf\u00e9\"; } on \u00e9 { } }".encode())
    check(b"resource r { on a { address ipv6 [fe80::1%eth0]:7000; } }")
    check(b"resource r { skip \x0c { } }")
    check(b'skip " { }')
    check(b"resource r { device minor 99999999999999999999999999; }")
    check(b"")
    check(b"# only a comment")


# -- generated configurations ----------------------------------------------------------

KEYWORDS = ["on", "port", "via", "minor", "address", "host", "hosts", "disk", "volume", "options", "net", "skip",
            "resource", "proxy", "inside", "node-id", "connection", "path", "common", "global", "ipv4", "yes"]
# plain sampled lists: hypothesis' from_regex is slow to draw from
NAME = st.sampled_from(["alpha", "b-2", "/dev/vg0/r0", "x.y", "drbd7", "/dev/drbd12", "internal", *KEYWORDS,
                        '"q"', '"on"', '"a b#{;}"', '"e\\"s"', '""', "10.0.0.1", "1.2.3.4.5", "12", "7K",
                        "123456789", "a" * 129])
VALUE = st.one_of(NAME, st.sampled_from(["0", "1", "7000", "10M", "3G"]))
ADDR = st.builds(lambda fam, a, p: f"{fam}10.0.{a}.1:{p}", st.sampled_from(["", "ipv4 ", "sdp ", "ssocks "]),
                 st.integers(0, 255), st.sampled_from(["7000", "7K", "70000000000000000000000000"]))
GAP = st.sampled_from([" ", "\n", "\t", "  # c { ; }\n", "\r\n"])


@st.composite
def options(draw, plugins: bool = False) -> str:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(["protocol", "rate", "fencing", "allow-two-primaries", "a-b", *KEYWORDS]))
        if plugins and draw(st.booleans()):
            lines = " ".join(" ".join(draw(st.lists(VALUE, max_size=3))) + ";" for _ in range(draw(st.integers(0, 2))))
            out.append(f"{name} {{ {lines} }}")
        else:
            out.append(f"{name} {' '.join(draw(st.lists(VALUE, max_size=2)))};")
    return " ".join(out)


@st.composite
def volume_stmt(draw) -> str:
    return draw(st.sampled_from([
        f"disk {draw(NAME)};", f"disk {{ {draw(options())} }}", f"device {draw(NAME)};",
        f"device {draw(NAME)} minor {draw(st.sampled_from(['1', '12', 'x']))};", f"device minor {draw(VALUE)};",
        f"meta-disk {draw(NAME)};", f"meta-disk {draw(NAME)} [{draw(st.sampled_from(['0', ' 1 ']))}];",
        f"flexible-meta-disk {draw(NAME)};", "skip { a { b } ; }"]))


@st.composite
def proxy(draw, lead: str) -> str:
    items = draw(st.lists(st.sampled_from([f"inside {draw(ADDR)};", f"outside {draw(ADDR)};",
                                           f"options {{ {draw(options(plugins=True))} }}"]), max_size=3))
    return f"{lead} on {' '.join(draw(st.lists(NAME, min_size=1, max_size=2)))} {{ {' '.join(items)} }}"


@st.composite
def host_item(draw) -> str:
    return draw(st.one_of(volume_stmt(), st.sampled_from([
        f"address {draw(ADDR)};", f"alternate-link-address {draw(ADDR)};", f"node-id {draw(VALUE)};",
        f"volume {draw(VALUE)} {{ {' '.join(draw(st.lists(volume_stmt(), max_size=3)))} }}",
        f"options {{ {draw(options())} }}", draw(proxy("proxy")), "skip x { }"])))


@st.composite
def endpoint(draw) -> str:
    tail = draw(st.sampled_from([";", "via"]))
    tail = f" {draw(proxy('via proxy'))}" if tail == "via" else ";"
    return draw(st.sampled_from([
        f"host {draw(NAME)}{tail}", f"host {draw(NAME)} address {draw(ADDR)}{tail}",
        f"host {draw(NAME)} port {draw(VALUE)}{tail}", f"address {draw(ADDR)}{tail}",
        f"_this_host {draw(ADDR)}{tail}"]))


@st.composite
def res_item(draw) -> str:
    hosts = draw(st.lists(host_item(), max_size=4))
    kind = draw(st.sampled_from(["on", "on2", "floating", "floating;", "stacked-on-top-of", "_this_host"]))
    head = {"on": f"on {draw(NAME)}", "on2": f"on {draw(NAME)} {draw(NAME)}", "floating": f"floating {draw(ADDR)}",
            "floating;": f"floating {draw(ADDR)}", "stacked-on-top-of": f"stacked-on-top-of {draw(NAME)}",
            "_this_host": "_this_host"}[kind]
    host = head + ";" if kind == "floating;" else f"{head} {{ {' '.join(hosts)} }}"
    conn_items = draw(st.lists(st.one_of(endpoint(), st.sampled_from([
        f"path {{ {draw(endpoint())} {draw(endpoint())} }}", f"net {{ {draw(options())} }}",
        f"disk {{ {draw(options())} }}", f"volume {draw(VALUE)} {{ disk {{ {draw(options())} }} }}",
        f"_peer_node_id {draw(VALUE)};", "_is_standalone;", "skip { ; }"])), max_size=4))
    return draw(st.one_of(volume_stmt(), st.sampled_from([
        host, f"protocol {' '.join(draw(st.lists(VALUE, max_size=2)))};",
        f"{draw(st.sampled_from(['net', 'syncer', 'startup', 'options', 'handlers', 'disk']))} {{ {draw(options())} }}",
        f"proxy {{ {draw(options(plugins=True))} }}",
        f"volume {draw(VALUE)} {{ {' '.join(draw(st.lists(volume_stmt(), max_size=3)))} }}",
        f"connection {draw(st.sampled_from(['', 'c1 ']))}{{ {' '.join(conn_items)} }}",
        f"connection-mesh {{ hosts {' '.join(draw(st.lists(NAME, min_size=1, max_size=3)))}; "
        f"net {{ {draw(options())} }} }}",
        f"template-file {draw(NAME)};", f"ignore-on {draw(NAME)};", "skip { }"])))


@st.composite
def config(draw) -> str:
    tops = []
    for _ in range(draw(st.integers(0, 3))):
        items = draw(st.lists(res_item(), max_size=5))
        tops.append(draw(st.sampled_from([
            f"resource {draw(NAME)} {{ {' '.join(items)} }}", f"common {{ {' '.join(items)} }}",
            f"global {{ {draw(options())} }}", f"include {draw(NAME)};",
            f"require-drbd-module-version-ge {draw(st.sampled_from(['9.1.0', '9.1', 'x']))};", "skip a ; { b }"])))
    sep = draw(GAP)
    return sep.join(tops)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(config())
def test_generated_configs(text: str) -> None:
    check(text.encode("utf-8", "surrogateescape"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config(), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(
    [b"", b" ", b"{", b"}", b";", b"\"", b"#", b"on ", b"port ", b"1", b":", b"[", b"\xc3\xa9", b"\x0c"])),
    min_size=1, max_size=3))
def test_mutated_configs(text: str, edits) -> None:
    data = bytearray(text.encode())
    for pos, new in edits:
        pos %= len(data) + 1
        data[pos : pos + 1] = new
    check(bytes(data))
