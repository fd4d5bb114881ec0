"""/etc/hosts parsing."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import FIXTURES
from sanlint.parsers.etc_hosts import parse
from sanlint.source import ParseError, SourceFile

HOSTS = FIXTURES / "hosts"
INVALID = sorted(p for p in (HOSTS / "invalid").iterdir() if p.suffix != ".expect")


def text(body: str) -> SourceFile:
    return SourceFile.from_text("/etc/hosts", body)


def test_san_node_hosts():
    path = HOSTS / "san-1" / "hosts"
    entries = parse(SourceFile(display=str(path), data=path.read_bytes(), path=path))
    by_name = {n: e.address for e in entries for n in e.names}
    assert by_name["san-2"] == "172.17.50.22" and by_name["san-1.example.com"] == "172.17.50.21"
    assert by_name["ipv6-localhost"] == "::1"
    peer = next(e for e in entries if e.address == "172.17.50.22")
    assert peer.names == ["san-2.example.com", "san-2"]
    assert peer.span.text == "172.17.50.22\tsan-2.example.com san-2" and (peer.span.line, peer.span.column) == (24, 1)
    assert len(entries) == 12


def test_comments_blank_lines_and_crlf():
    entries = parse(text("# c\n\n  10.0.0.1 a b#c\r\n::1 localhost\n"))
    assert [(e.address, e.names, e.span.text, e.span.line) for e in entries] == [
        ("10.0.0.1", ["a", "b"], "10.0.0.1 a b", 3), ("::1", ["localhost"], "::1 localhost", 4)]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_position(path: Path):
    expect = Path(f"{path}.expect").read_text().strip()
    with pytest.raises(ParseError) as err:
        parse(SourceFile(display=str(path), data=path.read_bytes(), path=path))
    assert f"{err.value.line}:{err.value.column}" == expect


ADDRESSES = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)
HOSTNAMES = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(ADDRESSES, st.lists(HOSTNAMES, min_size=1, max_size=3)), max_size=6))
def test_generated_hosts_round_trip(rows):
    body = "".join(f"{a}\t{' '.join(n)}  # x\n\n" for a, n in rows)
    assert [(e.address, e.names) for e in parse(text(body))] == rows


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_any_text_raises_only_parse_error(body):
    try:
        for e in parse(text(body)):
            ipaddress.ip_address(e.address.split("%")[0])
    except ParseError:
        pass
