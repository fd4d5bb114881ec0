"""The LVM pack (LVM101-106): filter semantics, per-rule behaviour, exact
fixes, and agreement with lvm2 itself (`pvs` refuses the same malformed
filters that LVM105 reports; `lvmconfig` reads the same filter values)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.api import check
from sanlint.fixes import apply_edits
from sanlint.parsers import lvm as lvm_parser
from sanlint.source import SourceFile
from sanlint_rules.lvm import _common as C

SEED = FIXTURES / "sites" / "seed"
RES = """resource r0 {
  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""
CRM = """node san-1
node san-2
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
primitive p_vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id
"""
MODERN_LVM = """devices {
    global_filter = [ "a|^/dev/drbd.*|", "a|^/dev/sda[0-9]*$|", "r|.*|" ]
}
global {
    use_lvmetad = 0
    system_id_source = "uname"
}
activation {
    auto_activation_volume_list = [ "vgroot" ]
}
"""


def site(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def lvm_site(tmp_path, lvm_conf, crm=CRM, hosts=("san-1", "san-2")):
    files = {"cluster.crm": crm}
    for h in hosts:
        files[f"{h}/etc/drbd.d/r0.res"] = RES
        files[f"{h}/etc/lvm/lvm.conf"] = lvm_conf
        files[f"{h}/etc/lvm/backup/vgsan"] = (SEED / "san-1/etc/lvm/backup/vgsan").read_text()
    return site(tmp_path, files)


def findings(path, prefix="LVM"):
    return [f for f in check([str(path)]).findings if f.code.startswith(prefix)]


def fixed_text(f) -> str:
    data = f.fix.edits[0].file.data
    return apply_edits(data, f.fix.edits).decode()


# -- filter semantics --------------------------------------------------------------

@pytest.mark.parametrize("entry, accept, regex", [
    ("a|/dev/drbd.*|", True, "/dev/drbd.*"),
    ("r/sd[a-c]/", False, "sd[a-c]"),
    ("a(/dev/drbd.*)", True, "/dev/drbd.*"),
    ("r{x}", False, "x"),
    ("a#^/dev/md#", True, "^/dev/md"),
])
def test_split_entry_any_delimiter(entry, accept, regex):
    assert C.split_entry(entry) == (accept, regex)


@pytest.mark.parametrize("entry", ["x|foo|", "r|.*", "a", "a|", "a||", "a|*x|", "a|(?i)x|", "a|/dev/sd[a-|",
                                   "a|/dev/drbd(.*|", "a|x)|"])
def test_entries_lvm_refuses(entry):
    with pytest.raises(ValueError):
        C.split_entry(entry) and C.to_python_regex(C.split_entry(entry)[1])


def test_translation_keeps_libdm_meaning():
    import re
    assert re.search(C.to_python_regex("x{2}"), "x{2}")  # no intervals in libdm: literal braces
    assert re.search(C.to_python_regex("a**"), "aaa")  # repeated repetition is accepted
    assert re.search(C.to_python_regex("[[:digit:]]+$"), "/dev/sda12")
    assert not re.search(C.to_python_regex("^/dev/sd[^a]"), "/dev/sda")


def _filter(text):
    cfg = lvm_parser.parse(SourceFile.from_text("lvm.conf", "devices {\n    filter = " + text + "\n}\n"))
    flt, problems = C.compile_filter(cfg.get("devices/filter"))
    assert not problems
    return flt


def test_first_matching_entry_decides_and_unmatched_is_accepted():
    flt = _filter('[ "a|/dev/drbd.*|", "r|/dev/sd.*|" ]')
    assert flt.accepts(["/dev/drbd0"])
    assert not flt.accepts(["/dev/sdb"])
    assert flt.accepts(["/dev/vdb"])  # no entry matches: accepted
    flt = _filter('[ "r|.*|", "a|/dev/drbd.*|" ]')
    assert not flt.accepts(["/dev/drbd0"])  # the reject comes first


def test_any_accepted_alias_accepts_the_device():
    flt = _filter('[ "a|/dev/drbd/by-res/|", "r|.*|" ]')
    assert flt.accepts(["/dev/drbd0", "/dev/drbd/by-res/r0/0"])
    assert not flt.accepts(["/dev/drbd0"])


# -- the seed and a clean modern site --------------------------------------------------

def test_seed_gives_exactly_lvm106_per_host():
    got = sorted((f.code, f.host) for f in findings(SEED))
    assert got == [("LVM106", "san-1"), ("LVM106", "san-2")]


def test_modern_site_is_silent(tmp_path):
    assert findings(lvm_site(tmp_path, MODERN_LVM)) == []


# -- rules ------------------------------------------------------------------------

def test_lvm101_fires_per_host_and_fix_inserts_drbd_accept(tmp_path):
    conf = 'devices {\n    filter = [ "a|/dev/sd.*|", "r|.*|" ]\n}\n'
    fs = [f for f in findings(lvm_site(tmp_path, conf)) if f.code == "LVM101"]
    assert sorted(f.host for f in fs) == ["san-1", "san-2"]
    assert "/dev/drbd0" in fs[0].message and "vgsan" in fs[0].message
    assert not fs[0].fix.safe
    assert fixed_text(fs[0]) == 'devices {\n    filter = [ "a|^/dev/drbd.*|", "a|/dev/sd.*|", "r|.*|" ]\n}\n'


def test_lvm101_global_filter_and_by_res_alias(tmp_path):
    conf = 'devices {\n    global_filter = [ "a|/dev/drbd/by-res/.*|", "r|.*|" ]\n}\n'
    assert not [f for f in findings(lvm_site(tmp_path / "a", conf)) if f.code == "LVM101"]
    conf = 'devices {\n    global_filter = [ "r|/dev/drbd.*|" ]\n}\n'
    fs = [f for f in findings(lvm_site(tmp_path / "b", conf)) if f.code == "LVM101"]
    assert len(fs) == 2 and "global_filter" in fs[0].message


def test_lvm102_backing_disk_accepted_without_final_reject(tmp_path):
    conf = 'devices {\n    filter = [ "a|^/dev/drbd.*|" ]\n}\n'
    fs = [f for f in findings(lvm_site(tmp_path, conf)) if f.code == "LVM102"]
    assert sorted(f.host for f in fs) == ["san-1", "san-2"]
    assert "/dev/sdb" in fs[0].message
    assert fixed_text(fs[0]) == 'devices {\n    filter = [ "r|^/dev/sdb$|", "a|^/dev/drbd.*|" ]\n}\n'


def test_lvm102_no_filter_at_all(tmp_path):
    fs = [f for f in findings(lvm_site(tmp_path, "global {\n    umask = 077\n}\n")) if f.code == "LVM102"]
    assert len(fs) == 2 and fs[0].fix is None


def test_lvm102_silent_without_lvm_on_drbd(tmp_path):
    files = {"san-1/etc/drbd.d/r0.res": RES, "san-1/etc/lvm/lvm.conf": "devices {\n    filter = [ ]\n}\n"}
    assert not findings(site(tmp_path, files))


def test_lvm103_fix_sets_zero(tmp_path):
    conf = 'devices {\n    filter = [ "a|^/dev/drbd.*|", "r|.*|" ]\n    write_cache_state = 1\n}\n'
    fs = [f for f in findings(lvm_site(tmp_path, conf)) if f.code == "LVM103"]
    assert len(fs) == 2 and fs[0].fix.safe
    assert fixed_text(fs[0]) == conf.replace("write_cache_state = 1", "write_cache_state = 0")


def test_lvm104_only_filter_hides_backing_disk_from_lvmetad(tmp_path):
    conf = 'devices {\n    filter = [ "a|^/dev/drbd.*|", "r|.*|" ]\n}\nglobal {\n    use_lvmetad = 1\n}\n'
    fs = [f for f in findings(lvm_site(tmp_path / "a", conf)) if f.code == "LVM104"]
    assert len(fs) == 2 and not fs[0].fix.safe
    assert fixed_text(fs[0]) == conf.replace("use_lvmetad = 1", "use_lvmetad = 0")
    both = conf.replace("    filter", '    global_filter = [ "a|^/dev/drbd.*|", "r|.*|" ]\n    filter')
    assert not [f for f in findings(lvm_site(tmp_path / "b", both)) if f.code == "LVM104"]


def test_lvm105_each_bad_entry_and_other_rules_skip_the_filter(tmp_path):
    conf = 'devices {\n    filter = [ "a|^/dev/drbd.*|",\n        "x|y|",\n        "r|.*" ]\n}\n'
    fs = findings(lvm_site(tmp_path, conf, hosts=("san-1",)))
    assert sorted((f.code, f.line) for f in fs if f.code != "LVM106") == [("LVM105", 3), ("LVM105", 4)]


def test_lvm106_variants(tmp_path):
    base = 'devices {\n    filter = [ "a|^/dev/drbd.*|", "r|.*|" ]\n}\n'
    # system_id mode without system_id_source
    fs = [f for f in findings(lvm_site(tmp_path / "a", base)) if f.code == "LVM106"]
    assert len(fs) == 2 and "system_id_source" in fs[0].message
    # volume_list that lists the VG does not protect it; one that omits it does
    old = CRM.replace("ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id",
                      "ocf:heartbeat:LVM params volgrpname=vgsan")
    listed = base + 'activation {\n    volume_list = [ "vgroot", "vgsan" ]\n}\n'
    assert len([f for f in findings(lvm_site(tmp_path / "b", listed, old)) if f.code == "LVM106"]) == 2
    omitted = base + 'activation {\n    volume_list = [ "vgroot", "@san-1" ]\n}\n'
    assert not [f for f in findings(lvm_site(tmp_path / "c", omitted, old)) if f.code == "LVM106"]
    lockd = CRM.replace("vg_access_mode=system_id", "vg_access_mode=lvmlockd")
    assert not [f for f in findings(lvm_site(tmp_path / "d", base, lockd)) if f.code == "LVM106"]


# -- oracles: lvm2 -----------------------------------------------------------------------

def _pvs_refuses(tmp_path: Path, entries: list[str]) -> bool:
    exe = need("pvs")
    d = tmp_path / "lvmdir"
    d.mkdir(exist_ok=True)
    body = ", ".join('"' + e + '"' for e in entries)
    (d / "lvm.conf").write_text(f"devices {{\n    global_filter = [ {body} ]\n}}\n")
    env = dict(os.environ, LVM_SYSTEM_DIR=str(d), LVM_SUPPRESS_FD_WARNINGS="1")
    run = subprocess.run([exe, "--noheadings"], capture_output=True, text=True, timeout=60, env=env)
    return "regex device filter" in run.stderr or "Invalid filter pattern" in run.stderr


@pytest.mark.oracle
@pytest.mark.parametrize("entry", ["a|/dev/drbd.*|", "r|.*|", "a(/dev/drbd.*)", "a|x{2}|", "r|a**|",
                                   "a|[[:alpha:]]|", "r|.*", "x/foo/", "a||", "a|*x|", "a|(?i)x|",
                                   "a|/dev/sd[a-|", "a|/dev/drbd(.*|"])
def test_lvm105_agrees_with_pvs(tmp_path, entry):
    lvm_refuses = _pvs_refuses(tmp_path, [entry])
    try:
        C.to_python_regex(C.split_entry(entry)[1])
        sanlint_refuses = False
    except ValueError:
        sanlint_refuses = True
    assert sanlint_refuses == lvm_refuses


@pytest.mark.oracle
def test_lvmconfig_reads_the_same_filter(tmp_path):
    exe = need("lvmconfig")
    conf = FIXTURES / "rules" / "LVM105" / "bad" / "san-1" / "etc" / "lvm" / "lvm.conf"
    d = tmp_path / "lvmdir"
    d.mkdir()
    (d / "lvm.conf").write_text(conf.read_text())
    env = dict(os.environ, LVM_SYSTEM_DIR=str(d), LVM_SUPPRESS_FD_WARNINGS="1")
    run = subprocess.run([exe, "devices/filter"], capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 0  # the file is valid config: only the filter semantics are wrong (LVM105)
    cfg = lvm_parser.parse(SourceFile.from_text("lvm.conf", conf.read_text()))
    expected = "filter=[" + ",".join('"' + v + '"' for v in cfg.get("devices/filter").value) + "]"
    assert run.stdout.strip() == expected
