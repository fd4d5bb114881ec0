"""The PCMK rule pack: per-rule checks on crm text and CIB XML, fixes
(exact text, convergence, idempotence) and agreement with the real tools
(crm_verify, crmsh's semantic checks, the scheduler via crm_simulate)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, need, need_shared
from sanlint.api import check

SEED = FIXTURES / "sites" / "seed"
MODERN = FIXTURES / "sites" / "modern"


# -- helpers -------------------------------------------------------------------

def site_with(tmp_path: Path, files: dict[str, str]) -> Path:
    site = tmp_path / "site"
    for rel, text in files.items():
        p = site / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    if not any(d.is_dir() for d in site.iterdir()):
        (site / "san-1" / "etc").mkdir(parents=True)
    return site


def pcmk(path: Path, code: str | None = None):
    res = check([str(path)])
    return [f for f in res.findings if f.code.startswith("PCMK") and (code is None or f.code == code)]


def run_fix(path: Path, select: str, unsafe: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "sanlint", "check", "--select", select, "--fix", "--no-backup", "--fail-on", "never"]
    if unsafe:
        cmd.append("--unsafe-fixes")
    return subprocess.run(cmd + [str(path)], capture_output=True, text=True)


def fix_text(tmp_path: Path, name: str, text: str, select: str, unsafe: bool = False) -> str:
    site = site_with(tmp_path, {name: text})
    run_fix(site, select, unsafe)
    fixed = (site / name).read_text()
    # idempotence: a second run changes nothing
    run_fix(site, select, unsafe)
    assert (site / name).read_text() == fixed
    return fixed


CIB_HEAD = '<cib crm_feature_set="3.16.1" validate-with="{schema}" epoch="1" num_updates="0" admin_epoch="0">\n'


def cib(resources: str = "", constraints: str = "", props: dict[str, str] | None = None,
        nodes: tuple[str, ...] = ("san-1", "san-2"), schema: str = "pacemaker-3.9") -> str:
    props = {"stonith-enabled": "false"} if props is None else props
    nv = "".join(f'        <nvpair id="cib-bootstrap-options-{k}" name="{k}" value="{v}"/>\n' for k, v in props.items())
    nd = "".join(f'      <node id="{i + 1}" uname="{n}"/>\n' for i, n in enumerate(nodes))
    return (CIB_HEAD.format(schema=schema) + "  <configuration>\n    <crm_config>\n"
            '      <cluster_property_set id="cib-bootstrap-options">\n' + nv + "      </cluster_property_set>\n"
            "    </crm_config>\n    <nodes>\n" + nd + "    </nodes>\n    <resources>\n" + resources +
            "    </resources>\n    <constraints>\n" + constraints + "    </constraints>\n  </configuration>\n"
            "  <status/>\n</cib>\n")


DRBD_MASTER = """      <master id="drbd_ms">
        <meta_attributes id="drbd_ms-meta_attributes">
          <nvpair id="drbd_ms-meta_attributes-clone-max" name="clone-max" value="2"/>
          <nvpair id="drbd_ms-meta_attributes-notify" name="notify" value="{notify}"/>
        </meta_attributes>
        <primitive id="drbd_r0" class="ocf" provider="linbit" type="drbd">
          <instance_attributes id="drbd_r0-instance_attributes">
            <nvpair id="drbd_r0-instance_attributes-drbd_resource" name="drbd_resource" value="r0"/>
          </instance_attributes>
          <operations>
            <op id="drbd_r0-monitor-20" name="monitor" interval="20" role="Slave"/>
            <op id="drbd_r0-monitor-10" name="monitor" interval="10" role="Master"/>
          </operations>
        </primitive>
      </master>
"""

IP = """      <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="ip-instance_attributes">
          <nvpair id="ip-instance_attributes-ip" name="ip" value="10.0.0.10"/>
        </instance_attributes>
        <operations>
          <op id="ip-monitor-10s" name="monitor" interval="10s"/>
        </operations>
      </primitive>
