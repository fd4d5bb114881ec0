"""Command output collected from running nodes (sosreport layout): the
shapes corosync-cmapctl, sbd dump, rpm -qa (sos's installed-rpms) and
dpkg -l print, written from the tools' own print statements."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from sanlint.api import check
from sanlint.config import from_table
from sanlint.parsers.live import parse_cmap, parse_dpkg, parse_rpms, parse_sbd_dump
from sanlint.source import ParseError, SourceFile

CMAP = FIXTURES / "rules" / "CORO110" / "good" / "san-1" / "sos_commands" / "corosync" / "corosync-cmapctl"

DPKG = """Desired=Unknown/Install/Remove/Purge/Hold
| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend
|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)
||/ Name                 Version              Architecture Description
+++-====================-====================-============-=================================================
ii  corosync             3.1.7-1              amd64        cluster engine daemon and utilities
ii  drbd-utils           9.22.0-1.1           amd64        RAID 1 over TCP/IP for Linux (user utilities)
rc  heartbeat            1:3.0.6-11           amd64        Subsystem for High-Availability Linux
ii  libknet1:amd64       1.25-2               amd64        kronosnet core switching implementation
ii  pacemaker            2.1.5-1+deb12u1      amd64        cluster resource manager
"""


def src(text: str, name: str = "out") -> SourceFile:
    return SourceFile.from_text(name, text)


def test_cmap_keys_types_and_binary_without_value():
    dump = parse_cmap(src(CMAP.read_text() + "totem.nodelist_hash (bin)\n"))
    assert dump.get("runtime.config.totem.token") == "10000"
    assert dump.values["quorum.two_node"].type == "u8"
    assert dump.get("totem.cluster_name") == "san"
    assert dump.values["totem.nodelist_hash"].value is None


def test_cmap_rejects_other_text_with_its_position():
    with pytest.raises(ParseError) as e:
        parse_cmap(src("totem.token (u32) = 3000\nCan't get value of x. Error CS_ERR_NOT_EXIST\n"))
    assert (e.value.line, e.value.column) == (2, 1)


def test_sbd_dump_of_two_devices():
    one = (FIXTURES / "rules" / "SBD107" / "good" / "san-1" / "sos_commands" / "sbd").iterdir().__next__().read_text()
    two = one + one.replace("scsi-36001405a1b2c3d4e5f60718293a4b5c6", "scsi-B").replace("msgwait)  : 30", "msgwait)  : 10")
    dumps = parse_sbd_dump(src(two))
    assert [(d.device.rsplit("-", 1)[-1], d.watchdog, d.msgwait, d.slots) for d in dumps] == [
        ("36001405a1b2c3d4e5f60718293a4b5c6", 15, 30, 255), ("B", 15, 10, 255)]
    assert dumps[1].msgwait_span.line == 19


def test_rpm_and_dpkg_lists():
    rpms = parse_rpms(src("corosync-3.1.7-1.el9.x86_64                                 Mon 04 Mar 2024 10:12:01 AM CET\n"
                          "fence-agents-common-4.10.0-62.el9.noarch                    Mon 04 Mar 2024 10:12:30 AM CET\n"))
    assert [(p.name, p.version, p.arch) for p in rpms] == [("corosync", "3.1.7-1.el9", "x86_64"),
                                                          ("fence-agents-common", "4.10.0-62.el9", "noarch")]
    debs = parse_dpkg(src(DPKG))
    assert [(p.name, p.version) for p in debs] == [("corosync", "3.1.7-1"), ("drbd-utils", "9.22.0-1.1"),
                                                  ("libknet1", "1.25-2"), ("pacemaker", "2.1.5-1+deb12u1")]
    with pytest.raises(ParseError):
        parse_rpms(src("this is not a package\n"))


def test_packages_tell_corosync_3_for_a_udpu_file(tmp_path):
    site = tmp_path / "site"
    udpu = (FIXTURES / "rules" / "CORO109" / "bad" / "san-1" / "etc" / "corosync" / "corosync.conf").read_text()
    one_ring = udpu.replace("        ring1_addr: 10.0.2.1\n", "").replace("        ring1_addr: 10.0.2.2\n", "")
    for h in ("san-1", "san-2"):
        (site / h / "etc" / "corosync").mkdir(parents=True)
        (site / h / "etc" / "corosync" / "corosync.conf").write_text(one_ring)
    assert not [f for f in check([str(site)]).findings if f.code == "CORO109"]
    (site / "san-1" / "sos_commands" / "dpkg").mkdir(parents=True)
    (site / "san-1" / "sos_commands" / "dpkg" / "dpkg_-l").write_text(DPKG)
    found = [f for f in check([str(site)]).findings if f.code == "CORO109"]
    assert len(found) == 2 and "package corosync 3.1.7-1 installed on san-1" in found[0].message


def test_the_running_dump_feeds_the_fence_timeout(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "rules" / "SBD107" / "good", site)
    crm = site / "cluster.crm"
    crm.write_text(crm.read_text().replace("stonith-timeout=90s", "stonith-timeout=25s"))
    found = [f.message for f in check([str(site)]).findings if f.code == "PCMK122"]
    assert len(found) == 1 and "SBD msgwait 30s (sbd dump of" in found[0]
