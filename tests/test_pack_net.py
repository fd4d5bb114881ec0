"""The `net` pack: CORO101-105 and NET101-103 beyond their fixtures and
documented examples: the seed site's exact findings, version defaults,
name matching, subnet assumptions, and what must not fire."""

from __future__ import annotations

import itertools
import os
import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURES
from sanlint.api import check
from sanlint.model.corosync import CorosyncConfig
from sanlint.parsers.corosync import parse as parse_corosync
from sanlint.source import SourceFile
from sanlint.views import same_host
from sanlint_rules.net._common import NameIndex, effective_crypto, implied_network

PACK = ("CORO", "NET")


def findings(site: Path, prefix=PACK):
    result = check([str(site)])
    return sorted((f.code, os.path.relpath(f.path, site), f.line) for f in result.findings
                  if f.code.startswith(prefix)), result


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return root


def coro(totem: str = "", nodes=(("san-1", "10.0.1.1", "10.0.2.1"), ("san-2", "10.0.1.2", "10.0.2.2")),
         quorum: str = "two_node: 1", transport: str = "knet") -> str:
    out = ["totem {", "    version: 2", "    cluster_name: san"]
    if transport:
        out.append(f"    transport: {transport}")
    out += [f"    {line}" for line in textwrap.dedent(totem).splitlines() if line.strip()]
    out += ["}", "nodelist {"]
    for i, (name, *rings) in enumerate(nodes, 1):
        out += ["    node {", f"        name: {name}", f"        nodeid: {i}"]
        out += [f"        ring{r}_addr: {a}" for r, a in enumerate(rings) if a]
        out.append("    }")
    out += ["}", "quorum {", "    provider: corosync_votequorum"]
    out += [f"    {line}" for line in quorum.splitlines() if line.strip()]
    out += ["}", ""]
    return "\n".join(out)


CRYPTO_OK = "crypto_cipher: aes256\ncrypto_hash: sha256"
CC = "etc/corosync/corosync.conf"


def res(a1="10.0.10.1", a2="10.0.10.2", port=7789, names=("san-1", "san-2")) -> str:
    return (f"resource r0 {{\n  net {{ protocol C; }}\n"
            f"  on {names[0]} {{ device /dev/drbd0; disk /dev/sdb; meta-disk internal; address {a1}:{port}; }}\n"
            f"  on {names[1]} {{ device /dev/drbd0; disk /dev/sdb; meta-disk internal; address {a2}:{port}; }}\n}}\n")


def cfg(text: str) -> CorosyncConfig:
    return parse_corosync(SourceFile.from_text("corosync.conf", textwrap.dedent(text)))


# -- the seed site -------------------------------------------------------------

def test_seed_site_gives_exactly_secauth_single_ring_and_shared_network():
    seed = FIXTURES / "sites" / "seed"
    got, result = findings(seed)
    assert got == [
        ("CORO101", "san-1/etc/corosync/corosync.conf", 14),
        ("CORO101", "san-2/etc/corosync/corosync.conf", 14),
        ("CORO102", "san-1/etc/corosync/corosync.conf", 23),
        ("CORO102", "san-2/etc/corosync/corosync.conf", 23),
        ("NET101", "san-1/etc/drbd.d/sandisk0.res", 20),
        ("NET101", "san-2/etc/drbd.d/sandisk0.res", 14),
    ]
    net101 = [f.message for f in result.findings if f.code == "NET101"]
    assert all("sandisk0" in m and "172.17.50.0/24" in m and "ring 0" in m for m in net101), net101
    hosts = sorted(f.host for f in result.findings if f.code == "NET101")
    assert hosts == ["san-1", "san-2"]


def test_modern_site_is_clean_of_the_pack():
    got, _ = findings(FIXTURES / "sites" / "modern")
    assert got == []


# -- CORO101: crypto defaults per version ---------------------------------------

V1 = "aisexec {\n  user: root\n}\ntotem {\n  version: 2\n%s}\n"