"""


# -- the seed and the modern site --------------------------------------------------

def test_seed_produces_exactly_the_expected_pcmk_findings():
    found = pcmk(SEED)
    assert Counter(f.code for f in found) == Counter({
        "PCMK101": 1, "PCMK103": 1, "PCMK104": 1, "PCMK111": 2, "PCMK113": 1, "PCMK114": 4, "PCMK118": 1})
    props = sorted(re.match(r"property (\S+?)=", f.message).group(1) for f in found if f.code == "PCMK114")
    assert props == ["cluster-infrastructure", "dc-version", "expected-quorum-votes", "last-lrm-refresh"]
    assert {f.message.split()[1] for f in found if f.code == "PCMK111"} == {"vgsan", "iscsitarget"}


def test_modern_site_is_clean():
    assert MODERN.is_dir()
    assert [f"{f.code} {f.message}" for f in pcmk(MODERN)] == []


def test_seed_fixes_converge(tmp_path):
    site = tmp_path / "seed"
    shutil.copytree(SEED, site)
    run_fix(site, "PCMK", unsafe=True)
    text = (site / "cluster-santnet-san.conf").read_text()
    assert "order vgsan-after-drbd Mandatory: sandisk_ms:promote iscsi-group:start\n" \
           "colocation iscsi-group-with-sandisk_ms inf: iscsi-group sandisk_ms:Master\n" in text
    assert text.endswith('property $id="cib-bootstrap-options" \\\n        no-quorum-policy="ignore" \\\n'
                         '        stonith-enabled="false"\n')
    left = Counter(f.code for f in pcmk(site))
    assert left == Counter({"PCMK101": 1, "PCMK111": 2, "PCMK113": 1})


# -- PCMK101 -----------------------------------------------------------------------

def test_pcmk101_crm_and_cib(tmp_path):
    s = site_with(tmp_path / "a", {"cluster.crm": "primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s\n"})
    assert [f.line for f in pcmk(s, "PCMK101")] == [1]
    s = site_with(tmp_path / "b", {"cib.xml": cib(IP, props={})})
    assert len(pcmk(s, "PCMK101")) == 1
    s = site_with(tmp_path / "c", {"cib.xml": cib(IP, props={"stonith-enabled": "false"})})
    assert len(pcmk(s, "PCMK101")) == 1


@pytest.mark.oracle
def test_pcmk101_agrees_with_crm_verify(tmp_path):
    crm_verify = need("crm_verify")
    missing = tmp_path / "missing.xml"
    missing.write_text(cib(IP, props={}))
    out = subprocess.run([crm_verify, "-V", "--xml-file", str(missing)], capture_output=True, text=True)
    assert out.returncode != 0 and "no STONITH resources have been defined" in out.stderr + out.stdout
    assert len(pcmk(missing, "PCMK101")) == 1
    disabled = tmp_path / "disabled.xml"
    disabled.write_text(cib(IP, props={"stonith-enabled": "false"}))
    out = subprocess.run([crm_verify, "--xml-file", str(disabled)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert len(pcmk(disabled, "PCMK101")) == 1  # crm_verify accepts it; sanlint does not


# -- PCMK102 -----------------------------------------------------------------------

COROSYNC3 = """totem {
    version: 2
    cluster_name: san
    transport: knet
}
nodelist {
    node {
        ring0_addr: 10.0.0.1
        name: san-1
        nodeid: 1
    }
    node {
        ring0_addr: 10.0.0.2
        name: san-2
        nodeid: 2
    }
}
quorum {
    provider: corosync_votequorum
}
"""


def test_pcmk102_votequorum_fix(tmp_path):
    site = site_with(tmp_path, {"san-1/etc/corosync/corosync.conf": COROSYNC3,
                                "cluster.crm": "node san-1\nnode san-2\n"})
    assert len(pcmk(site, "PCMK102")) == 1
    run_fix(site, "PCMK102")
    assert (site / "san-1/etc/corosync/corosync.conf").read_text().endswith(
        "quorum {\n    provider: corosync_votequorum\n    two_node: 1\n}\n")
    assert pcmk(site, "PCMK102") == []


def test_pcmk102_openais_fix(tmp_path):
    text = "node san-1\nnode san-2\nproperty cluster-infrastructure=openais \\\n    no-quorum-policy=stop\n"
    fixed = fix_text(tmp_path, "cluster.crm", text, "PCMK102")
    assert fixed == "node san-1\nnode san-2\nproperty cluster-infrastructure=openais \\\n    no-quorum-policy=ignore\n"


# -- PCMK103 / PCMK104 ------------------------------------------------------------------

def test_pcmk103_104_on_cib_and_fixes(tmp_path):
    order = '      <rsc_order id="ip-after-drbd" kind="Mandatory" first="drbd_ms" then="ip"/>\n'
    site = site_with(tmp_path, {"cib.xml": cib(DRBD_MASTER.format(notify="true") + IP, order)})
    assert {f.code for f in pcmk(site)} >= {"PCMK103", "PCMK104"}
    run_fix(site, "PCMK103,PCMK104", unsafe=True)
    text = (site / "cib.xml").read_text()
    assert ('      <rsc_order id="ip-after-drbd" kind="Mandatory" first="drbd_ms" first-action="promote" then="ip" '
            'then-action="start"/>\n      <rsc_colocation id="ip-with-drbd_ms" score="INFINITY" rsc="ip" '
            'with-rsc="drbd_ms" with-rsc-role="Promoted"/>\n') in text
    assert not pcmk(site, "PCMK103") and not pcmk(site, "PCMK104")


def test_pcmk104_colocation_role_is_version_aware(tmp_path):
    base = ("primitive d ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role={p} "
            "op monitor interval=31s role={u}\n{clone}\n"
            "primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s\n"
            "colocation ip-with-d inf: ip d-ms\norder o Mandatory: d-ms:promote ip:start\n")
    new = base.format(p="Promoted", u="Unpromoted", clone="clone d-ms d meta promotable=true notify=true")
    assert "colocation ip-with-d inf: ip d-ms:Promoted\n" in fix_text(tmp_path / "a", "cluster.crm", new, "PCMK104", True)
    old = base.format(p="Master", u="Slave", clone="ms d-ms d meta notify=true")
    assert "colocation ip-with-d inf: ip d-ms:Master\n" in fix_text(tmp_path / "b", "cluster.crm", old, "PCMK104", True)


def test_pcmk103_group_members_and_reverse_colocation_are_fine(tmp_path):
    text = ("primitive a ocf:heartbeat:IPaddr2 params ip=10.0.0.1 op monitor interval=10s\n"
            "primitive b ocf:heartbeat:IPaddr2 params ip=10.0.0.2 op monitor interval=10s\n"
            "primitive c ocf:heartbeat:IPaddr2 params ip=10.0.0.3 op monitor interval=10s\n"
            "group g a b\norder o1 Mandatory: a b\norder o2 Mandatory: g c\ncolocation c-g inf: g c\n"
            "order o3 Optional: a c\n")
    assert pcmk(site_with(tmp_path, {"cluster.crm": text}), "PCMK103") == []


@pytest.mark.oracle
def test_pcmk103_104_agree_with_the_scheduler(tmp_path):
    """The seed's cluster configuration, converted to XML by crmsh: crm_simulate
    starts the iSCSI group while DRBD is unpromoted; after sanlint's fixes it does not."""
    crm = need("crm")
    cibadmin = need("cibadmin")
    crm_simulate = need("crm_simulate")
    work = tmp_path / "seed"
    shutil.copytree(SEED, work)
    run_fix(work, "PCMK114")  # crmsh's pacemaker-3.9 schema rejects the corosync 1.x properties
    empty = tmp_path / "empty.xml"
    empty.write_text(subprocess.run([cibadmin, "--empty"], capture_output=True, text=True, check=True).stdout)
    script = tmp_path / "s.txt"
    script.write_text(f"configure\nload update {work / 'cluster-santnet-san.conf'}\nshow xml\n")
    out = subprocess.run([crm, "-f", str(script)], capture_output=True, text=True,
                         env=dict(os.environ, CIB_file=str(empty)))
    xml = out.stdout[out.stdout.index("<cib"):out.stdout.index("</cib>") + len("</cib>")] + "\n"
    cib_dir = tmp_path / "cibsite"
    cib_dir.mkdir()
    cib_file = cib_dir / "cib.xml"
    cib_file.write_text(xml)
    codes = {f.code for f in pcmk(cib_file)}
    assert {"PCMK103", "PCMK104"} <= codes

    def transition(path: Path) -> list[str]:
        r = subprocess.run([crm_simulate, "-x", str(path), "-S", "-u", "san-1.example.com", "-u", "san-2.example.com"],
                           capture_output=True, text=True)
        summary = r.stdout.split("Transition Summary:")[1].split("Executing")[0]
        return [line.split()[2] for line in summary.splitlines() if line.strip().startswith("* Start")]

    before = transition(cib_file)
    assert "vgsan" in before and "iscsitarget" in before  # started while both DRBD copies are unpromoted
    run_fix(cib_file, "PCMK103,PCMK104", unsafe=True)
    assert not {"PCMK103", "PCMK104"} & {f.code for f in pcmk(cib_file)}
    after = transition(cib_file)
    assert all(r.startswith("drbd_sandisk0") for r in after), after


