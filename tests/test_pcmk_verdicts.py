"""Pacemaker verdicts found wrong on public configurations (issue 9 item 8),
against crmsh and crm_verify.

The fixtures under fixtures/rules/PCMK1xx/{bad,good}-NAME/ are written as
public configurations write them (short agent names, `ms`, Master/Slave
roles, continuation lines); test_rule_fixtures checks their findings and
test_invariance their spellings.  Here: crmsh loads every one of them into a
CIB that crm_verify accepts (the findings are about meaning, not syntax),
PCMK126's CIB is the one crm_verify refuses, PCMK118's Optional/Mandatory
is what crmsh writes, PCMK119's advised DRBD timeouts are the installed
agent's, and PCMK106 judges allow-two-primaries only when the DRBD
configuration is in the input."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.api import check
from sanlint.migrate.pacemaker.crm2cib import crm_to_cib
from sanlint.source import SourceFile
from sanlint_rules.pcmk._common import agent_meta

EMPTY_CIB = ('<cib crm_feature_set="3.0.14" validate-with="pacemaker-3.0" epoch="1" num_updates="0" '
             'admin_epoch="0"><configuration><crm_config/><nodes/><resources/><constraints/></configuration>'
             '<status/></cib>\n')
CRM_CASES = sorted(str(p.parent.relative_to(FIXTURES / "rules"))
                   for p in (FIXTURES / "rules").glob("PCMK1*/*-*/cluster.crm")) + ["PCMK127/good"]


def crmsh_load(crm_text: str, tmp: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """The CIB crmsh makes of a crm configuration (`crm configure load update`).  Fencing is
    switched off for the load: crmsh's commit refuses a CIB without fence devices, which
    these fixtures (about placement, not fencing) do not all have."""
    cib = tmp / "cib.xml"
    cib.write_text(EMPTY_CIB)
    src = tmp / "in.crm"
    src.write_text(crm_text + "property stonith-enabled=false\n")
    env = {**os.environ, "CIB_file": str(cib)}
    r = subprocess.run([need("crm"), "configure", "load", "update", str(src)], env=env, capture_output=True,
                       text=True, timeout=120)
    return cib, r


def crmsh_cib(crm_text: str, tmp: Path) -> Path:
    cib, r = crmsh_load(crm_text, tmp)
    assert r.returncode == 0, r.stdout + r.stderr
    return cib


def schema_errors(cib: Path) -> str:
    r = subprocess.run([need("crm_verify"), "--xml-file", str(cib)], capture_output=True, text=True, timeout=120)
    return "\n".join(line for line in (r.stdout + r.stderr).splitlines() if "Relax-NG" in line)


@pytest.mark.parametrize("case", CRM_CASES)
def test_the_fixture_is_a_cib_crm_verify_accepts(case, tmp_path):
    # through convert's crm -> CIB (test_convert checks it against crmsh; crmsh itself costs seconds a load)
    crm = FIXTURES / "rules" / case / "cluster.crm"
    xml, problems = crm_to_cib(SourceFile.from_text(str(crm), crm.read_text(), format="crm"))
    assert not problems, problems
    cib = tmp_path / "cib.xml"
    cib.write_text(xml)
    assert schema_errors(cib) == ""


def test_pcmk126_flags_exactly_the_cib_crm_verify_refuses():
    bad, good = FIXTURES / "rules" / "PCMK126" / "bad" / "cib.xml", FIXTURES / "rules" / "PCMK126" / "good" / "cib.xml"
    assert "Element master failed to validate content" in schema_errors(bad)
    assert schema_errors(good) == ""
    assert [f.code for f in check([str(bad.parent)]).findings if f.code == "PCMK126"] == ["PCMK126"]


def test_pcmk126_crm_with_two_children_is_a_parse_error_not_a_silent_parameter(tmp_path):
    # crmsh takes the second name as a parameter of the clone (so p_drbd_r1 stays unmanaged); sanlint refuses
    crm = ("primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0\n"
           "primitive p_drbd_r1 ocf:linbit:drbd params drbd_resource=r1\n"
           "ms ms_drbd p_drbd_r0 p_drbd_r1 meta notify=true\n")
    cib = crmsh_cib(crm, tmp_path)
    assert re.search(r'<master id="ms_drbd">.*name="p_drbd_r1"', cib.read_text(), re.S)
    site = tmp_path / "site"
    site.mkdir()
    (site / "cluster.crm").write_text(crm)
    (f,) = [f for f in check([str(site)]).findings if f.code == "SAN001"]
    assert (f.line, f.column) == (3, 22) and "p_drbd_r1" in f.message


def test_pcmk127_is_the_uniqueness_crmsh_refuses_to_commit(tmp_path):
    bad = FIXTURES / "rules" / "PCMK127" / "bad"
    _, r = crmsh_load((bad / "cluster.crm").read_text(), tmp_path)
    assert r.returncode != 0
    assert re.search(r'p_drbd_data,p_drbd_r0 violate uniqueness for parameter "drbd_resource": "r0"', r.stdout + r.stderr)
    assert [f.code for f in check([str(bad)]).findings if f.code == "PCMK127"] == ["PCMK127"]


def test_pcmk118_names_the_kind_crmsh_writes(tmp_path):
    scores = {"o_zero": "0", "o_hundred": "100", "o_negative": "-50"}
    crm = "primitive a ocf:heartbeat:Dummy\nprimitive b ocf:heartbeat:Dummy\n" + "".join(
        f"order {o} {score}: a b\n" for o, score in scores.items())
    cib = crmsh_cib(crm, tmp_path).read_text()
    crmsh_kinds = {o: re.search(rf'<rsc_order id="{o}"[^>]*kind="(\w+)"', cib).group(1) for o in scores}
    assert crmsh_kinds == {"o_zero": "Optional", "o_hundred": "Mandatory", "o_negative": "Mandatory"}
    site = tmp_path / "site"
    site.mkdir()
    (site / "cluster.crm").write_text(crm)
    said = {f.message.split()[1]: f.message for f in check([str(site)]).findings if f.code == "PCMK118"}
    assert {o: re.search(r"so this one is (\w+)", m).group(1) for o, m in said.items()} == crmsh_kinds


def test_pcmk119_advised_drbd_timeouts_are_the_installed_agent_s():
    agent = need("/usr/lib/ocf/resource.d/linbit/drbd")
    out = subprocess.run([agent, "meta-data"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "OCF_ROOT": "/usr/lib/ocf"}).stdout
    installed = dict(re.findall(r'<action name="(start|stop)"\s+timeout="(\d+)"', out))
    meta = agent_meta("ocf:linbit:drbd")
    assert installed == {"start": meta.action("start").timeout, "stop": meta.action("stop").timeout} \
        == {"start": "240", "stop": "100"}


def test_pcmk119_drbd_start_stop_from_op_defaults_or_template(tmp_path):
    base = ("primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Master "
            "op monitor interval=31s role=Slave\nms ms_drbd_r0 p_drbd_r0 meta notify=true\n")

    def missing(crm: str) -> list[str]:
        site = tmp_path / f"s{len(list(tmp_path.iterdir()))}"
        site.mkdir()
        (site / "cluster.crm").write_text(crm)
        return sorted(f.message.split(" has no ")[1].split()[0] for f in check([str(site)]).findings
                      if f.code == "PCMK119" and " has no " in f.message)

    assert missing(base) == ["start", "stop"]
    assert missing(base + "op_defaults timeout=120s\n") == ["start"]  # 120s >= the 100s stop, < the 240s start
    assert missing(base + "op_defaults timeout=240s\n") == []
    assert missing(base.replace("op monitor interval=29s", "op start timeout=240s interval=0 op monitor interval=29s")) \
        == ["stop"]


DRBD_R0 = """resource r0 {
	protocol C;
	on alpha { device /dev/drbd0; disk /dev/vdb; address 192.168.122.11:7789; meta-disk internal; }
	on bravo { device /dev/drbd0; disk /dev/vdb; address 192.168.122.12:7789; meta-disk internal; }
}
"""


def test_pcmk106_judges_two_primaries_only_with_the_drbd_configuration(tmp_path):
    crm = ("primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op start timeout=240s interval=0 "
           "op stop timeout=100s interval=0 op monitor interval=29s role=Master op monitor interval=31s role=Slave\n"
           "ms ms_drbd_r0 p_drbd_r0 meta master-max=2 clone-max=2 notify=true\n")
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "cluster.crm").write_text(crm)
    assert [f for f in check([str(alone)]).findings if f.code == "PCMK106"] == []
    site = tmp_path / "site"
    for host in ("alpha", "bravo"):
        d = site / host / "etc" / "drbd.d"
        d.mkdir(parents=True)
        (d / "r0.res").write_text(DRBD_R0)
    (site / "cluster.crm").write_text(crm)
    (f,) = [f for f in check([str(site)]).findings if f.code == "PCMK106"]
    assert "allow-two-primaries" in f.message
    for host in ("alpha", "bravo"):
        (site / host / "etc" / "drbd.d" / "r0.res").write_text(
            DRBD_R0.replace("protocol C;", "protocol C;\n\tnet { allow-two-primaries yes; }"))
    assert [f for f in check([str(site)]).findings if f.code == "PCMK106"] == []


def simulate(crm: Path, promote_on: str, tmp: Path) -> dict[str, str]:
    """crm_simulate's placement (resource -> node) of a crm configuration on two online nodes with
    quorum, the DRBD agent's promotion score (`master-<primitive>`) higher on `promote_on`."""
    from lxml import etree

    xml, problems = crm_to_cib(SourceFile.from_text(str(crm), crm.read_text(), format="crm"))
    assert not problems, problems
    root = etree.fromstring(xml.encode())
    root.set("have-quorum", "1")
    for nv in root.iter("nvpair"):
        if nv.get("name") == "stonith-enabled":
            nv.set("value", "false")
    props = root.find("configuration/crm_config")
    cps = etree.SubElement(props, "cluster_property_set", id="test-options")
    etree.SubElement(cps, "nvpair", id="test-stonith", name="stonith-enabled", value="false")
    status = root.find("status")
    if status is None:
        status = etree.SubElement(root, "status")
    drbd = [p.get("id") for p in root.iter("primitive") if p.get("type") == "drbd"]
    for n in root.iter("node"):
        state = etree.SubElement(status, "node_state", id=n.get("id"), uname=n.get("uname"), in_ccm="true",
                                 crmd="online", join="member", expected="member")
        attrs = etree.SubElement(etree.SubElement(state, "transient_attributes", id=n.get("id")),
                                 "instance_attributes", id=f"status-{n.get('id')}")
        for p in drbd:
            etree.SubElement(attrs, "nvpair", id=f"status-{n.get('id')}-{p}", name=f"master-{p}",
                             value="100" if n.get("uname") == promote_on else "10")
    cib = tmp / f"sim-{promote_on}.xml"
    cib.write_bytes(etree.tostring(root))
    out = subprocess.run([need("crm_simulate"), "-x", str(cib), "-S"], capture_output=True, text=True,
                         timeout=120).stdout
    placed = {}
    for m in re.finditer(r"^\s*\* (Start|Promote)\s+(\S+)\s+\((?:[^)]*?->\s*\w+\s+)?\s*(\S+)\s*\)", out, re.M):
        placed[m.group(2) if m.group(1) == "Start" else m.group(2).split(":")[0] + "@Promoted"] = m.group(3)
    return placed