@pytest.mark.parametrize("text, cipher, hash_", [
    (V1 % "", "on", "on"),  # 1.x: secauth defaults to on
    (V1 % "  secauth: off\n", "none", "none"),
    (V1 % "  secauth: on\n", "on", "on"),
    # 2.x (nodelist + udpu, no knet): aes256/sha1 unless secauth: off
    (coro("", transport="udpu"), "aes256", "sha1"),
    (coro("secauth: off", transport="udpu"), "none", "none"),
    (coro("secauth: off\ncrypto_hash: sha256", transport="udpu"), "none", "sha256"),
    (coro("crypto_cipher: none", transport="udpu"), "none", "sha1"),
    # 3.x knet: none unless told
    (coro(""), "none", "none"),
    (coro("secauth: on"), "aes256", "sha256"),
    (coro("secauth: on\ncrypto_hash: none"), "aes256", "none"),
    (coro(CRYPTO_OK), "aes256", "sha256"),
])
def test_effective_crypto_follows_each_versions_defaults(text, cipher, hash_):
    c = effective_crypto(cfg(text))
    assert (c.cipher, c.hash) == (cipher, hash_)


def test_coro101_points_at_the_setting_or_the_totem_section(tmp_path):
    site = write(tmp_path, {
        f"san-1/{CC}": coro("secauth: on\ncrypto_cipher: none"),  # authenticated, not encrypted
        f"san-2/{CC}": coro(""),  # 3.x defaults: nothing
    })
    result = check([str(site)])
    got = {f.host: f for f in result.findings if f.code == "CORO101"}
    assert got["san-1"].span.text.startswith("crypto_cipher") and "not encrypted" in got["san-1"].message
    assert got["san-2"].line == 1 and "by default" in got["san-2"].message


def test_coro101_quiet_for_corosync2_defaults(tmp_path):
    site = write(tmp_path, {f"san-1/{CC}": coro("", transport="udpu")})
    assert not [f for f in check([str(site)]).findings if f.code == "CORO101"]


# -- CORO102 ----------------------------------------------------------------------

def test_coro102_no_nodelist_counts_interfaces(tmp_path):
    two = V1 % ("  secauth: on\n  interface {\n    ringnumber: 0\n    bindnetaddr: 10.0.1.0\n  }\n"
                "  interface {\n    ringnumber: 1\n    bindnetaddr: 10.0.2.0\n  }\n")
    one = V1 % "  secauth: on\n  interface {\n    ringnumber: 0\n    bindnetaddr: 10.0.1.0\n  }\n"
    site = write(tmp_path, {f"san-1/{CC}": two, f"san-2/{CC}": one})
    got = [(f.host, f.line) for f in check([str(site)]).findings if f.code == "CORO102"]
    assert got == [("san-2", 7)]


# -- CORO103 ----------------------------------------------------------------------

def test_name_index_is_views_same_host():
    names = ["alpha", "ALPHA.example.com", "bravo.example.com", "charlie", "delta.a.b", "delta.other"]
    probes = names + ["alpha.other", "Bravo", "bravo.example.org", "CHARLIE.x", "delta", "echo"]
    for subset_size in (1, 2, 3):
        for subset in itertools.combinations(names, subset_size):
            idx = NameIndex(subset)
            for p in probes:
                assert (p in idx) == any(same_host(p, n) for n in subset), (p, subset)


