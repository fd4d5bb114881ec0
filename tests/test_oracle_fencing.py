"""Fencing timing and fence-device rules (PCMK121-124) against Pacemaker's
own checker, and the same verdicts through the CIB front end.

crm_verify accepts every one of these configurations (it checks the
schema and the values' syntax, not whether a fence device fits its
timeout), which is why these rules exist; the fixtures are valid
Pacemaker configurations, so the findings are about meaning, not syntax.
The CIB is made from each fixture's crm file by `convert crm2cib` (itself
checked against crmsh in test_convert.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.api import check
from sanlint.migrate.pacemaker.crm2cib import crm_to_cib
from sanlint.fixes import plan, write_atomically
from sanlint.config import Settings
from sanlint.source import SourceFile

pytestmark = pytest.mark.oracle
CODES = ("PCMK121", "PCMK122", "PCMK123", "PCMK124")
CASES = [(c, k) for c in CODES for k in ("bad", "good") if (FIXTURES / "rules" / c / k / "cluster.crm").is_file()]


def as_cib_site(code: str, kind: str, tmp: Path) -> Path:
    site = tmp / "site"
    shutil.copytree(FIXTURES / "rules" / code / kind, site)
    crm = site / "cluster.crm"
    xml, problems = crm_to_cib(SourceFile.from_text(str(crm), crm.read_text(), format="crm"))
    assert not problems, problems
    crm.unlink()
    (site / "cib.xml").write_text(xml)
    return site


def crm_verify(xml: Path) -> subprocess.CompletedProcess:
    """crm_verify on a copy of the CIB whose nodes are online members with quorum (a status section as a
    running cluster has it), so that it judges the configuration, not the lack of a running cluster."""
    from lxml import etree

    root = etree.fromstring(xml.read_bytes())
    root.set("have-quorum", "1")
    status = root.find("status")
    if status is None:
        status = etree.SubElement(root, "status")
    for n in root.iter("node"):
        etree.SubElement(status, "node_state", id=n.get("id"), uname=n.get("uname"), in_ccm="true",
                         crmd="online", join="member", expected="member")
    live = xml.parent.parent / ("live-" + xml.name)  # outside the site: not a second cluster
    live.write_bytes(etree.tostring(root))
    return subprocess.run([need("crm_verify"), "--xml-file", str(live), "-V"], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("code, kind", CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_crm_verify_accepts_and_the_cib_gives_the_same_findings(code, kind, tmp_path):
    site = as_cib_site(code, kind, tmp_path)
    run = crm_verify(site / "cib.xml")
    assert run.returncode == 0, run.stdout + run.stderr
    crm_findings = sorted((f.code, f.message) for f in check([str(FIXTURES / "rules" / code / kind)]).findings
                          if f.code in CODES)
    cib_findings = sorted((f.code, f.message) for f in check([str(site)]).findings if f.code in CODES)
    assert cib_findings == crm_findings


def test_action_off_fix_in_a_cib_renames_the_nvpair_and_crm_verify_still_accepts(tmp_path):
    site = as_cib_site("PCMK123", "bad", tmp_path)
    outcome = plan(lambda overrides: check([str(site)], settings=Settings(), overrides=overrides).findings, unsafe=True)
    write_atomically(outcome.new_data, backup=False)
    text = (site / "cib.xml").read_text()
    assert 'name="pcmk_reboot_action" value="off"' in text and 'name="method"' not in text
    assert crm_verify(site / "cib.xml").returncode == 0
    assert not [f for f in check([str(site)]).findings if f.code == "PCMK123"]
