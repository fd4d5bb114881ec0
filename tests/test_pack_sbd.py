"""The `sbd` pack beyond its fixtures: the cases the fixtures leave out
(no fix, the reverse direction, what must not fire) and the CIB spelling
of the cluster-glue agent (`stonith:external/sbd`)."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

from conftest import FIXTURES
from sanlint.api import check

GOOD = FIXTURES / "rules" / "SBD102" / "good"
CIB_EXTERNAL_SBD = """<cib validate-with="pacemaker-3.9" epoch="5" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="o-stonith-enabled" name="stonith-enabled" value="true"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="san-1"/>
      <node id="2" uname="san-2"/>
    </nodes>
    <resources>
      <primitive id="stonith-sbd" class="stonith" type="external/sbd">
        <instance_attributes id="stonith-sbd-ia">
          <nvpair id="stonith-sbd-ia-delay" name="pcmk_delay_max" value="30s"/>
        </instance_attributes>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status/>
</cib>
"""


def codes(site: Path, prefix="SBD"):
    return sorted((f.code, os.path.relpath(f.path, site), f.line) for f in check([str(site)]).findings
                  if f.code.startswith(prefix))


def site_from(tmp_path: Path, base: Path = GOOD, edits: dict[str, str | None] | None = None) -> Path:
    site = tmp_path / "site"
    shutil.copytree(base, site)
    for rel, text in (edits or {}).items():
        p = site / rel
        if text is None:
            p.unlink()
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(text))
    return site


def test_four_devices_and_sbd_opts_toggle(tmp_path):
    sysconfig = (GOOD / "san-1/etc/sysconfig/sbd").read_text()
    four = sysconfig.replace('scsi-36001405a1b2c3d4e5f60718293a4b5c6"', 'scsi-A;/dev/b;/dev/c;/dev/d"')
    site = site_from(tmp_path, edits={"san-1/etc/sysconfig/sbd": four + 'SBD_OPTS="-W -PP"\n'})
    got = codes(site)
    assert ("SBD101", "san-1/etc/sysconfig/sbd", 8) in got
    assert ("SBD104", "san-1/etc/sysconfig/sbd", 24) in got  # the last SBD_OPTS assignment (line 23 is empty)


def test_fence_resource_without_devices_on_a_node(tmp_path):
    site = site_from(tmp_path, edits={"san-2/etc/default/sbd": None})
    assert codes(site) == [("SBD102", "cluster.crm", 3)]


def test_external_sbd_in_a_cib_counts_as_the_sbd_fence_resource(tmp_path):
    site = site_from(tmp_path, edits={"cluster.crm": None, "cib.xml": CIB_EXTERNAL_SBD})
    assert codes(site) == []
    site2 = site_from(tmp_path / "2", edits={"cluster.crm": None, "cib.xml": CIB_EXTERNAL_SBD,
                                              "san-2/etc/default/sbd": "SBD_PACEMAKER=yes\n"})
    assert codes(site2) == [("SBD102", "cib.xml", 13)]


def test_boot_rule_silent_without_boot_links_and_diskless_rule_silent_with_a_disk(tmp_path):
    # no etc/systemd collected: SBD103 cannot tell; SBD_DEVICE set: SBD106 has nothing to say
    site = site_from(tmp_path, edits={"cluster.crm": (GOOD / "cluster.crm").read_text()
                                      + "property stonith-watchdog-timeout=10s\n"})
    assert codes(site) == []


def test_sysv_link_enables_sbd(tmp_path):
    base = FIXTURES / "rules" / "SBD103" / "bad"
    site = site_from(tmp_path, base, {"expect.json": None, "san-2/etc/rc3.d/S05sbd": ""})
    assert codes(site) == []