@pytest.mark.parametrize("case, dependent", [("PCMK103/good-chain", "p_ip_iscsi"),
                                             ("PCMK103/good-promoted", "p_ip_iscsi")])
def test_pcmk103_resources_held_through_others_land_with_the_promoted_instance(case, dependent, tmp_path):
    # crm_simulate places the resource ordered after the promotion on the Promoted node, wherever
    # the promotion goes, though no colocation names the two directly: PCMK103 must stay silent
    for node in ("alice", "bob"):
        placed = simulate(FIXTURES / "rules" / case / "cluster.crm", node, tmp_path)
        assert placed.get("p_drbd_r0@Promoted") == node == placed.get(dependent), placed
    assert [f for f in check([str(FIXTURES / "rules" / case)]).findings if f.code == "PCMK103"] == []


def test_pcmk121_counts_the_fence_agent_s_own_delay(tmp_path):
    meta = subprocess.run([need("fence_ipmilan"), "-o", "metadata"], capture_output=True, text=True, timeout=60).stdout
    assert re.search(r'<parameter name="delay"[^>]*>.*?<content type="second" default="0"', meta, re.S)
    good = FIXTURES / "rules" / "PCMK121" / "good-agent-delay"
    assert [f for f in check([str(good)]).findings if f.code == "PCMK121"] == []
    site = tmp_path / "site"
    site.mkdir()
    (site / "cluster.crm").write_text((good / "cluster.crm").read_text().replace(' delay="15"', ""))
    assert [f.code for f in check([str(site)]).findings if f.code == "PCMK121"] == ["PCMK121"]