# -- PCMK105 -------------------------------------------------------------------------

def test_pcmk105_cib_dangling_reference(tmp_path):
    con = '      <rsc_colocation id="c" score="INFINITY" rsc="ip" with-rsc="nothere"/>\n'
    site = site_with(tmp_path, {"cib.xml": cib(IP, con)})
    assert [f.message.split()[4] for f in pcmk(site, "PCMK105")] == ["nothere,"]


# -- PCMK106 -------------------------------------------------------------------------

def test_pcmk106_cib_notify_fix(tmp_path):
    site = site_with(tmp_path, {"cib.xml": cib(DRBD_MASTER.format(notify="false"))})
    assert len(pcmk(site, "PCMK106")) == 1
    run_fix(site, "PCMK106")
    assert 'name="notify" value="true"' in (site / "cib.xml").read_text()
    assert pcmk(site, "PCMK106") == []


def test_pcmk106_clone_max_above_drbd_hosts(tmp_path):
    res = ("resource r0 {\n  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }\n"
           "  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }\n}\n")
    crm = ("primitive d ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted\n"
           "clone d-ms d meta promotable=true notify=true clone-max=3\n")
    site = site_with(tmp_path, {"san-1/etc/drbd.d/r0.res": res, "cluster.crm": crm})
    assert len(pcmk(site, "PCMK106")) == 1
    run_fix(site, "PCMK106")
    assert "clone-max=2\n" in (site / "cluster.crm").read_text()


