"""Verdicts on DRBD, corosync and iSCSI found wrong on public configurations
(issue 9 items 2 and 8), each against the real tool where there is one:
corosync -t 3.1.7, drbdadm 9 / 8.4, the installed iSCSITarget agent."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from test_oracle_corosync_timing import keyfile, localized  # noqa: F401 (keyfile is a fixture)
from sanlint.api import check
from sanlint.config import Settings

RULES = FIXTURES / "rules"


def findings(site: Path, code: str) -> list:
    return [f for f in check([str(site)]).findings if f.code == code]


# -- corosync -------------------------------------------------------------------

def corosync_t(text: str, key: Path, tmp: Path) -> tuple[bool, str]:
    """`corosync -t` on `text` localized as test_oracle_corosync_timing does (bindnetaddr 10.0.1.0 too)."""
    text = localized(text.replace("bindnetaddr: 10.0.1.0", "bindnetaddr: 127.0.0.0"), key)
    f = tmp / "corosync.conf"
    f.write_text(text)
    env = dict(os.environ, RES_OPTIONS="timeout:1 attempts:1")  # a name that is no address fails in 1 s, not 5
    run = subprocess.run([need("corosync"), "-t", "-c", str(f)], capture_output=True, text=True, timeout=60, env=env)
    return run.returncode == 0, run.stdout + run.stderr


@pytest.mark.oracle
def test_coro111_corosync3_refuses_a_file_without_nodelist(keyfile, tmp_path):
    bad = (RULES / "CORO111" / "bad" / "san-1" / "etc" / "corosync" / "corosync.conf").read_text()
    good = (RULES / "CORO111" / "good" / "san-1" / "etc" / "corosync" / "corosync.conf").read_text()
    ok, out = corosync_t(bad, keyfile, tmp_path)
    assert not ok and "No valid name found for local host" in out, out
    ok, out = corosync_t(good, keyfile, tmp_path)
    assert ok, out


def test_coro111_needs_the_site_to_run_corosync3(tmp_path):
    """The same multicast file is valid corosync 2: without the package list nothing says 3, so no
    finding, and --verbose says the version is not known; the setting or a knet peer file says 3."""
    site = tmp_path / "site"
    shutil.copytree(RULES / "CORO111" / "bad", site)
    (site / "san-1" / "installed-rpms").unlink()
    result = check([str(site)])
    assert not [f for f in result.findings if f.code == "CORO111"]
    assert any(n.startswith("corosync version not known") for n in result.site.notes), result.site.notes
    configured = check([str(site)], settings=Settings(corosync_version="3"))
    assert len([f for f in configured.findings if f.code == "CORO111"]) == 2
    knet = RULES / "CORO111" / "good" / "san-2" / "etc" / "corosync" / "corosync.conf"
    shutil.copyfile(knet, site / "san-2" / "etc" / "corosync" / "corosync.conf")
    got = findings(site, "CORO111")
    assert [(f.host, "san-2/etc/corosync/corosync.conf uses knet syntax" in f.message) for f in got] \
        == [("san-1", True)]


def test_verbose_says_which_corosync_version_and_why():
    result = check([str(RULES / "CORO111" / "bad")])
    assert result.site.corosync_version == "3"
    assert "corosync 3 assumed: package corosync 3.1.7-1.el9 installed on san-1" in result.site.notes


ADDRESS_CASES = [  # (ring0_addr of the first node, corosync refuses it)
    ("10.0.1.1", False),
    ("localhost", False),  # a host name: resolved when corosync starts
    ("10.0.1.1    # bond0", True),
    ("10.0.1.1#bond0", True),
    ("<NODE_IP>", True),
    ("10.0.1.1/24", True),  # a network where an address is wanted
    ("10.0.1.1:5405", True),  # a port: corosync takes it from mcastport/knet, never from the address
]


@pytest.mark.oracle
@pytest.mark.parametrize("addr,refused", ADDRESS_CASES)
def test_coro112_agrees_with_corosync_on_addresses(addr, refused, keyfile, tmp_path):
    text = (RULES / "CORO112" / "good" / "san-1" / "etc" / "corosync" / "corosync.conf").read_text()
    text = text.replace("ring0_addr: 10.0.1.1\n", f"ring0_addr: {addr}\n", 1).replace("san-2-hb", "10.0.2.2")
    ok, out = corosync_t(text, keyfile, tmp_path)
    assert ok == (not refused), out
    if refused:
        assert "failed to parse node address" in out, out
    site = tmp_path / "site" / "san-1" / "etc" / "corosync"
    site.mkdir(parents=True)
    (site / "corosync.conf").write_text(text)
    got = findings(tmp_path / "site", "CORO112")
    assert bool(got) == refused, [f.message for f in got]


# -- DRBD -----------------------------------------------------------------------

def drbdadm(tool: str, conf: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DRBD_DRIVER_VERSION_OVERRIDE="8.4.11" if "-8" in tool else "9.2.0")
    return subprocess.run([need(tool), "-c", str(conf), "dump", "all"], capture_output=True, text=True, env=env,
                          timeout=30, stdin=subprocess.DEVNULL)


@pytest.mark.oracle
@pytest.mark.parametrize("tool", ["/lib/drbd/drbdadm-84", "/lib/drbd/drbdadm-83"])
def test_drbd126_drbdadm_refuses_a_resource_defined_twice(tool):
    bad, good = (RULES / "DRBD126" / k / "san-1" / "etc" / "drbd.conf" for k in ("bad", "good"))
    run = drbdadm(tool, bad)
    assert run.returncode == 10
    assert "drbd.d/r0.res:1: conflicting use of resource section 'r0'" in run.stderr, run.stderr
    assert "drbd.d/r0-ssd.res:2: resource section 'r0' first used here" in run.stderr, run.stderr
    assert drbdadm(tool, good).returncode != 10  # 10: configuration refused (83 exits 1 on "no resources for this host")
    got = findings(RULES / "DRBD126" / "bad", "DRBD126")
    assert [(Path(f.path).name, f.line, "first at" in f.message and "r0-ssd.res:2" in f.message) for f in got] \
        == [("r0.res", 1, True)]


# -- iSCSI ----------------------------------------------------------------------

AGENT = Path("/usr/lib/ocf/resource.d/heartbeat/iSCSITarget")


def test_iscsi104_lio_t_without_allowed_initiators_is_open_as_the_installed_agent_makes_it():
    """The agent's lio-t start without allowed_initiators sets generate_node_acls=1 (with or without
    incoming_username): ISCSI104 fires on both cluster targets of the fixture, in the agent's words."""
    if not AGENT.exists():
        need(str(AGENT))
    start = AGENT.read_text().split("iSCSITarget_start()", 1)[1].split("iSCSITarget_stop()", 1)[0]
    lio_t = start.split("lio-t)", 1)[1].split(";;", 1)[0]
    without = lio_t.split('if [ -n "${OCF_RESKEY_allowed_initiators}" ]; then', 1)[1].split("else", 1)[1]
    assert without.count("generate_node_acls=1") == 2  # with and without incoming_username
    got = findings(RULES / "ISCSI104" / "bad", "ISCSI104")
    lio = [f for f in got if "p_target_lio" in f.message]
    assert len(lio) == 1 and "generate_node_acls=1" in lio[0].message