def test_coro103_compares_names_as_each_tool_does(tmp_path):
    """Pacemaker takes node names from the nodelist as written, compared without case only: corosync's
    san-1.example.com is not crm's san-1 (both sides reported), SAN-2 is san-2.  drbdadm matches `on`
    names with `uname -n`: DRBD 9 takes san-1.example.com for san-1; DRBD 8.4 compares exactly, so without
    a nodelist (Pacemaker names are `uname -n`) `on san-1.example.com` is no node, while with a nodelist
    naming the nodes `uname -n` may be the FQDN corosync matches to san-1 (find_local_node)."""
    def site(root, drbd: str, nodelist: bool = True):
        files = {"cluster.crm": "node san-1\nnode SAN-2\n", "san-1/etc/drbd.d/r0.res": drbd}
        if nodelist:
            files[f"san-1/{CC}"] = coro(CRYPTO_OK, nodes=(("san-1.example.com", "10.0.1.1", "10.0.2.1"),
                                                          ("san-2", "10.0.1.2", "10.0.2.2")))
        return write(root, files)
    fqdn_on = res(names=("san-1.example.com", "san-2.example.com"))
    nine = fqdn_on.replace("  net {", "  options { quorum off; }\n  net {")
    got = [f for f in check([str(site(tmp_path / "nine", nine))]).findings if f.code == "CORO103"]
    assert sorted(f.identity for f in got) == ["cluster node san-1 / name", "corosync node san-1.example.com / name"]
    assert all("compares names whole" in f.message for f in got)
    got84 = [f for f in check([str(site(tmp_path / "84", fqdn_on))]).findings if f.code == "CORO103"]
    assert sorted(f.identity for f in got84) == sorted(f.identity for f in got)  # uname -n may be the FQDN
    alone = [f for f in check([str(site(tmp_path / "84-no-nodelist", fqdn_on, nodelist=False))]).findings
             if f.code == "CORO103"]
    assert sorted(f.identity for f in alone) == ["drbd resource r0 / on san-1.example.com",
                                                 "drbd resource r0 / on san-2.example.com"]
    assert all("compares host names exactly" in f.message for f in alone)


def test_coro103_corosync1_has_nothing_to_compare(tmp_path):
    site = write(tmp_path, {f"san-1/{CC}": V1 % "", "cluster.crm": "node alpha\nnode bravo\n"})
    assert not [f for f in check([str(site)]).findings if f.code == "CORO103"]


# -- CORO104 ----------------------------------------------------------------------

def test_coro104_quorum_votes_are_summed(tmp_path):
    nodes = (("a", "10.0.1.1", "10.0.2.1"), ("b", "10.0.1.2", "10.0.2.2"), ("c", "10.0.1.3", "10.0.2.3"))
    text = coro(CRYPTO_OK, nodes=nodes, quorum="expected_votes: 4").replace(
        "        name: c\n", "        name: c\n        quorum_votes: 2\n")
    site = write(tmp_path, {f"san-1/{CC}": text})
    assert not [f for f in check([str(site)]).findings if f.code == "CORO104"]
    site2 = write(tmp_path / "x", {f"san-1/{CC}": coro(CRYPTO_OK, quorum="two_node: 1\nexpected_votes: 3")})
    got = [f.message for f in check([str(site2)]).findings if f.code == "CORO104"]
    assert len(got) == 1 and "expected_votes 3" in got[0] and "more votes" in got[0]


# -- CORO105 ----------------------------------------------------------------------

def test_coro105_ignores_layout_and_order_and_reports_the_minority(tmp_path):
    base = coro(CRYPTO_OK + "\ntoken: 5000")
    reordered = "# copy\n" + base.replace("    token: 5000\n", "").replace(
        "    transport: knet\n", "    token: 5000\n    transport: knet\n").replace("    ", "\t")
    other = base.replace("token: 5000", "token: 3000")
    site = write(tmp_path, {f"san-1/{CC}": base, f"san-2/{CC}": reordered, f"san-3/{CC}": other})
    got = [f for f in check([str(site)]).findings if f.code == "CORO105"]
    assert [(f.host, f.span.text) for f in got] == [("san-3", "token: 3000")]
    assert "'5000' on san-1" in got[0].message


def test_coro105_never_shows_a_key(tmp_path):
    a = coro(CRYPTO_OK + "\nkey: verysecretkeyvalue1")
    b = coro(CRYPTO_OK + "\nkey: othersecretkeyvalue2")
    site = write(tmp_path, {f"san-1/{CC}": a, f"san-2/{CC}": b})
    got = [f.message for f in check([str(site)]).findings if f.code == "CORO105"]
    assert len(got) == 2 and not any("secretkey" in m for m in got), got