# -- PCMK107 ---------------------------------------------------------------------------

DUP_CIB = """      <primitive id="vg" class="ocf" provider="heartbeat" type="LVM-activate">
        <instance_attributes id="vg-instance_attributes">
          <nvpair id="vg-instance_attributes-volgrpname" name="volgrpname" value="vgsan"/>
        </instance_attributes>
        <operations>
          <op id="vg-monitor-30s" name="monitor" interval="30s" timeout="30s"/>
          <op id="vg-monitor-30s-1" name="monitor" interval="30" timeout="90s"/>
        </operations>
      </primitive>
"""


def test_pcmk107_crm_fix(tmp_path):
    text = ("primitive d ocf:linbit:drbd params drbd_resource=r0 op monitor interval=20s role=Promoted "
            "op monitor interval=20s role=Unpromoted\n")
    fixed = fix_text(tmp_path, "cluster.crm", text, "PCMK107")
    assert fixed == text.replace("interval=20s role=Unpromoted", "interval=21s role=Unpromoted")


def test_pcmk107_cib(tmp_path):
    site = site_with(tmp_path, {"cib.xml": cib(DUP_CIB)})
    assert [f.line for f in pcmk(site, "PCMK107")] == [19]
    run_fix(site, "PCMK107")
    assert 'interval="31" timeout="90s"' in (site / "cib.xml").read_text()