def test_iscsi_lio_migration_and_the_rules_say_the_same(tmp_path):
    """The seed's ietd target (initiators.allow ALL, fileio write-through LUNs) migrated to lio-t
    resources: the plan says the new target is open (ISCSI104) and its fileio LUNs become write-back in
    ISCSI106's own words; checking the migrated site, ISCSI104 and ISCSI106 report exactly that."""
    from sanlint.transform.iscsi import OPEN_LIO_TARGET, WRITE_BACK_LOSS
    from test_migrate_iscsi import SEED, materialize, migrate

    site, plan = migrate("iscsi-lio", SEED)
    items = [i.message for i in plan.items]
    opened = [m for m in items if OPEN_LIO_TARGET in m]
    assert opened and all("open to every initiator (ISCSI104)" in m for m in opened), items
    write_back = [m for m in items if WRITE_BACK_LOSS in m]
    assert len(write_back) == 4 and all("write-through" in m and "ISCSI106" in m for m in write_back), items
    result = check([str(materialize(site, plan, SEED, tmp_path / "out"))]).findings
    i106 = [f for f in result if f.code == "ISCSI106"]
    assert len(i106) == 4 and all(WRITE_BACK_LOSS in f.message for f in i106)
    assert any(f.code == "ISCSI104" and OPEN_LIO_TARGET in f.message for f in result)
    assert not [f for f in check([str(SEED)]).findings if f.code == "ISCSI106"]  # before: write-through


