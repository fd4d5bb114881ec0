"""`iscsi-tgt` and `iscsi-lio` (migrations.md item 2), proven by the real tools.

* tgt output: `tgt-admin --conf OUT -e -p` (tgt's own Config::General reader,
  offline) must accept it and print the targets, LUNs (with the LUN 0
  renumbering), CHAP account binds and ACL binds the input had; sanlint's
  tgt parser reads it back to the same LUN paths, numbers, io types and
  write-cache settings.
* LIO output: saveconfig.json is checked against the keys and types
  rtslib-fb's `RTSRoot.restore()` reads (`RTSLIB_*` tables below, each with
  its source lines; a test re-derives the storage-object keys from the
  installed rtslib-fb source), and the targetcli script may only use
  commands and parameters of targetcli-fb's `ui_command_*` methods, derived
  from the installed targetcli-fb UI classes with `ast`.
* Cluster output: crm text loads with crmsh into an empty CIB
  (`CIB_file=... crm configure load update`, which checks agent parameters
  against the installed resource-agents metadata and runs crm_verify), CIB
  XML passes `crm configure verify` (same metadata check) and
  `crm_verify --xml-file`.
* A migrated site migrates to nothing (idempotence), checks clean of the
  iSCSI rules the migration is about, and no password appears in a reason,
  an item or a step.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from sanlint.fixes import apply_edits
from sanlint.migrate.base import MigrationPlan, registry
from sanlint.migrate.iscsi import TGT_FILE, LIO_FILE, LIO_SCRIPT, redact
from sanlint.parsers import lio as lio_parser
from sanlint.parsers import tgt as tgt_parser
from sanlint.site import build
from sanlint.source import SourceFile
from conftest import FIXTURES, need

OWN = FIXTURES / "migrate" / "iscsi"
SEED = FIXTURES / "sites" / "seed"
RTSLIB = Path("/usr/lib/python3/dist-packages/rtslib_fb")
TARGETCLI = Path("/usr/lib/python3/dist-packages/targetcli")
CONFIGSHELL = Path("/usr/lib/python3/dist-packages/configshell_fb")
ISCSI_RULES = ["ISCSI103", "ISCSI108", "ISCSI110", "ISCSI111", "ISCSI112", "ISCSI113"]


# -- running a migration into a directory ------------------------------------------------

def migrate(name: str, site_dir: Path, **choices: str):
    site, _ = build([str(site_dir)])
    return site, registry()[name](choices or None).plan(site)


def materialize(site, plan: MigrationPlan, src: Path, dest: Path) -> Path:
    """The migrated site under `dest`: a copy of `src` with the edits applied
    and the new files written under their host roots."""
    shutil.copytree(src, dest)
    per_file: dict[Path, list] = {}
    for e in plan.edits():
        per_file.setdefault(Path(e.file.path), []).append(e)
    for path, edits in per_file.items():
        out = dest / path.resolve().relative_to(src.resolve())
        out.write_bytes(apply_edits(edits[0].file.data, edits))
    for nf in plan.new_files():
        host = site.hosts.get(nf.host or "") if nf.host else next(iter(site.hosts.values()))
        root = host.root.resolve() if host is not None and host.root else src.resolve()
        out = dest / root.relative_to(src.resolve()) / nf.path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(nf.data)
    return dest


def host_root(tmp: Path, files: dict[str, Path | str]) -> Path:
    """A host root `tmp` holding `files` (relative path -> fixture path or text)."""
    for rel, content in files.items():
        p = tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content.read_text() if isinstance(content, Path) else content)
    return tmp


def new_file(plan: MigrationPlan, path: str, host: str | None = None) -> str:
    found = [nf for nf in plan.new_files() if nf.path == path and (host is None or nf.host == host)]
    assert found, f"no new file {path}"
    return found[0].data.decode()


def report_text(plan: MigrationPlan) -> str:
    parts = [c.reason for c in plan.changes] + [i.message + " " + (i.choice or "") for i in plan.items]
    parts += [" ".join(s.commands + s.caveats + [s.title]) for s in plan.steps]
    return "\n".join(parts)


def sites() -> list[tuple[str, Path, dict]]:
    return [("seed", SEED, {}), ("cib-site", OWN / "cib-site", {}), ("crm-nogroup", OWN / "crm-nogroup", {}),
            ("crm-ocf-iet", OWN / "crm-ocf-iet", {}), ("static-ietd", OWN / "static-ietd", {}),
            ("crm-tgtd", OWN / "crm-tgtd", {})]


def cases(kind: str) -> list[tuple[str, str]]:
    """(site, migrator) pairs: every ietd site with both migrators, the tgt site with iscsi-lio."""
    out = []
    for name, _, _ in sites():
        if kind == "crm" and name in ("cib-site", "static-ietd"):
            continue
        for m in ("iscsi-tgt", "iscsi-lio"):
            if name == "crm-tgtd" and m == "iscsi-tgt":
                continue
            out.append((name, m))
    return out


# -- tgt-admin ------------------------------------------------------------------------------

def tgt_admin(conf: Path) -> dict[str, set]:
    exe = need("tgt-admin")
    run = subprocess.run([exe, "--conf", str(conf), "-e", "-p"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Check your config file" not in run.stdout and "not supported" not in run.stdout, run.stdout
    assert "does not exist" not in run.stdout, run.stdout  # every backing store was staged
    found: dict[str, set] = {"targets": set(), "luns": set(), "accounts": set(), "acls": set(), "params": set(),
                             "lu_params": set()}
    for line in run.stdout.splitlines():
        if m := re.search(r"--op new --mode target --tid (\d+) -T (\S+)", line):
            found["targets"].add((int(m[1]), m[2]))
        elif m := re.search(r'--mode logicalunit --tid (\d+) --lun (\d+) -b "([^"]+)"(.*)', line):
            found["luns"].add((int(m[1]), int(m[2]), m[3], " ".join(m[4].split())))
        elif m := re.search(r"--mode account --op bind --tid=(\d+) --user=(\S+)( --outgoing)?", line):
            found["accounts"].add((int(m[1]), m[2], "outgoing" if m[3] else "incoming"))
        elif m := re.search(r"--op bind --mode target --tid (\d+) -([IQ]) (\S+)", line):
            found["acls"].add((int(m[1]), "name" if m[2] == "Q" else "address", m[3]))
        elif m := re.search(r"--mode target --op update --tid (\d+) --name (\S+) --value (\S+)", line):
            found["params"].add((int(m[1]), m[2], m[3]))
        elif m := re.search(r"--mode logicalunit --tid (\d+) --lun=(\d+) --params (\S+)", line):
            found["lu_params"].add((int(m[1]), int(m[2]), m[3]))
    return found


def staged(text: str, tmp: Path) -> tuple[str, dict[str, str]]:
    """The tgt file with every backing store replaced by a regular temp file
    (tgt-admin skips stores that do not exist); returns the map back."""
    back: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        p = m.group(1)
        f = tmp / ("bs-" + re.sub(r"[^A-Za-z0-9]", "_", p))
        f.write_bytes(b"\0" * 4096)
        back[str(f)] = p
        return m.group(0).replace(p, str(f))

    return re.sub(r"<backing-store (\S+)>", repl, text), back


def ietd_expectations(site, host: str | None = None) -> list:
    h = site.hosts[host] if host else next(iter(site.hosts.values()))
    return [t for c in h.iscsi if c.stack == "ietd" for t in c.targets]


def check_tgt_output(site, plan, tmp: Path, host: str | None = None, lun0: str = "first-free") -> dict[str, set]:
    text = new_file(plan, TGT_FILE, host)
    conf, back = staged(text, tmp)
    (tmp / "out.conf").write_text(conf)
    got = tgt_admin(tmp / "out.conf")
    ietd = ietd_expectations(site, host)
    tids = {name: i for i, name in enumerate(sorted(t.name for t in ietd), 1)}
    assert got["targets"] == {(tids[t.name], t.name) for t in ietd}
    # LUNs: every ietd LUN, same path, numbered >= 1; LUN 0 moved as chosen
    luns = {(tid, n, back[p]) for tid, n, p, _ in got["luns"]}
    want = set()
    for t in ietd:
        numbers = {lun.number for lun in t.luns}
        free = next(n for n in range(1, len(numbers) + 2) if n not in numbers)
        for lun in t.luns:
            if 0 in numbers and lun0 == "shift":
                n = lun.number + 1
            else:
                n = free if lun.number == 0 else lun.number
            want.add((tids[t.name], n, lun.path))
    assert luns == want
    assert all(n >= 1 for _, n, _ in luns)
    # backing-store types: ietd fileio -> rdwr (page cache), blockio -> aio (O_DIRECT)
    for tid, n, p, extra in got["luns"]:
        lun = next(l for t in ietd for l in t.luns if l.path == back[p] and tids[t.name] == tid)
        assert ("--bstype aio" in extra) == (lun.io_type == "blockio"), (lun.path, extra)
    # write-through (ietd default) -> tgt's WCE-off mode page
    wce_off = {(tid, lun) for tid, lun, params in got["lu_params"] if params.startswith("mode_page=8:0:18:0x10")}
    for tid, n, p, _ in got["luns"]:
        lun = next(l for t in ietd for l in t.luns if l.path == back[p] and tids[t.name] == tid)
        assert ((tid, n) in wce_off) == (not lun.write_cache), lun.path
    # accounts: every incoming user, the first outgoing one
    want_acc = set()
    for t in ietd:
        want_acc |= {(tids[t.name], c.user, "incoming") for c in t.chap if c.direction == "incoming"}
        out = [c for c in t.chap if c.direction == "outgoing"][:1]
        want_acc |= {(tids[t.name], c.user, "outgoing") for c in out}
    assert got["accounts"] == want_acc
    # per-target iSCSI keys that tgt has
    for t in ietd:
        for s in t.params:
            if s.name in ("HeaderDigest", "DataDigest", "MaxConnections", "MaxRecvDataSegmentLength"):
                assert (tids[t.name], s.name, s.value) in got["params"]
    # sanlint's own tgt parser reads the output back to the same LUNs
    model = tgt_parser.parse(SourceFile.from_text("out.conf", text))
    back_luns = {(t.name, l.number, l.path, l.io_type, l.write_cache) for t in model.targets for l in t.luns}
    assert {(n, p) for _, n, p in want} == {(n, p) for _, n, p, _, _ in back_luns}
    for t in ietd:
        for lun in t.luns:
            got_lun = next(x for x in back_luns if x[0] == t.name and x[2] == lun.path)
            assert got_lun[3] == ("blockio" if lun.io_type == "blockio" else "fileio")
            assert got_lun[4] == bool(lun.write_cache)
    return got


def test_tgt_static_site_accepted_by_tgt_admin(tmp_path):
    site, plan = migrate("iscsi-tgt", OWN / "static-ietd")
    got = check_tgt_output(site, plan, tmp_path)
    tid = {name: t for t, name in got["targets"]}
    t1, t2, scr = (tid[f"iqn.2014-02.santnet.sante:{n}"] for n in ("target1", "target2", "scratch"))
    # initiators.allow: target1 by address (a /32 is written bare: tgt refuses /32),
    # target2 address AND name, scratch by the regex line's name; ALL binds only without an address
    assert {a for a in got["acls"] if a[0] == t1} == {(t1, "address", "172.16.50.0/24"),
                                                      (t1, "address", "172.16.51.10")}
    assert {a for a in got["acls"] if a[0] == t2} == {(t2, "address", "[2001:db8::]/64"),
                                                      (t2, "name", "iqn.1994-05.com.redhat:client1")}
    assert {a for a in got["acls"] if a[0] == scr} == {(scr, "address", "ALL"),
                                                       (scr, "name", "iqn.1994-05.com.redhat:client2")}
    # read-only and ScsiId/ScsiSN reach tgtadm
    assert any(p == 'readonly="1"' for _, _, p in got["lu_params"])
    assert any(p == 'scsi_id="drbd0san"' for _, _, p in got["lu_params"])
    text = report_text(plan)
    assert "LUN RENUMBERED" in text
    for dropped in ("Wthreads", "QueuedCommands", "NOPInterval"):
        assert any(dropped in i.message and i.line > 1 for i in plan.items), dropped
    assert any("pattern" in i.message for i in plan.items)
    assert any("OR a name" in i.message for i in plan.items)


@pytest.mark.parametrize("conf", ["ietd.conf", "chap-params.conf"])
def test_tgt_from_ietd_fixtures(tmp_path, conf):
    root = host_root(tmp_path / "h", {"etc/ietd.conf": FIXTURES / "ietd" / conf,
                                      "etc/initiators.allow": FIXTURES / "ietd" / "initiators.allow",
                                      "etc/targets.allow": FIXTURES / "ietd" / "targets.allow"})
    site, plan = migrate("iscsi-tgt", root)
    check_tgt_output(site, plan, tmp_path)


def test_tgt_lun0_shift(tmp_path):
    root = host_root(tmp_path / "h", {"etc/ietd.conf": FIXTURES / "ietd" / "ietd.conf"})
    site, plan = migrate("iscsi-tgt", root, lun0="shift")
    got = check_tgt_output(site, plan, tmp_path, lun0="shift")
    assert sorted(n for _, n, _, _ in got["luns"]) == [1, 2, 3, 4]
    renumbered = [i for i in plan.items if "LUN RENUMBERED" in i.message]
    assert len(renumbered) == 4 and all(i.severity == "error" and i.path.endswith("ietd.conf") for i in renumbered)


# -- rtslib-fb's loader: the keys and types restore() reads --------------------------------------
# rtslib-fb 2.1.75 (python3-rtslib-fb; upstream open-iscsi/rtslib-fb):
#   root.py  RTSRoot.restore() l.362-398: storage object needs 'name', 'plugin' in so_mapping; the rest
#            minus ('exists','attributes','plugin','buffered_mode','alua_tpgs') goes to the class as kwargs
#            (so an unknown key is a TypeError: "Could not create StorageObject"); attributes -> set_attributes
#   root.py  l.407-414 fabric_modules[]: 'name' + attributes set with setattr (fabric.py l.323-332)
#   root.py  l.416-441 targets[]: 'wwn', 'fabric' (a known fabric module name)
#   target.py Target.setup l.115-133: tpgs[]; TPG.setup l.421-444: tag, attributes, parameters, luns,
#            portals, node_acls, enable; every other truthy key is setattr'd (chap_* via auth_params l.36)
#   target.py LUN.setup l.660-689: 'index', 'storage_object' "/backstores/PLUGIN/NAME" (split('/')[2:])
#   target.py NetworkPortal.setup l.815-829: 'ip_address', 'port' (+ 'iser', 'offload')
#   target.py NodeACL.setup l.1016-1038: 'node_wwn', attributes, mapped_luns; other keys setattr (chap_*, tag)
#   target.py MappedLUN.setup l.1229-1254: 'tpg_lun' (== a TPG LUN index), 'index', 'write_protect', 'alias'
#   tcm.py   so_mapping l.944-952; FileIOStorageObject.__init__ l.581 (name, dev, size, wwn, write_back,
#            aio, index); BlockStorageObject.__init__ l.713 (name, dev, wwn, readonly, write_back, index)

RTSLIB_SO_DROPPED = {"exists", "attributes", "plugin", "buffered_mode", "alua_tpgs"}
RTSLIB_SO_KWARGS = {
    "fileio": {"name": str, "dev": str, "size": int, "wwn": str, "write_back": bool, "aio": bool, "index": int},
    "block": {"name": str, "dev": str, "wwn": str, "readonly": bool, "write_back": bool, "index": int},
}
RTSLIB_TPG_KEYS = {"tag": int, "enable": (bool, int), "attributes": dict, "parameters": dict, "luns": list,
                   "portals": list, "node_acls": list, "chap_userid": str, "chap_password": str,
                   "chap_mutual_userid": str, "chap_mutual_password": str}
RTSLIB_ACL_KEYS = {"node_wwn": str, "attributes": dict, "mapped_luns": list, "tag": str, "chap_userid": str,
                   "chap_password": str, "chap_mutual_userid": str, "chap_mutual_password": str}
RTSLIB_FABRIC_KEYS = {"name": str, "discovery_enable_auth": (bool, int), "discovery_userid": str,
                      "discovery_password": str, "discovery_mutual_userid": str, "discovery_mutual_password": str}


def _type_ok(value, t) -> bool:
    ts = t if isinstance(t, tuple) else (t,)
    if bool not in ts and isinstance(value, bool):
        return False  # JSON true is not an int to rtslib's "%d"
    return isinstance(value, ts)


def rtslib_problems(doc: dict) -> list[str]:
    """What rtslib-fb's restore() would refuse or skip in a saveconfig.json document."""
    bad: list[str] = []
    if set(doc) - {"storage_objects", "targets", "fabric_modules"}:
        bad.append(f"unknown top-level keys {set(doc) - {'storage_objects', 'targets', 'fabric_modules'}}")
    objects = set()
    for so in doc.get("storage_objects", []):
        if "name" not in so or so.get("plugin") not in RTSLIB_SO_KWARGS:
            bad.append(f"storage object without name or with plugin {so.get('plugin')!r}")
            continue
        allowed = RTSLIB_SO_KWARGS[so["plugin"]]
        for k, v in so.items():
            if k in RTSLIB_SO_DROPPED:
                continue
            if k not in allowed:
                bad.append(f"{so['name']}: {k} is not a {so['plugin']} constructor argument")
            elif not _type_ok(v, allowed[k]):
                bad.append(f"{so['name']}: {k}={v!r} is not {allowed[k]}")
        if not isinstance(so.get("attributes", {}), dict) or "dev" not in so:
            bad.append(f"{so['name']}: attributes must be an object and dev is needed (creation mode)")
        if so["plugin"] == "fileio" and not so["dev"].startswith("/dev/") and "size" not in so:
            bad.append(f"{so['name']}: a fileio file needs size (tcm.py _configure: 'Path is to a file, size needed')")
        objects.add(f"/backstores/{so['plugin']}/{so['name']}")
    for fm in doc.get("fabric_modules", []):
        for k, v in fm.items():
            if k not in RTSLIB_FABRIC_KEYS or not _type_ok(v, RTSLIB_FABRIC_KEYS[k]):
                bad.append(f"fabric module key {k}={v!r}")
    for t in doc.get("targets", []):
        if "wwn" not in t or t.get("fabric") != "iscsi" or not isinstance(t.get("tpgs"), list):
            bad.append(f"target {t.get('wwn')}: wwn, fabric 'iscsi' and tpgs[] needed")
            continue
        for tpg in t["tpgs"]:
            for k, v in tpg.items():
                if k not in RTSLIB_TPG_KEYS or not _type_ok(v, RTSLIB_TPG_KEYS[k]):
                    bad.append(f"{t['wwn']}: tpg key {k}={v!r}")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in tpg.get("attributes", {}).values()):
                bad.append(f"{t['wwn']}: tpg attributes are integers in a dump()")
            if not all(isinstance(v, str) for v in tpg.get("parameters", {}).values()):
                bad.append(f"{t['wwn']}: tpg parameters are strings in a dump()")
            indexes = set()
            for lun in tpg.get("luns", []):
                if not isinstance(lun.get("index"), int) or lun.get("storage_object") not in objects:
                    bad.append(f"{t['wwn']}: lun {lun}")
                if set(lun) - {"index", "storage_object", "alias", "alua_tg_pt_gp_name"}:
                    bad.append(f"{t['wwn']}: lun keys {set(lun)}")
                if lun.get("storage_object", "").count("/") != 3:
                    bad.append(f"{t['wwn']}: storage_object must split into /backstores/PLUGIN/NAME")
                indexes.add(lun.get("index"))
            for p in tpg.get("portals", []):
                if not isinstance(p.get("ip_address"), str) or not _type_ok(p.get("port"), int) \
                        or set(p) - {"ip_address", "port", "iser", "offload"}:
                    bad.append(f"{t['wwn']}: portal {p}")
            for acl in tpg.get("node_acls", []):
                for k, v in acl.items():
                    if k not in RTSLIB_ACL_KEYS or not _type_ok(v, RTSLIB_ACL_KEYS[k]):
                        bad.append(f"{t['wwn']}: acl key {k}={v!r}")
                for m in acl.get("mapped_luns", []):
                    if m.get("tpg_lun") not in indexes or not _type_ok(m.get("index"), int) \
                            or not _type_ok(m.get("write_protect", False), bool) \
                            or set(m) - {"index", "tpg_lun", "write_protect", "alias", "tag"}:
                        bad.append(f"{t['wwn']}: mapped lun {m}")
    return bad