# -- NET101 -----------------------------------------------------------------------

@pytest.mark.parametrize("addr, fires", [("10.0.1.200", True), ("10.0.1.1", True), ("10.0.3.1", False),
                                         ("10.0.10.1", False)])
def test_net101_assumes_a_slash_24_around_ring_addresses(tmp_path, addr, fires):
    site = write(tmp_path, {f"san-1/{CC}": coro(CRYPTO_OK), "san-1/etc/drbd.d/r0.res": res(a1=addr)})
    got = [f for f in check([str(site)]).findings if f.code == "NET101"]
    assert bool(got) == fires
    if fires:
        assert ("same address" in got[0].message) == (addr == "10.0.1.1")


def test_implied_network():
    assert str(implied_network("172.17.50.0")) == "172.17.50.0/24"
    assert str(implied_network("fd00::1")) == "fd00::/64"
    assert implied_network("san-1") is None


# -- NET102 -----------------------------------------------------------------------

NFT = """\
table inet filter {
    chain input {
        type filter hook input priority 0; policy drop;
        %s
    }
}
"""


def test_net102_needs_a_firewall_file(tmp_path):
    site = write(tmp_path, {"san-1/etc/drbd.d/r0.res": res(), "san-2/etc/drbd.d/r0.res": res()})
    assert not [f for f in check([str(site)]).findings if f.code == "NET102"]


def test_net102_open_port_from_the_peers_network_and_portal(tmp_path):
    site = write(tmp_path, {
        "san-1/etc/drbd.d/r0.res": res(),
        "san-1/etc/nftables.conf": NFT % "tcp dport { 7789, 3260 } ip saddr 10.0.10.0/24 accept",
        "cluster.crm": "node san-1\nnode san-2\nprimitive t ocf:heartbeat:iSCSITarget params "
                       "implementation=lio-t iqn=iqn.2024-01.com.example:t portals=\"10.0.0.1:3261\" "
                       "op monitor interval=10s timeout=10s\n",
    })
    got = [f.message for f in check([str(site)]).findings if f.code == "NET102"]
    assert len(got) == 1 and "port 3261" in got[0], got


def test_net102_established_only_does_not_count(tmp_path):
    site = write(tmp_path, {"san-1/etc/drbd.d/r0.res": res(),
                            "san-1/etc/nftables.conf": NFT % "ct state established,related accept"})
    got = [f.message for f in check([str(site)]).findings if f.code == "NET102"]
    assert len(got) == 1 and "7789" in got[0] and "san-2 (10.0.10.2)" in got[0]


# -- NET103 -----------------------------------------------------------------------

def test_net103_addresses_are_not_looked_up_and_case_is_ignored(tmp_path):
    site = write(tmp_path, {
        f"san-1/{CC}": coro(CRYPTO_OK),  # ring addresses are IPs
        "san-1/etc/hosts": "127.0.0.1 localhost\n10.0.1.1 SAN-1\n10.0.1.2 San-2\n",
        "san-1/etc/drbd.d/r0.res": res(),
    })
    assert not [f for f in check([str(site)]).findings if f.code == "NET103"]


def test_net103_ring_addr_names_must_resolve(tmp_path):
    site = write(tmp_path, {
        f"san-1/{CC}": coro(CRYPTO_OK, nodes=(("san-1", "san-1", "san-1-r1"), ("san-2", "san-2", "san-2-r1"))),
        "san-1/etc/hosts": "10.0.1.1 san-1\n10.0.1.2 san-2\n10.0.2.1 san-1-r1\n",
    })
    got = [f.message for f in check([str(site)]).findings if f.code == "NET103"]
    assert len(got) == 1 and "san-2-r1 (corosync ring1_addr)" in got[0], got