@pytest.mark.oracle
def test_pcmk107_115_119_agree_with_crmsh(tmp_path):
    crm = need("crm")
    f = tmp_path / "cib.xml"
    f.write_text(cib(DUP_CIB))
    work = tmp_path / "work.xml"
    shutil.copy(f, work)
    out = subprocess.run([crm, "configure", "verify"], capture_output=True, text=True,
                         env=dict(os.environ, CIB_file=str(work)))
    said = out.stdout + out.stderr
    assert "interval in monitor must be unique" in said
    assert 'required parameter "vgname" not defined' in said
    assert 'required parameter "vg_access_mode" not defined' in said
    assert 'parameter "volgrpname" is not known' in said
    assert "specified timeout 30s for monitor is smaller than the advised 90s" in said
    found = pcmk(f)
    assert {m for m in (x.message for x in found if x.code == "PCMK115")} >= {
        "primitive vg: parameter volgrpname is not known to ocf:heartbeat:LVM-activate: the agent ignores it (a misspelling?)"}
    assert sorted(re.search(r"parameter (\S+)", x.message).group(1) for x in found if x.code == "PCMK115") == \
        ["vg_access_mode", "vgname", "volgrpname"]
    assert len([x for x in found if x.code == "PCMK107"]) == 1
    assert len([x for x in found if x.code == "PCMK119"]) == 1


# -- PCMK108 -----------------------------------------------------------------------------

def test_pcmk108_device_path_fix(tmp_path):
    res = ("resource r0 {\n  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }\n"
           "  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }\n}\n")
    crm = "primitive d ocf:linbit:drbd params drbd_resource=/dev/drbd0 op monitor interval=29s\n"
    site = site_with(tmp_path, {"san-1/etc/drbd.d/r0.res": res, "cluster.crm": crm})
    assert len(pcmk(site, "PCMK108")) == 1
    run_fix(site, "PCMK108")
    assert (site / "cluster.crm").read_text() == crm.replace("/dev/drbd0", "r0")


# -- PCMK110 / PCMK112 / PCMK113 -----------------------------------------------------------

def test_pcmk110_cib(tmp_path):
    res = IP.replace("      </primitive>\n", '        <meta_attributes id="ip-meta">\n'
                     '          <nvpair id="ip-meta-target-role" name="target-role" value="Stopped"/>\n'
                     "        </meta_attributes>\n      </primitive>\n")
    site = site_with(tmp_path, {"cib.xml": cib(res)})
    assert len(pcmk(site, "PCMK110")) == 1


def test_pcmk112_crm_fix(tmp_path):
    text = "primitive ip ocf:heartbeat:IPaddr2 \\\n    params ip=10.0.0.10\n"
    fixed = fix_text(tmp_path, "cluster.crm", text, "PCMK112", unsafe=True)
    assert fixed == "primitive ip ocf:heartbeat:IPaddr2 \\\n    params ip=10.0.0.10 \\\n    op monitor interval=10s timeout=20s\n"


def test_pcmk112_cib_fix(tmp_path):
    res = IP.replace('          <op id="ip-monitor-10s" name="monitor" interval="10s"/>\n',
                     '          <op id="ip-start-0" name="start" interval="0" timeout="20s"/>\n')
    site = site_with(tmp_path, {"cib.xml": cib(res)})
    assert len(pcmk(site, "PCMK112")) == 1
    run_fix(site, "PCMK112", unsafe=True)
    assert ('          <op id="ip-start-0" name="start" interval="0" timeout="20s"/>\n'
            '          <op id="ip-monitor-10s" name="monitor" interval="10s" timeout="20s"/>\n'
            '        </operations>\n') in (site / "cib.xml").read_text()


def test_pcmk113_fix_under_2_1(tmp_path):
    text = ("primitive d ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Master "
            "op monitor interval=31s role=Slave\nms d-ms d meta master-max=1 notify=true\n"
            "property dc-version=2.1.5-a3f44794f9\n")
    fixed = fix_text(tmp_path, "cluster.crm", text, "PCMK113")
    assert fixed == ("primitive d ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted "
                     "op monitor interval=31s role=Unpromoted\nclone d-ms d meta promoted-max=1 notify=true promotable=true\n"
                     "property dc-version=2.1.5-a3f44794f9\n")