def test_rtslib_tables_match_installed_source():
    """The constructor tables above are what the installed rtslib-fb defines."""
    if not RTSLIB.is_dir():
        need(str(RTSLIB / "tcm.py"))
    tree = ast.parse((RTSLIB / "tcm.py").read_text())
    inits = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for fn in node.body:
                if isinstance(fn, ast.FunctionDef) and fn.name == "__init__":
                    inits[node.name] = {a.arg for a in fn.args.args[1:]}
    assert inits["FileIOStorageObject"] == set(RTSLIB_SO_KWARGS["fileio"])
    assert inits["BlockStorageObject"] == set(RTSLIB_SO_KWARGS["block"])
    root = (RTSLIB / "root.py").read_text()
    assert "dict_remove(kwargs, ('exists', 'attributes', 'plugin', 'buffered_mode', 'alua_tpgs'))" in root
    target = (RTSLIB / "target.py").read_text()
    assert "auth_params = ('userid', 'password', 'mutual_userid', 'mutual_password')" in target
    assert "dict_remove(tpg, ('luns', 'portals', 'node_acls', 'tag',\n                          'attributes', " \
           "'parameters', 'enable'))" in target


# -- targetcli-fb's commands --------------------------------------------------------------------

def targetcli_commands() -> dict[str, dict[str, tuple[list[str], bool]]]:
    """class -> command -> (parameter names, takes **kwargs), from the
    `ui_command_*` methods of targetcli-fb's UI classes (with their bases)
    and configshell-fb's ConfigNode."""
    if not TARGETCLI.is_dir():
        need(str(TARGETCLI / "ui_target.py"))
    classes: dict[str, tuple[list[str], dict]] = {}
    sources = sorted(TARGETCLI.glob("ui_*.py")) + [CONFIGSHELL / "node.py"]
    for f in sources:
        with warnings.catch_warnings():  # old regex literals in targetcli-fb's source
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(f.read_text())
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            cmds = {}
            for fn in node.body:
                if isinstance(fn, ast.FunctionDef) and fn.name.startswith("ui_command_"):
                    cmds[fn.name[len("ui_command_"):]] = ([a.arg for a in fn.args.args[1:]], fn.args.kwarg is not None)
            bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
            classes[node.name] = (bases, cmds)

    def resolved(name: str) -> dict:
        bases, cmds = classes.get(name, ([], {}))
        out: dict = {}
        for b in bases:
            out.update(resolved(b))
        out.update(cmds)
        return out

    return {name: resolved(name) for name in classes}


