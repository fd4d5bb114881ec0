"""One owner per transformation: a `--fix` and a `migrate` that make the same
change write the same bytes (both call sanlint.transform), and the facts
tables are the ones both read."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sanlint.cli import main

SYNCER = """resource r0 {
    net {
        protocol C;
    }
    syncer {
        verify-alg sha1;   # checked weekly
        rate 40M;
        al-extents 3389;
    }
    on alpha {
        device /dev/drbd0;
        disk /dev/sdb;
        address 10.0.0.1:7789;
        meta-disk internal;
    }
    on bravo {
        device /dev/drbd0;
        disk /dev/sdb;
        address 10.0.0.2:7789;
        meta-disk internal;
    }
}
"""

MS_CRM = """node san-1
node san-2
primitive p_drbd ocf:linbit:drbd params drbd_resource=r0 \\
        op monitor interval=29s role=Master \\
        op monitor interval=31s role=Slave
ms ms_drbd p_drbd \\
        meta master-max=1 master-node-max=1 notify=true
primitive p_ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
colocation c_ip inf: p_ip ms_drbd:Master
order o_ip Mandatory: ms_drbd:promote p_ip:start
property cib-bootstrap-options: stonith-enabled=true
"""

MS_CIB = """<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="true"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="san-1"/>
      <node id="2" uname="san-2"/>
    </nodes>
    <resources>
      <master id="ms_drbd">
        <meta_attributes id="ms_drbd-meta_attributes">
          <nvpair id="ms_drbd-meta_attributes-master-max" name="master-max" value="1"/>
          <nvpair id="ms_drbd-meta_attributes-notify" name="notify" value="true"/>
        </meta_attributes>
        <primitive id="p_drbd" class="ocf" provider="linbit" type="drbd">
          <instance_attributes id="p_drbd-instance_attributes">
            <nvpair id="p_drbd-instance_attributes-drbd_resource" name="drbd_resource" value="r0"/>
          </instance_attributes>
          <operations>
            <op id="p_drbd-monitor-29s" name="monitor" interval="29s" role="Promoted"/>
          </operations>
        </primitive>
      </master>
    </resources>
    <constraints/>
  </configuration>
  <status/>
</cib>
"""


def run(*args: str) -> str:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert r.exit_code in (0, 1), r.output
    return r.output


def fixed_and_migrated(tmp_path: Path, files: dict[str, str], name: str, select: str, migrator: str,
                       settings: str) -> tuple[bytes, bytes]:
    sites = []
    for kind in ("fix", "migrate"):
        site = tmp_path / kind
        for rel, text in files.items():
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_text(text)
        (site / ".sanlint.toml").write_text(f"[tool.sanlint]\n{settings}\n")
        sites.append(site)
    run("check", "--config", str(sites[0] / ".sanlint.toml"), "--select", select, "--fix", "--no-backup",
        str(sites[0]))
    run("migrate", migrator, "--write", "--no-backup", str(sites[1]))
    return (sites[0] / name).read_bytes(), (sites[1] / name).read_bytes()


def test_drbd120_fix_and_migrate_drbd84_write_the_same_bytes(tmp_path):
    rel = "alpha/etc/drbd.d/r0.res"
    fixed, migrated = fixed_and_migrated(tmp_path, {rel: SYNCER, "bravo/etc/drbd.d/r0.res": SYNCER}, rel,
                                         "DRBD120", "drbd-84", 'drbd-version = "8.4"')
    assert fixed == migrated
    assert b"syncer" not in fixed and b"resync-rate 40M;" in fixed and b"verify-alg sha1;   # checked weekly" in fixed


def test_pcmk113_fix_and_migrate_pacemaker2_write_the_same_bytes_crm(tmp_path):
    fixed, migrated = fixed_and_migrated(tmp_path, {"cluster.crm": MS_CRM}, "cluster.crm", "PCMK113",
                                         "pacemaker-2", 'pacemaker-version = "2.1"')
    assert fixed == migrated
    assert b"clone ms_drbd p_drbd" in fixed and b"promoted-max=1" in fixed and b"role=Promoted" in fixed
    assert b"colocation c_ip inf: p_ip ms_drbd:Promoted" in fixed


def test_pcmk113_fix_and_migrate_pacemaker2_write_the_same_bytes_cib(tmp_path):
    fixed, migrated = fixed_and_migrated(tmp_path, {"cib.xml": MS_CIB}, "cib.xml", "PCMK113",
                                         "pacemaker-2", 'pacemaker-version = "2.1"')
    assert fixed == migrated
    assert b"<clone id=\"ms_drbd\">" in fixed and b'name="promoted-max"' in fixed


def test_pcmk111_fix_shows_what_migrate_pacemaker2_writes(tmp_path):
    text = "primitive vg ocf:heartbeat:LVM params volgrpname=vgsan exclusive=true op monitor interval=10s\n"
    site = tmp_path / "s"
    site.mkdir()
    (site / "cluster.crm").write_text(text)
    from sanlint.api import check
    from sanlint.fixes import apply_edits

    (finding,) = [f for f in check([str(site)]).findings if f.code == "PCMK111"]
    assert finding.fix.needs_choice  # --diff lists it, never as a hunk (tests/test_fix_loop.py)
    offered = apply_edits(text.encode(), finding.fix.edits).decode()
    run("migrate", "pacemaker-2", "--write", "--no-backup", str(site))
    migrated = (site / "cluster.crm").read_text()
    assert offered == migrated
    assert "vg_access_mode=CHOOSE-system_id-tagging-or-lvmlockd activation_mode=exclusive" in migrated
