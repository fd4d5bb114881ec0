"""CORO106-109 beyond their fixtures: what tells corosync 3 from 2 for a
udpu file, token_coefficient on three nodes, and corosync's computed
values (the oracle for the refusals is tests/test_oracle_corosync_timing.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES
from sanlint.api import check
from sanlint.config import Settings, from_table
from sanlint.parsers.corosync import parse as parse_corosync
from sanlint.source import SourceFile
from sanlint_rules.net._common import totem_timing

UDPU = (FIXTURES / "rules" / "CORO109" / "bad" / "san-1" / "etc" / "corosync" / "corosync.conf").read_text()


def site_with(tmp_path: Path, text: str, hosts=("san-1", "san-2")) -> Path:
    for h in hosts:
        p = tmp_path / "site" / h / "etc" / "corosync" / "corosync.conf"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path / "site"


def coro109(site: Path, settings: Settings | None = None):
    return [(f.host, f.severity) for f in check([str(site)], settings=settings).findings if f.code == "CORO109"]


def test_a_udpu_file_alone_does_not_tell_corosync_2_from_3(tmp_path):
    site = site_with(tmp_path, UDPU.replace("        ring1_addr: 10.0.2.1\n", "").replace("        ring1_addr: 10.0.2.2\n", ""))
    assert coro109(site) == []
    three = from_table({"corosync-version": "3"}, "test")
    assert coro109(site, three) == [("san-1", "warning"), ("san-2", "warning")]
    two = from_table({"corosync-version": "2.4"}, "test")
    assert coro109(site, two) == []


def test_two_rings_under_udpu_are_refused_by_corosync_3(tmp_path):
    site = site_with(tmp_path, UDPU)
    assert coro109(site, from_table({"corosync-version": "3"}, "test")) == [("san-1", "error"), ("san-2", "error")]


def test_token_coefficient_counts_from_the_third_node(tmp_path):
    three_nodes = (FIXTURES / "rules" / "CORO107" / "good" / "san-2" / "etc" / "corosync" / "corosync.conf").read_text()
    three_nodes = three_nodes.replace("    token: 10000\n", "    token: 3000\n    consensus: 4000\n").replace(
        "nodelist {\n", "nodelist {\n    node {\n        name: san-3\n        nodeid: 3\n        ring0_addr: 10.0.1.3\n"
        "        ring1_addr: 10.0.2.3\n    }\n").replace("    two_node: 1\n", "")
    cfg = parse_corosync(SourceFile.from_text("corosync.conf", three_nodes))
    t = totem_timing(cfg)
    assert t.values["token"] == 3000 + 650 and t.values["consensus"] == 4000
    assert t.values["token_retransmit"] == int(3650 / 4.2) and t.values["hold"] == int(int(3650 / 4.2) * 0.8 - 10)
    site = site_with(tmp_path, three_nodes, hosts=("san-1",))
    msgs = [f.message for f in check([str(site)]).findings if f.code == "CORO107"]
    assert len(msgs) == 1 and "4380" in msgs[0]
