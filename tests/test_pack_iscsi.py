"""The iSCSI pack (ISCSI101-113) across front ends (ietd + initiators.allow,
tgt, LIO saveconfig.json, cluster resources in crm text and CIB XML), exact
fixes, and agreement with the real tools: tgt-admin (binds ALL without an
initiator-address, never puts a backing store on LUN 0) and the
iSCSILogicalUnit agent's own validate action (refuses lun 0 with tgt)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.api import check
from sanlint.fixes import apply_edits
from sanlint_rules.iscsi import _common as C

SEED = FIXTURES / "sites" / "seed"
IQN = "iqn.2020-01.com.example:cl1"
RES = """resource r0 {
  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""
MODERN_LVM = """devices {
    global_filter = [ "a|^/dev/drbd.*|", "r|.*|" ]
}
global {
    use_lvmetad = 0
    system_id_source = "uname"
}
activation {
    auto_activation_volume_list = [ "vgroot" ]
}
"""
MODERN_CRM = f"""node san-1
node san-2
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
primitive p_vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id
primitive p_target ocf:heartbeat:iSCSITarget \\
        params iqn="{IQN}" implementation="lio-t" portals="172.16.50.20:3260" allowed_initiators="iqn.2020-01.com.example:init1" incoming_username="sanuser" incoming_password="s3cretPassw0rd"
primitive p_lu1 ocf:heartbeat:iSCSILogicalUnit \\
        params target_iqn="{IQN}" implementation="lio-t" lun="1" path="/dev/vgsan/lun0" allowed_initiators="iqn.2020-01.com.example:init1"
primitive p_lu2 ocf:heartbeat:iSCSILogicalUnit \\
        params target_iqn="{IQN}" implementation="lio-t" lun="2" path="/dev/vgsan/lun1" allowed_initiators="iqn.2020-01.com.example:init1"
group g_iscsi p_vg p_target p_lu1 p_lu2
ms ms_drbd_r0 p_drbd_r0 meta notify=true
colocation c_iscsi inf: g_iscsi ms_drbd_r0:Master
order o_iscsi inf: ms_drbd_r0:promote g_iscsi:start
"""

CIB = """<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="san-1"/>
      <node id="2" uname="san-2"/>
    </nodes>
    <resources>
      <group id="g_iscsi">
        <primitive id="p_target" class="ocf" provider="heartbeat" type="iSCSITarget">
          <instance_attributes id="p_target-instance_attributes">
            <nvpair id="p_target-instance_attributes-iqn" name="iqn" value="{iqn}"/>
          </instance_attributes>
        </primitive>
        <primitive id="p_lu0" class="ocf" provider="heartbeat" type="iSCSILogicalUnit">
          <instance_attributes id="p_lu0-instance_attributes">
            <nvpair id="p_lu0-instance_attributes-target_iqn" name="target_iqn" value="{iqn}"/>
            <nvpair id="p_lu0-instance_attributes-implementation" name="implementation" value="tgt"/>
            <nvpair id="p_lu0-instance_attributes-tgt_bstype" name="tgt_bstype" value="aio"/>
            <nvpair id="p_lu0-instance_attributes-lun" name="lun" value="0"/>
            <nvpair id="p_lu0-instance_attributes-path" name="path" value="/dev/vgsan/lun0"/>
          </instance_attributes>
        </primitive>
      </group>
    </resources>
    <constraints/>
  </configuration>
</cib>
""".replace("{iqn}", IQN)


def site(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def base(extra: dict[str, str] | None = None, crm: str | None = MODERN_CRM) -> dict[str, str]:
    files = {}
    for h in ("san-1", "san-2"):
        files[f"{h}/etc/drbd.d/r0.res"] = RES
        files[f"{h}/etc/lvm/lvm.conf"] = MODERN_LVM
        files[f"{h}/etc/lvm/backup/vgsan"] = (SEED / "san-1/etc/lvm/backup/vgsan").read_text()
    if crm is not None:
        files["cluster.crm"] = crm
    files.update(extra or {})
    return files


def run(tmp_path, files, prefix="ISCSI"):
    return [f for f in check([str(site(tmp_path, files))]).findings if f.code.startswith(prefix)]


def codes(fs):
    return sorted((f.code, Path(f.path).name, f.line) for f in fs)


def fixed_text(f) -> str:
    return apply_edits(f.fix.edits[0].file.data, f.fix.edits).decode()


def lio_json(gen_acls=0, acls=(), chap=None, plugin="block", dev="/dev/vgsan/lun0", index=1):
    tpg = {"tag": 1, "enable": True, "attributes": {"generate_node_acls": gen_acls}, "parameters": {},
           "portals": [{"ip_address": "0.0.0.0", "port": 3260}],
           "luns": [{"index": index, "storage_object": f"/backstores/{plugin}/lun0"}],
           "node_acls": [dict({"node_wwn": a, "mapped_luns": []},
                              **({"chap_userid": chap[0], "chap_password": chap[1]} if chap else {})) for a in acls]}
    so = {"plugin": plugin, "name": "lun0", "dev": dev, "attributes": {}}
    return json.dumps({"storage_objects": [so], "targets": [{"fabric": "iscsi", "wwn": "iqn.2020-01.com.example:lio1",
                                                             "tpgs": [tpg]}]}, indent=2)


# -- seed and modern site ------------------------------------------------------------------

def test_seed_gives_exactly_the_expected_iscsi_findings():
    fs = [f for f in check([str(SEED)]).findings if f.code.startswith("ISCSI")]
    got = sorted((f.code, f.host, f.line) for f in fs)
    # the seed's `Type=fileio` LUNs are write-through (no IOMode=wb: IET syncs each write), so no ISCSI106
    want = sorted([(c, h, 1) for c in ("ISCSI104", "ISCSI105") for h in ("san-1", "san-2")])
    assert got == want


def test_seed_gives_nothing_else_from_the_packs():
    fs = [f for f in check([str(SEED)]).findings if f.code.startswith(("ISCSI", "LVM"))]
    assert {f.code for f in fs} == {"ISCSI104", "ISCSI105", "LVM106"}


def test_modern_lio_site_is_silent(tmp_path):
    fs = [f for f in check([str(site(tmp_path, base()))]).findings if f.code.startswith(("ISCSI", "LVM"))]
    assert fs == [], [f"{f.code} {f.message}" for f in fs]


# -- the all-targets view ---------------------------------------------------------------------

def test_all_targets_combines_hosts_and_cluster(tmp_path):
    from sanlint.site import build
    s, _ = build([str(site(tmp_path, base({"san-1/etc/ietd.conf": "Target iqn.2014-02.x.y:t\n  Lun 0 Path=/dev/drbd0,Type=blockio\n"})))],
                 None, {}, None)
    views = C.all_targets(s)
    assert sorted((t.stack, t.name) for t in views) == [("cluster", IQN), ("ietd", "iqn.2014-02.x.y:t")]
    cl = next(t for t in views if t.stack == "cluster")
    assert [(lun.number, lun.path, lun.io_type) for lun in cl.luns] == [(1, "/dev/vgsan/lun0", "blockio"),
                                                                         (2, "/dev/vgsan/lun1", "blockio")]


@pytest.mark.parametrize("name, ok", [
    ("iqn.2014-02.santnet.sante:target1", True), ("iqn.2003-01.org.linux-iscsi.host:sn.1234", True),
    ("IQN.2014-02.Example.COM:Disk", True), ("eui.02004567A425678D", True), ("naa.52004567BA64678D", True),
    ("iqn.2014-13.santnet:x", False), ("iqn.14-02.santnet:x", False), ("iqn.2014-02.santnet:my_disk", False),
    ("iqn.2014-02:x", False), ("eui.123", False), ("target1", False),
])
def test_iscsi_names(name, ok):
    assert (C.name_problem(name) is None) == ok


# -- per rule, per front end -------------------------------------------------------------------

def test_iscsi101_every_front_end(tmp_path):
    fs = run(tmp_path, base({
        "san-1/etc/ietd.conf": "Target iqn.2014-13.x.y:t\n  IncomingUser u s3cretPassw0rd\n  Lun 0 Path=/dev/drbd0,Type=blockio\n",
        "san-1/etc/initiators.allow": "iqn.2014-13.x.y:t 10.0.0.0/8, iqn.2020-01.com.example:bad_name\n",
        "san-2/etc/tgt/targets.conf": "<target iqn.2014-02.x.y:t2>\n  backing-store /dev/drbd0\n  bs-type aio\n"
                                      "  initiator-name iqn.2020-01.com.example:bad_name\n  incominguser u s3cretPassw0rd\n</target>\n",
        "san-2/etc/target/saveconfig.json": lio_json(acls=["iqn.2020-01.com.example:bad_name"], chap=("u", "s3cretPassw0rd")),
    }, crm=MODERN_CRM.replace('allowed_initiators="iqn.2020-01.com.example:init1" incoming', 'allowed_initiators="iqn.2020-1.com.example:init1" incoming')))
    got = {(Path(f.path).name) for f in fs if f.code == "ISCSI101"}
    assert got == {"ietd.conf", "initiators.allow", "targets.conf", "saveconfig.json", "cluster.crm"}


def test_iscsi102_raw_disk_backing_disk_and_local_vg(tmp_path):
    local = (SEED / "san-1/etc/lvm/backup/vgsan").read_text().replace("vgsan", "vglocal").replace('"/dev/drbd0"', '"/dev/sda3"')
    fs = run(tmp_path, base({
        "san-1/etc/ietd.conf": "Target iqn.2014-02.x.y:t\n  Lun 0 Path=/dev/sdc,Type=blockio\n  Lun 1 Path=/dev/sdb,Type=blockio\n"
                               "  Lun 2 Path=/dev/vglocal/lun0,Type=blockio\n  Lun 3 Path=/dev/vgunknown/x,Type=blockio\n"
                               "  Lun 4 Path=/dev/drbd/by-res/r0/0,Type=blockio\n",
        "san-1/etc/lvm/backup/vglocal": local,
    }))
    assert [(f.line, re.search(r"backed by (\S+)", f.message)[1]) for f in fs if f.code == "ISCSI102"] == \
        [(2, "/dev/sdc,"), (3, "/dev/sdb,"), (4, "/dev/vglocal/lun0,")]


def test_iscsi103_duplicate_tgt_lun_and_target_names(tmp_path):
    tgt = ("<target iqn.2014-02.x.y:t>\n  <backing-store /dev/drbd0>\n    lun 3\n  </backing-store>\n"
           "  <backing-store /dev/drbd1>\n    lun 3\n  </backing-store>\n  bs-type aio\n</target>\n")
    fs = run(tmp_path, base({"san-1/etc/tgt/targets.conf": tgt}))
    assert [f.code for f in fs if f.code == "ISCSI103"] == ["ISCSI103"]


def test_iscsi104_ietd_allow_semantics(tmp_path):
    ietd = "Target iqn.2014-02.x.y:t\n  IncomingUser u s3cretPassw0rd\n  Lun 0 Path=/dev/drbd0,Type=blockio\n"
    for i, (allow, fires) in enumerate([(None, True), ("iqn.2014-02.x.y:t ALL\n", True),
                                        ("iqn.2014-02.x.y:t 10.0.0.0/8\n", False), ("ALL 10.0.0.0/8\n", False),
                                        ("/x\\.y/ 10.0.0.1\n", False), ("iqn.2014-02.other:t 10.0.0.1\n", True)]):
        files = base({"san-1/etc/ietd.conf": ietd})
        if allow:
            files["san-1/etc/initiators.allow"] = allow
        got = [f for f in run(tmp_path / str(i), files) if f.code == "ISCSI104"]
        assert bool(got) == fires, allow


def test_iscsi104_lio_and_cluster(tmp_path):
    fs = run(tmp_path / "a", base({"san-1/etc/target/saveconfig.json": lio_json(gen_acls=1, chap=None)}))
    assert [Path(f.path).name for f in fs if f.code == "ISCSI104"] == ["saveconfig.json"]
    tgt_impl = MODERN_CRM.replace('implementation="lio-t" portals="172.16.50.20:3260" allowed_initiators="iqn.2020-01.com.example:init1" ',
                                  'implementation="tgt" tid="1" ', 1)
    fs = run(tmp_path / "b", base(crm=tgt_impl))
    assert [f.code for f in fs if f.code == "ISCSI104"] == ["ISCSI104"]


def test_iscsi105_lengths_and_lio_impl(tmp_path):
    crm = MODERN_CRM.replace('incoming_password="s3cretPassw0rd"', 'incoming_password="this-is-far-too-long-a-secret"')
    fs = run(tmp_path / "a", base(crm=crm))
    assert len([f for f in fs if f.code == "ISCSI105"]) == 1
    assert "this-is-far" not in fs[0].message  # never print a secret
    crm = MODERN_CRM.replace('implementation="lio-t"', 'implementation="lio"')
    fs = run(tmp_path / "b", base(crm=crm))
    assert any("disables authentication" in f.message for f in fs if f.code == "ISCSI105")


def test_iscsi106_fixes_per_front_end(tmp_path):
    fs = run(tmp_path, base({
        "san-1/etc/ietd.conf": "Target iqn.2014-02.x.y:t\n  IncomingUser u s3cretPassw0rd\n  Lun 0 Path=/dev/drbd0,Type=fileio,IOMode=wb\n"
                                "  Lun 1 Path=/dev/drbd1,IOMode=wb\n  Lun 2 Path=/dev/drbd2,Type=fileio\n",
        "san-1/etc/initiators.allow": "ALL 10.0.0.0/8\n",
        "san-2/etc/tgt/targets.conf": "<target iqn.2014-02.x.y:t2>\n  backing-store /dev/drbd0\n  bs-type rdwr\n"
                                      "  initiator-address 10.0.0.0/8\n  incominguser u s3cretPassw0rd\n</target>\n",
        # rtslib restores a fileio object without write_back as write-through (FileIOStorageObject write_back=False)
        "san-2/etc/target/saveconfig.json": lio_json(acls=["iqn.2020-01.com.example:i"], chap=("u", "s3cretPassw0rd"),
                                                     plugin="fileio").replace('"attributes": {}', '"write_back": true,\n      "attributes": {}'),
    }, crm=MODERN_CRM.replace('implementation="lio-t" lun="2"', 'implementation="lio-t" liot_bstype="fileio" lun="2"')))
    by = {(Path(f.path).name, f.line): f for f in fs if f.code == "ISCSI106"}
    assert sorted(by) == [("cluster.crm", 9), ("ietd.conf", 3), ("ietd.conf", 4), ("saveconfig.json", 4),
                          ("targets.conf", 3)]
    assert all(not f.fix.safe for f in by.values() if f.fix)
    assert "Lun 0 Path=/dev/drbd0,Type=blockio,IOMode=wb\n" in fixed_text(by[("ietd.conf", 3)])
    assert "Lun 1 Path=/dev/drbd1,IOMode=wb,Type=blockio\n" in fixed_text(by[("ietd.conf", 4)])
    assert "  bs-type aio\n" in fixed_text(by[("targets.conf", 3)])
    assert 'liot_bstype="block"' in fixed_text(by[("cluster.crm", 9)])
    assert by[("saveconfig.json", 4)].fix is None


def test_iscsi106_regular_file_and_no_failover(tmp_path):
    fs = run(tmp_path, {"san-1/etc/ietd.conf": "Target iqn.2014-02.x.y:t\n  Lun 0 Path=/dev/sdb,Type=fileio\n"})
    assert not [f for f in fs if f.code == "ISCSI106"]  # a lone target host is not a failover SAN


def test_iscsi107_mapper_path(tmp_path):
    crm = MODERN_CRM.replace('path="/dev/vgsan/lun1"', 'path="/dev/mapper/vgsan-lun--9"')
    fs = run(tmp_path, base(crm=crm))
    assert [(f.code, f.line) for f in fs] == [("ISCSI107", 9)]
    assert "lun-9" in fs[0].message


def test_iscsi108_lio_static_and_cluster(tmp_path):
    crm = MODERN_CRM.replace(IQN, "iqn.2020-01.com.example:lio1")
    fs = run(tmp_path, base({"san-1/etc/target/saveconfig.json": lio_json(acls=["iqn.2020-01.com.example:i"],
                                                                             chap=("u", "s3cretPassw0rd"))}, crm=crm))
    assert [(f.code, Path(f.path).name) for f in fs] == [("ISCSI108", "saveconfig.json")]


def test_iscsi110_constraints(tmp_path):
    crm = MODERN_CRM.replace("group g_iscsi p_vg p_target p_lu1 p_lu2", "group g_iscsi p_vg p_target p_lu1")
    assert [f.message.split(":")[0] for f in run(tmp_path / "a", base(crm=crm)) if f.code == "ISCSI110"] == \
        ["iSCSILogicalUnit p_lu2 is not ordered after and colocated with its target resource p_target"]
    ordered = crm + "order o_lu2 inf: p_target p_lu2\n"
    assert [f.code for f in run(tmp_path / "b", base(crm=ordered))] == ["ISCSI110"]
    both = ordered + "colocation c_lu2 inf: p_lu2 g_iscsi\n"
    assert run(tmp_path / "c", base(crm=both)) == []
    advisory = crm + "order o_lu2 0: p_target p_lu2\ncolocation c_lu2 inf: p_lu2 p_target\n"
    assert [f.code for f in run(tmp_path / "d", base(crm=advisory))] == ["ISCSI110"]


def test_iscsi111_lu_differs_from_target(tmp_path):
    crm = MODERN_CRM.replace('implementation="lio-t" lun="2"', 'implementation="lio" lun="2"')
    fs = run(tmp_path, base({"san-1/etc/target/saveconfig.json": lio_json(acls=["iqn.2020-01.com.example:i"],
                                                                            chap=("u", "s3cretPassw0rd"))}, crm=crm))
    assert [(f.code, f.line) for f in fs if f.code == "ISCSI111"] == [("ISCSI111", 10)]


# -- cluster resources as CIB XML ----------------------------------------------------------

def _cib_findings(tmp_path, cib=CIB):
    pytest.importorskip("sanlint.parsers.cib")
    files = base({"cib.xml": cib}, crm=None)
    files.update({f"{h}/etc/tgt/targets.conf": "default-driver iscsi\n" for h in ("san-1", "san-2")})
    return run(tmp_path, files)


def test_cib_front_end_tgt_lun0_and_implementation(tmp_path):
    fs = _cib_findings(tmp_path)
    got = {f.code: f for f in fs}
    assert set(got) >= {"ISCSI104", "ISCSI105", "ISCSI112", "ISCSI113"}
    assert 'name="lun" value="1"' in fixed_text(got["ISCSI112"])
    f113 = got["ISCSI113"]
    assert not f113.fix.safe and not f113.fix.needs_choice
    assert ('<instance_attributes id="p_target-instance_attributes">\n'
            '            <nvpair id="p_target-instance_attributes-implementation" name="implementation" value="tgt"/>\n'
            '            <nvpair id="p_target-instance_attributes-iqn"') in fixed_text(f113)


# -- fixes (crm) -------------------------------------------------------------------------------

def test_iscsi112_fix_picks_a_free_lun(tmp_path):
    crm = MODERN_CRM.replace('implementation="lio-t"', 'implementation="tgt"').replace(
        'portals="172.16.50.20:3260" ', 'tid="1" ').replace('lun="2"', 'lun="0" tgt_bstype="aio"').replace(
        'lun="1"', 'lun="1" tgt_bstype="aio"')
    files = base({f"{h}/etc/tgt/targets.conf": "default-driver iscsi\n" for h in ("san-1", "san-2")}, crm=crm)
    fs = [f for f in run(tmp_path, files) if f.code == "ISCSI112"]
    assert len(fs) == 1 and not fs[0].fix.safe
    assert 'lun="2" tgt_bstype="aio" path="/dev/vgsan/lun1"' in fixed_text(fs[0])


def test_iscsi113_choice_when_hosts_show_no_stack(tmp_path):
    crm = MODERN_CRM.replace('implementation="lio-t" portals', "portals")
    fs = [f for f in run(tmp_path, base(crm=crm)) if f.code == "ISCSI113"]
    assert len(fs) == 1 and fs[0].fix.needs_choice
    assert 'params implementation=CHOOSE-iet-tgt-lio-or-lio-t iqn="' in fixed_text(fs[0])


# -- oracles: tgt-admin and the resource agent ---------------------------------------------------

@pytest.mark.oracle
def test_tgt_admin_binds_all_exactly_when_iscsi104_fires(tmp_path):
    exe = need("tgt-admin")
    for n in ("a", "b", "c"):
        (tmp_path / f"{n}.img").write_bytes(b"\0" * 4096)
    conf = (f"<target iqn.2014-02.x.y:open>\n  backing-store {tmp_path}/a.img\n  bs-type aio\n</target>\n"
            f"<target iqn.2014-02.x.y:closed>\n  backing-store {tmp_path}/b.img\n  bs-type aio\n"
            f"  initiator-address 10.0.0.0/8\n</target>\n"
            f"<target iqn.2014-02.x.y:byname>\n  backing-store {tmp_path}/c.img\n  bs-type aio\n"
            f"  initiator-name iqn.2020-01.com.example:i1\n</target>\n")
    path = tmp_path / "targets.conf"
    path.write_text(conf)
    out = subprocess.run([exe, "--conf", str(path), "-e", "-p"], capture_output=True, text=True, timeout=60).stdout
    tids = {m[2]: m[1] for m in re.finditer(r"--op new --mode target --tid (\d+) -T (\S+)", out)}
    # tgtd checks the address ACL and the initiator-name ACL both (an empty name ACL
    # passes), so a target bound to `-I ALL` without any `-Q NAME` admits everyone
    open_tids = set(re.findall(r"--op bind --mode target --tid (\d+) -I ALL", out))
    open_tids -= set(re.findall(r"--op bind --mode target --tid (\d+) -Q \S+", out))
    tool_open = {name for name, tid in tids.items() if tid in open_tids}
    fs = run(tmp_path / "site", {"san-1/etc/tgt/targets.conf": conf})
    sanlint_open = {re.search(r"target (\S+)", f.message)[1] for f in fs if f.code == "ISCSI104"}
    assert tool_open == sanlint_open == {"iqn.2014-02.x.y:open"}


@pytest.mark.oracle
def test_tgt_admin_never_uses_lun0_for_a_backing_store(tmp_path):
    exe = need("tgt-admin")
    stores = [tmp_path / f"{n}.img" for n in "abc"]
    for s in stores:
        s.write_bytes(b"\0" * 4096)
    conf = "<target iqn.2014-02.x.y:t>\n" + "".join(f"  backing-store {s}\n" for s in stores) + "</target>\n"
    (tmp_path / "t.conf").write_text(conf)
    out = subprocess.run([exe, "--conf", str(tmp_path / "t.conf"), "-e", "-p"], capture_output=True, text=True,
                         timeout=60).stdout
    luns = sorted(int(n) for n in re.findall(r"--mode logicalunit --tid \d+ --lun (\d+)", out))
    assert luns == [1, 2, 3]


def _agent_validate(lun: str, implementation: str) -> subprocess.CompletedProcess:
    exe = need("crm_resource")
    if not Path("/usr/lib/ocf/resource.d/heartbeat/iSCSILogicalUnit").exists():
        need("/usr/lib/ocf/resource.d/heartbeat/iSCSILogicalUnit")
    # validate-all only reads its parameters and checks binaries: it creates nothing
    return subprocess.run([exe, "--validate", "--class", "ocf", "--provider", "heartbeat", "--agent",
                           "iSCSILogicalUnit", "--option", f"implementation={implementation}", "--option", f"lun={lun}",
                           "--option", f"target_iqn={IQN}", "--option", "path=/dev/null"],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.oracle
@pytest.mark.parametrize("lun, impl", [("0", "tgt"), ("1", "tgt"), ("0", "iet")])
def test_agent_refuses_lun0_with_tgt_exactly_when_iscsi112_fires(tmp_path, lun, impl):
    res = _agent_validate(lun, impl)
    refused = "Invalid LUN" in res.stdout + res.stderr
    crm = (f'primitive p_t ocf:heartbeat:iSCSITarget params iqn="{IQN}" implementation={impl} tid=1 '
           f'allowed_initiators=10.0.0.1 incoming_username=u incoming_password=s3cretPassw0rd\n'
           f'primitive p_lu ocf:heartbeat:iSCSILogicalUnit params target_iqn="{IQN}" implementation={impl} lun={lun} '
           f'path=/dev/null\ngroup g p_t p_lu\n')
    fs = run(tmp_path, {"cluster.crm": crm})
    assert refused == any(f.code == "ISCSI112" for f in fs)