def test_pcmk113_no_fix_on_1_1(tmp_path):
    found = pcmk(SEED, "PCMK113")
    assert len(found) == 1 and found[0].fix is None


# -- PCMK114 -------------------------------------------------------------------------------

def test_pcmk114_crm_continuations(tmp_path):
    text = ("property cib-bootstrap-options: \\\n    stonith-enabled=true \\\n    dc-version=1.1.6 \\\n"
            "    no-quorum-policy=ignore \\\n    last-lrm-refresh=1393398237\nrsc_defaults resource-stickiness=100\n")
    fixed = fix_text(tmp_path, "cluster.crm", text, "PCMK114")
    assert fixed == ("property cib-bootstrap-options: \\\n    stonith-enabled=true \\\n"
                     "    no-quorum-policy=ignore\nrsc_defaults resource-stickiness=100\n")


def test_pcmk114_cib(tmp_path):
    text = cib(IP, props={"stonith-enabled": "false", "dc-version": "2.1.5", "expected-quorum-votes": "2"},
               schema="pacemaker-3.0")
    site = site_with(tmp_path, {"cib.xml": text})
    assert len(pcmk(site, "PCMK114")) == 2
    run_fix(site, "PCMK114")
    out = (site / "cib.xml").read_text()
    assert "dc-version" not in out and "expected-quorum-votes" not in out
    assert '        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>\n' \
           '      </cluster_property_set>' in out


# -- PCMK116 / PCMK117 ---------------------------------------------------------------------

def test_pcmk116_colocated_through_drbd_master_is_fine(tmp_path):
    text = ("primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s\n"
            "primitive t ocf:heartbeat:iSCSITarget params iqn=iqn.2024-01.com.example:san implementation=lio-t op monitor interval=10s\n"
            "primitive d ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted\n"
            "clone d-ms d meta promotable=true notify=true\n"
            "colocation ip-with-d inf: ip d-ms:Promoted\ncolocation t-with-d inf: t d-ms:Promoted\n")
    assert pcmk(site_with(tmp_path, {"cluster.crm": text}), "PCMK116") == []


def test_pcmk117_same_config_in_crm_and_cib_is_no_drift(tmp_path):
    crm = ("primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s\n"
           "property stonith-enabled=false\n")
    site = site_with(tmp_path, {"cluster.crm": crm, "cib.xml": cib(IP, nodes=())})
    assert pcmk(site, "PCMK117") == []
    site2 = site_with(tmp_path / "b", {"cluster.crm": crm.replace("10.0.0.10", "10.0.0.11"), "cib.xml": cib(IP, nodes=())})
    found = pcmk(site2, "PCMK117")
    assert len(found) == 1 and "resource ip differs in params: ip" in found[0].message


# -- PCMK118 / PCMK119 / PCMK120 / PCMK121 -----------------------------------------------------

def test_pcmk118_fixes(tmp_path):
    text = "primitive a ocf:heartbeat:IPaddr2 params ip=10.0.0.1 op monitor interval=10s\n" \
           "primitive b ocf:heartbeat:IPaddr2 params ip=10.0.0.2 op monitor interval=10s\n" \
           "order o1 1000: a b\norder o2 0: a b\ncolocation c inf: b a\n"
    fixed = fix_text(tmp_path / "a", "cluster.crm", text, "PCMK118")
    assert "order o1 Mandatory: a b\norder o2 Optional: a b\n" in fixed
    order = '      <rsc_order id="o" score="1000" first="ip" then="ip2"/>\n'
    site = site_with(tmp_path / "b", {"cib.xml": cib(IP + IP.replace('"ip', '"ip2'), order)})
    assert len(pcmk(site, "PCMK118")) == 1
    run_fix(site, "PCMK118")
    assert '<rsc_order id="o" kind="Mandatory" first="ip" then="ip2"/>' in (site / "cib.xml").read_text()


def test_pcmk119_crm_fix_and_seed_timeouts_are_fine(tmp_path):
    text = "primitive vg ocf:heartbeat:LVM-activate params vgname=v vg_access_mode=system_id op monitor interval=30s timeout=30s op start interval=0\n"
    fixed = fix_text(tmp_path, "cluster.crm", text, "PCMK119")
    assert fixed == "primitive vg ocf:heartbeat:LVM-activate params vgname=v vg_access_mode=system_id op monitor interval=30s timeout=90s op start interval=0 timeout=90s\n"
    assert pcmk(SEED, "PCMK119") == []