def test_iscsi114_a_blank_in_lun_options_loses_the_lun_not_the_file():
    """IET refuses only that LUN (kernel "unknown param"): the rest of ietd.conf is read as before, the
    refused LUN is in `refused_luns`, not among the LUNs the target exports."""
    from sanlint.parsers.ietd import parse
    from sanlint.source import SourceFile

    cfg = parse(SourceFile.from_text("ietd.conf", "Target iqn.2014-02.santnet.sante:target1\n"
                                     "    Lun 0 Path=/dev/vgsan/lun0, Type=fileio\n"
                                     "    Lun 1 Path=/dev/vgsan/lun1,Type=blockio\n"))
    (t,) = cfg.targets
    assert [lun.number for lun in t.luns] == [1] and [lun.number for lun in t.refused_luns] == [0]
    got = findings(RULES / "ISCSI114" / "bad", "ISCSI114")
    assert [(f.line, "' Type=blockio'" in f.message or "'Type=blockio '" in f.message) for f in got] \
        == [(6, True), (7, True)]
    fixed = [f.fix for f in got]
    assert all(fx is not None and not fx.safe for fx in fixed)


def test_iscsi_lio_static_migration_says_when_it_opens_a_target(tmp_path):
    """A target ietd restricts by address only becomes an LIO TPG with generate_node_acls=1 under the
    default --set lio-address-acls=open: the plan says so, and ISCSI104 reports the written target."""
    from sanlint.transform.iscsi import OPEN_LIO_TARGET
    from test_migrate_iscsi import OWN, materialize, migrate

    src = OWN / "static-ietd"
    site, plan = migrate("iscsi-lio", src)
    opened = [i for i in plan.items if OPEN_LIO_TARGET in i.message]
    assert [(i.message.split(":", 2)[:2], i.line) for i in opened] == [(["iqn.2014-02.santnet.sante", "target1"], 5)]
    result = check([str(materialize(site, plan, src, tmp_path / "out"))]).findings
    assert any(f.code == "ISCSI104" and "target1" in f.message and "generate_node_acls=1" in f.message
               for f in result)


def test_iscsi_migrations_name_the_lun_ietd_refuses(tmp_path):
    """A Lun line IET refuses (ISCSI114) is never exported, so it is not migrated, and the plan says so."""
    from test_migrate_iscsi import migrate

    for name in ("iscsi-tgt", "iscsi-lio"):
        site, plan = migrate(name, RULES / "ISCSI114" / "bad")
        refused = sorted((i.line, "not migrated" in i.message) for i in plan.items if "ISCSI114" in i.message)
        assert refused == [(6, True), (7, True)], [i.message for i in plan.items]


@pytest.mark.oracle
def test_drbd126_drbdadm_9_refuses_a_resource_defined_twice(tmp_path):
    """The same with DRBD 9 syntax (fencing in net, node-id), checked by drbd-utils 9's drbdadm."""
    site = tmp_path / "site"
    shutil.copytree(RULES / "DRBD126" / "bad", site)
    etc = site / "san-1" / "etc"
    common = etc / "drbd.d" / "global_common.conf"
    common.write_text(common.read_text().replace("\tdisk {\n\t\tfencing resource-only;\n\t}\n", "")
                      .replace("\tnet {\n", "\tnet {\n\t\tfencing resource-only;\n")
                      .replace("crm-fence-peer.sh", "crm-fence-peer.9.sh")
                      .replace("after-resync-target \"/usr/lib/drbd/crm-unfence-peer.sh\"",
                               "unfence-peer \"/usr/lib/drbd/crm-unfence-peer.9.sh\""))
    for res in ("r0.res", "r0-ssd.res"):
        f = etc / "drbd.d" / res
        f.write_text(f.read_text().replace("\ton node1 {\n", "\ton node1 {\n\t\tnode-id 0;\n")
                     .replace("\ton node2 {\n", "\ton node2 {\n\t\tnode-id 1;\n"))
    run = drbdadm("drbdadm", etc / "drbd.conf")
    assert run.returncode == 10 and "conflicting use of resource section 'r0'" in run.stderr, run.stderr
    result = check([str(site)])
    assert result.site.drbd_version == "9", result.site.drbd_version_reason
    assert [(Path(f.path).name, f.line) for f in result.findings if f.code == "DRBD126"] == [("r0.res", 1)]