def targetcli_groups() -> set[str]:
    """Config groups targetcli-fb defines (`set GROUP ...`)."""
    groups = {"global"}
    for f in sorted(TARGETCLI.glob("ui_*.py")):
        groups |= set(re.findall(r"""define_config_group_param\(\s*['"](\w+)['"]""", f.read_text()))
    return groups


def ui_class(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "UIRoot"
    if parts[0] == "backstores":
        if len(parts) == 2:
            return {"block": "UIBlockBackstore", "fileio": "UIFileIOBackstore"}[parts[1]]
        if len(parts) == 3:
            return {"block": "UIBlockStorageObject", "fileio": "UIFileioStorageObject"}[parts[1]]
    if parts[0] == "iscsi":
        if len(parts) == 1:
            return "UIFabricModule"
        if len(parts) == 3 and re.fullmatch(r"tpg\d+", parts[2]):
            return "UITPG"
        if len(parts) == 4:
            return {"luns": "UILUNs", "portals": "UIPortals", "acls": "UINodeACLs"}[parts[3]]
        if len(parts) == 5 and parts[3] == "acls":
            return "UINodeACL"
    raise AssertionError(f"no targetcli node for {path}")


def check_targetcli_script(script: str) -> list[str]:
    cmds = targetcli_commands()
    groups = targetcli_groups()
    used = []
    for line in script.splitlines():
        if not line.strip() or line.startswith("#") or line == "set -e":
            continue
        words = shlex.split(line)
        assert words[0] == "targetcli", line
        words = words[1:]
        path = words.pop(0) if words[0].startswith("/") else ""
        cls = ui_class(path)
        command, args = words[0], words[1:]
        assert command in cmds[cls], f"{cls} has no command {command}: {line}"
        params, kwargs = cmds[cls][command]
        if command == "set":
            assert args[0] in groups, line
            args = args[1:]
            assert kwargs
        positional = [a for a in args if "=" not in a]
        named = [a.split("=", 1)[0] for a in args if "=" in a]
        assert len(positional) <= len(params), line
        for n in named:
            assert n in params or kwargs, f"{cls}.{command} has no parameter {n}: {line}"
        used.append((cls, command))
    return used


def check_lio_output(plan, host: str | None = None) -> dict:
    text = new_file(plan, LIO_FILE, host)
    doc = json.loads(text)
    # a regular file's size is unknown offline: allowed only when reported as an item
    sized = any("size in bytes" in i.message for i in plan.items)
    assert [p for p in rtslib_problems(doc) if not (sized and "needs size" in p)] == []
    used = check_targetcli_script(new_file(plan, LIO_SCRIPT, host))
    assert ("UIRoot", "saveconfig") in used
    # sanlint's LIO parser reads it back
    model = lio_parser.parse(SourceFile.from_text("saveconfig.json", text))
    return {"doc": doc, "model": model}


def test_lio_static_site(tmp_path):
    site, plan = migrate("iscsi-lio", OWN / "static-ietd")
    out = check_lio_output(plan)
    model = out["model"]
    ietd = ietd_expectations(site)
    # every target, every LUN under its ietd number (LIO keeps LUN 0), the same paths and io types
    assert {t.name for t in model.targets} == {t.name for t in ietd}
    for t in ietd:
        got = next(m for m in model.targets if m.name == t.name)
        assert {(l.number, l.path, l.io_type) for l in got.luns} == {(l.number, l.path, l.io_type) for l in t.luns}
    t2 = next(m for m in out["doc"]["targets"] if m["wwn"].endswith(":target2"))["tpgs"][0]
    assert t2["attributes"]["generate_node_acls"] == 0
    assert [a["node_wwn"] for a in t2["node_acls"]] == ["iqn.1994-05.com.redhat:client1"]
    assert t2["node_acls"][0]["chap_userid"] == "backup"
    t1 = next(m for m in out["doc"]["targets"] if m["wwn"].endswith(":target1"))["tpgs"][0]
    assert t1["parameters"]["HeaderDigest"] == "CRC32C" and t1["chap_mutual_userid"] == "santarget"
    assert t1["portals"] == [{"ip_address": "172.16.50.1", "port": 3260}]  # from targets.allow
    # address ACLs are items with file:line, LUN numbers are kept (no renumbering item)
    addr = [i for i in plan.items if "address ACL" in i.message]
    assert {i.line for i in addr} == {2, 3} and all(i.path.endswith("initiators.allow") for i in addr)
    assert not any("RENUMBERED" in i.message for i in plan.items)
    assert any("size in bytes" in i.message and i.line == 29 for i in plan.items)


def test_lio_closed_address_acls():
    _, plan = migrate("iscsi-lio", OWN / "static-ietd", **{"lio-address-acls": "closed"})
    doc = json.loads(new_file(plan, LIO_FILE))
    t1 = next(m for m in doc["targets"] if m["wwn"].endswith(":target1"))["tpgs"][0]
    assert t1["attributes"]["generate_node_acls"] == 0 and t1["node_acls"] == []


def test_lio_from_tgt_fixtures(tmp_path):
    files = {"etc/tgt/targets.conf": FIXTURES / "tgt" / "targets.conf"}
    for f in sorted((FIXTURES / "tgt" / "conf.d").glob("*.conf")):
        files[f"etc/tgt/conf.d/{f.name}"] = f
    root = host_root(tmp_path / "h", files)
    site, plan = migrate("iscsi-lio", root)
    out = check_lio_output(plan)
    tgt = [t for c in next(iter(site.hosts.values())).iscsi if c.stack == "tgt" for t in c.targets]
    assert {t.name for t in out["model"].targets} == {t.name for t in tgt}
    for t in tgt:  # tgt LUN numbers stay
        got = next(m for m in out["model"].targets if m.name == t.name)
        assert {(l.number, l.path) for l in got.luns} == {(l.number, l.path) for l in t.luns}
    # the migrated tgt blocks are commented out; the global settings stay
    dest = materialize(site, plan, root, tmp_path / "out")
    left = tgt_parser.parse(SourceFile.from_text("t", (dest / "etc/tgt/targets.conf").read_text()))
    assert left.targets == [] and any(s.name == "default-driver" for s in left.global_params)


# -- the cluster side ------------------------------------------------------------------------------

OLD_PROPERTIES = ("dc-version", "cluster-infrastructure", "expected-quorum-votes", "last-lrm-refresh")


def without_old_properties(text: str) -> str:
    """The seed's 1.1 properties are findings the input already has (crmsh 4.4
    refuses them; pacemaker-2 migrates them): drop them before loading."""
    for p in OLD_PROPERTIES:
        text = re.sub(r'\s*\\?\n?\s*' + re.escape(p) + r'="[^"]*"', "", text)
    return text


def crm_load(text: str, tmp: Path) -> subprocess.CompletedProcess:
    crm, cibadmin = need("crm"), need("cibadmin")
    (tmp / "in.crm").write_text(text)
    empty = subprocess.run([cibadmin, "--empty"], capture_output=True, text=True, check=True).stdout
    (tmp / "x.xml").write_text(empty)
    env = dict(os.environ, CIB_file=str(tmp / "x.xml"))
    return subprocess.run([crm, "configure", "load", "update", str(tmp / "in.crm")], capture_output=True,
                          text=True, env=env, timeout=120)


def crm_verify(xml: Path) -> subprocess.CompletedProcess:
    return subprocess.run([need("crm_verify"), "--xml-file", str(xml), "-V"], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("site_name,migrator", cases("crm"))
def test_crm_output_loads_with_crmsh(tmp_path, site_name, migrator):
    src = dict((n, p) for n, p, _ in sites())[site_name]
    site, plan = migrate(migrator, src)
    dest = materialize(site, plan, src, tmp_path / "out")
    crm_file = next(p for p in dest.iterdir() if p.is_file() and p.suffix in (".conf", ".crm"))
    text = crm_file.read_text()
    assert "ocf:heartbeat:iSCSILogicalUnit" in text and "lsb:iscsitarget" not in text
    run = crm_load(without_old_properties(text), tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ERROR" not in run.stderr, run.stderr
    v = crm_verify(tmp_path / "x.xml")
    assert v.returncode == 0, v.stdout + v.stderr
    xml = (tmp_path / "x.xml").read_text()
    impl = "tgt" if migrator == "iscsi-tgt" else "lio-t"
    assert f'name="implementation" value="{impl}"' in xml
    if migrator == "iscsi-tgt":
        assert 'name="lun" value="0"' not in xml
    if site_name == "crm-nogroup":  # not in a group: an order and a colocation per LU
        assert xml.count("<rsc_order") == 3 and xml.count("<rsc_colocation") == 3


@pytest.mark.parametrize("migrator", ["iscsi-tgt", "iscsi-lio"])
def test_cib_output_passes_crmsh_and_crm_verify(tmp_path, migrator):
    src = OWN / "cib-site"
    site, plan = migrate(migrator, src)
    dest = materialize(site, plan, src, tmp_path / "out")
    xml = dest / "cib.xml"
    v = crm_verify(xml)
    assert v.returncode == 0, v.stdout + v.stderr
    env = dict(os.environ, CIB_file=str(xml))
    run = subprocess.run([need("crm"), "configure", "verify"], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0 and "ERROR" not in run.stderr, run.stdout + run.stderr
    text = xml.read_text()
    # two targets, three LUs, in the group right after the old daemon primitive
    assert text.count('type="iSCSITarget"') == 2 and text.count('type="iSCSILogicalUnit"') == 3
    group = re.search(r'<group id="g-iscsi">.*?</group>', text, re.S).group(0)
    order = re.findall(r'<primitive id="([^"]+)"', group)
    assert order[:2] == ["ip-iscsi", "iscsi-daemon"] and len(order) == 6


def test_cib_without_group_gets_constraints(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(OWN / "cib-site", src)
    cib = (src / "cib.xml").read_text()
    # the daemon alone, outside the group
    daemon = re.search(r'\n\s*<primitive id="iscsi-daemon".*?</primitive>', cib, re.S).group(0)
    cib = cib.replace(daemon, "").replace("    </resources>", daemon.replace("\n  ", "\n", 1) + "\n    </resources>")
    (src / "cib.xml").write_text(cib)
    site, plan = migrate("iscsi-tgt", src)
    dest = materialize(site, plan, src, tmp_path / "out")
    v = crm_verify(dest / "cib.xml")
    assert v.returncode == 0, v.stdout + v.stderr
    text = (dest / "cib.xml").read_text()
    assert text.count("<rsc_order") == 3 and text.count("<rsc_colocation") == 3


# -- every site: idempotence, the rules the migration is about, secrets ---------------------------

@pytest.mark.parametrize("site_name,migrator", cases("all"))
def test_idempotent_clean_and_no_secrets(tmp_path, site_name, migrator):
    from sanlint.api import check

    src = dict((n, p) for n, p, _ in sites())[site_name]
    site, plan = migrate(migrator, src)
    assert not plan.empty
    dest = materialize(site, plan, src, tmp_path / "out")
    site2, plan2 = migrate(migrator, dest)
    assert plan2.empty, [c.reason for c in plan2.changes]
    # the iSCSI rules the migration is about: nothing the input did not already have
    before = {(f.code, f.message) for f in check([str(src)], only=ISCSI_RULES).findings}
    after = [f for f in check([str(dest)], only=ISCSI_RULES).findings]
    new = [f"{f.code} {f.path}:{f.line} {f.message}" for f in after if (f.code, f.message) not in before]
    assert new == []
    assert not any(f.code in ("ISCSI103", "ISCSI108", "ISCSI112") for f in after)
    # passwords: in the new files, never in the report
    secrets = set(getattr(plan, "secrets", set()))
    text = report_text(plan)
    for s in secrets:
        assert s not in text
    for nf in plan.new_files():
        assert set(getattr(nf, "secrets", [])) == secrets
        assert not any(s in redact(nf.data.decode(), secrets) for s in secrets)
    for word in re.findall(r"\b\w*secret\w*\b", text):
        pytest.fail(f"a password-like word in the report: {word}")


def test_seed_report_says_lun0_loudly():
    _, plan = migrate("iscsi-tgt", SEED)
    moved = [i for i in plan.items if "LUN RENUMBERED" in i.message]
    assert len(moved) == 1 and moved[0].severity == "error" and moved[0].line == 2
    assert "/dev/vgsan/lun0" in moved[0].message and "LUN 4" in moved[0].message
    # cluster-managed: the tgt file defines no target, the cluster resources do
    assert "<target" not in new_file(plan, TGT_FILE, "san-1")