def test_pcmk120_cib_fix(tmp_path):
    loc = '      <rsc_location id="cli-ban-ip-on-san-1" rsc="ip" role="Started" node="san-1" score="-INFINITY"/>\n'
    site = site_with(tmp_path, {"cib.xml": cib(IP, loc)})
    assert len(pcmk(site, "PCMK120")) == 1
    run_fix(site, "PCMK120", unsafe=True)
    assert "cli-ban" not in (site / "cib.xml").read_text()
    assert "    <constraints>\n    </constraints>\n" in (site / "cib.xml").read_text()


def test_pcmk121_priority_fencing_delay_is_enough(tmp_path):
    fence = ("primitive f1 stonith:fence_ipmilan params ip=10.0.1.1 username=a password=b pcmk_host_list=san-1 op monitor interval=60s\n"
             "primitive f2 stonith:fence_ipmilan params ip=10.0.1.2 username=a password=b pcmk_host_list=san-2 op monitor interval=60s\n")
    site = site_with(tmp_path / "a", {"cluster.crm": "node san-1\nnode san-2\n" + fence})
    assert len(pcmk(site, "PCMK121")) == 1
    site = site_with(tmp_path / "b", {"cluster.crm": "node san-1\nnode san-2\n" + fence + "property priority-fencing-delay=30s\n"})
    assert pcmk(site, "PCMK121") == []


# -- agent meta-data and scale ---------------------------------------------------------------

def test_shipped_metadata_loads():
    from sanlint_rules.pcmk._common import agent_meta

    drbd = agent_meta("ocf:linbit:drbd")
    assert drbd.params["drbd_resource"].required
    assert drbd.action("monitor", "Master").interval == "10"
    assert agent_meta("ocf:heartbeat:iSCSITarget").params["implementation"].default is None
    assert "pcmk_delay_max" in agent_meta("stonith:fence_ipmilan").params
    assert agent_meta("lsb:iscsitarget") is None


def test_ten_thousand_resources_stay_fast(tmp_path):
    lines = []
    for i in range(5000):
        lines.append(f"primitive ip{i} ocf:heartbeat:IPaddr2 params ip=10.{i // 250}.{i % 250}.1 op monitor interval=10s")
        lines.append(f"primitive vg{i} ocf:heartbeat:LVM-activate params vgname=vg{i} vg_access_mode=system_id "
                     f"op monitor interval=30s timeout=90s")
        lines.append(f"order o{i} Mandatory: vg{i} ip{i}")
        lines.append(f"colocation c{i} inf: ip{i} vg{i}")
    site = site_with(tmp_path, {"cluster.crm": "\n".join(lines) + "\nproperty stonith-enabled=false\n"})
    from sanlint.config import Settings
    from sanlint.runner import run
    from sanlint.site import build

    s, problems = build([str(site)], None, Settings().as_dict(), None)
    t = time.monotonic()
    res = run(s, problems, Settings(), only=[f"PCMK{n}" for n in range(101, 122)])
    assert time.monotonic() - t < 10
    assert Counter(f.code for f in res.findings) == Counter({"PCMK101": 1})


@pytest.mark.oracle
def test_regenerated_metadata_matches_shipped(tmp_path):
    need("/usr/lib/ocf/resource.d/heartbeat/LVM-activate")
    need("/usr/lib/ocf/resource.d/linbit/drbd")
    out = subprocess.run([sys.executable, "-m", "sanlint.data.regenerate_agents", "--out", str(tmp_path),
                          "ocf:heartbeat:LVM-activate", "ocf:linbit:drbd"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    shipped = Path(__file__).resolve().parent.parent / "sanlint" / "data" / "agents"
    for name in ("ocf_heartbeat_LVM-activate.json", "ocf_linbit_drbd.json"):
        assert (tmp_path / name).read_text() == (shipped / name).read_text()
