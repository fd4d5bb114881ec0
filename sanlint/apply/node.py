"""The node side of a run over ssh: run on the node by its own python3.

`sanlint.apply.remote` sends this module and `sanlint.apply.local` (the
transaction layer, unchanged) to `python3 -c BOOT` on stdin, followed by one
JSON request; the answer is one JSON document on stdout.  Nothing of the
request ever becomes part of a command line: paths and file contents travel
in the JSON, and the tools run here are argument lists.

Standard library only (the node has no sanlint installed).

Requests (`op`):

* `check`: the files are compared with the bytes the plan was made from
  (the local preflight: changed, removed, hard links, read-only), then every
  new file is validated with the node's own tool (see `validate`).  Nothing
  is changed (the tools run on copies in a private temporary directory).
* `apply`: `sanlint.apply.local.apply` under `ROOT/var/lib/sanlint` with the
  run id of the whole run (one id on every node).
* `rollback` / `complete` / `list`: the local functions of the same names.

Paths in a request are relative to ROOT; the node joins them (ROOT may be a
directory that plays `/`, as in the tests).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from sanlint.apply import local

SEARCH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
# drbd-utils ships one parser per generation; Debian puts the old ones in /lib/drbd, RHEL in /usr/lib/drbd
DRBDADM = {"9": ["drbdadm"], "8.4": ["/lib/drbd/drbdadm-84", "/usr/lib/drbd/drbdadm-84"],
           "8.3": ["/lib/drbd/drbdadm-83", "/usr/lib/drbd/drbdadm-83"]}
TOOL_TIMEOUT = 120


def _join(root: str, rel: str) -> str:
    rel = rel.lstrip("/")
    if not rel or ".." in rel.split("/") or "\0" in rel:
        raise ValueError(f"bad path {rel!r}")
    return os.path.join(root, rel)


def _which(name: str) -> str | None:
    if os.path.isabs(name):
        return name if os.access(name, os.X_OK) else None
    return shutil.which(name, path=SEARCH)


def _drbdadm(version: str | None) -> tuple[str | None, str]:
    """(path, name) of the drbdadm for the DRBD generation the site runs;
    without a known generation the node's own `drbdadm` (which picks the
    parser of the loaded kernel module)."""
    names = DRBDADM.get(version or "", ["drbdadm"])
    if version == "8.4":  # drbd-utils 8.4 itself: its drbdadm is the 8.4 parser
        names = names + ["drbdadm"] if _drbdadm_is("8.4") else names
    for n in names:
        p = _which(n)
        if p:
            return p, os.path.basename(n)
    return None, os.path.basename(names[0])


def _drbdadm_is(version: str) -> bool:
    p = _which("drbdadm")
    if not p:
        return False
    try:
        out = subprocess.run([p, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    m = re.search(r"DRBDADM_VERSION=(\d+\.\d+)", out)
    return bool(m and m.group(1) == version)


def _run(argv: list[str], cwd: str | None = None, env: dict | None = None) -> tuple[int, str]:
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, errors="replace",
                           timeout=TOOL_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        return 124, f"no answer within {TOOL_TIMEOUT} s"
    except OSError as e:
        return 127, e.strerror or str(e)
    return p.returncode, (p.stdout + p.stderr)


def _quiet(text: str) -> str:
    """A tool's complaint, without its chatter (warnings, a missing modinfo)."""
    keep = [x.rstrip() for x in text.splitlines() if x.strip() and not x.startswith("WARN")
            and "modinfo" not in x]
    return " ".join(" ".join(keep).split())[:600]


# -- validation with the node's own tools -------------------------------------------------

_INCLUDE = re.compile(rb'(\binclude\s+"?)(/[^";\s]+)')


class _Tree:
    """A private copy of what a tool reads, the new versions in place of the
    old ones (and, for `before`, the old ones)."""

    def __init__(self, root: str, tmp: str, entries: list[dict], new: bool):
        self.root, self.tmp, self.entries, self.new = root, tmp, entries, new
        self.data = {e["rel"]: (e["new_bytes"] if new else e["old_bytes"]) for e in entries}

    def bytes_of(self, rel: str) -> bytes | None:
        if rel in self.data:
            return self.data[rel]
        return local._read(_join(self.root, rel))

    def place(self, rel: str, data: bytes, fix_includes: bool = False) -> str:
        dest = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if fix_includes:
            data = _INCLUDE.sub(lambda m: m.group(1) + self._inside(m.group(2)), data)
        with open(dest, "wb") as fh:
            fh.write(data)
        return dest

    def _inside(self, path: bytes) -> bytes:
        """An absolute include points at the copy when it names the copied
        DRBD files, else at the same place under ROOT."""
        p = path.decode("utf-8", "surrogateescape")
        if p == "/etc/drbd.conf" or p.startswith("/etc/drbd.d/"):
            return (self.tmp.rstrip("/") + p).encode("utf-8", "surrogateescape")
        return (self.root.rstrip("/") + p).encode("utf-8", "surrogateescape") if self.root != "/" else path


def _drbd_files(root: str, entries: list[dict]) -> list[str]:
    rels = ["etc/drbd.conf"] if os.path.isfile(_join(root, "etc/drbd.conf")) else []
    d = _join(root, "etc/drbd.d")
    if os.path.isdir(d):
        for name in sorted(os.listdir(d)):
            if os.path.isfile(os.path.join(d, name)) and not os.path.islink(os.path.join(d, name)):
                rels.append(f"etc/drbd.d/{name}")
    rels += [e["rel"] for e in entries if e["format"] == "drbd" and e["rel"] not in rels]
    return rels


def _check_drbd(root: str, entries: list[dict], version: str | None, tmp: str, new: bool) -> tuple[str, str | None]:
    tool, name = _drbdadm(version)
    if tool is None:
        return name, f"{name} (DRBD {version or '?'}) is not installed on the node: cannot validate"
    tree = _Tree(root, os.path.join(tmp, "new" if new else "old"), entries, new)
    rels = _drbd_files(root, entries)
    for rel in rels:
        data = tree.bytes_of(rel)
        if data is not None:
            tree.place(rel, data, fix_includes=True)
    mains = [os.path.join(tree.tmp, "etc/drbd.conf")] if "etc/drbd.conf" in rels else []
    mains += [os.path.join(tree.tmp, e["rel"]) for e in entries if e["format"] == "drbd"
              and not (e["rel"] == "etc/drbd.conf" or e["rel"].startswith("etc/drbd.d/"))]
    for conf in mains:
        # relative includes are read from the working directory (drbdadm-83) or the file's (9): both here
        rc, out = _run([tool, "-c", conf, "dump", "all"], cwd=os.path.dirname(conf))
        if rc == 10 or rc in (124, 127):  # 10: drbdadm's "configuration error"
            return name, _quiet(out.replace(tree.tmp.rstrip("/") + "/", "")) or f"exit {rc}"
    return name, None


def _check_one(fmt: str, rel: str, data: bytes, root: str, tmp: str) -> tuple[str | None, str | None]:
    """(tool, complaint) for a file checked on its own; tool None: no offline check for it."""
    d = tempfile.mkdtemp(dir=tmp)
    base = os.path.basename(rel)
    path = os.path.join(d, base)
    with open(path, "wb") as fh:
        fh.write(data)
    if fmt == "corosync":
        if root != "/":  # corosync -t reads the machine's own /etc/corosync/authkey, not ROOT's
            return None, None
        tool = _which("corosync")
        if not tool:
            return "corosync", "corosync is not installed on the node: cannot validate"
        rc, out = _run([tool, "-t", "-c", path])
        return "corosync -t", (_quiet(out) or f"exit {rc}") if rc else None
    if fmt == "lvm" and base == "lvm.conf":
        tool = _which("lvmconfig")
        if not tool:
            return "lvmconfig", "lvmconfig is not installed on the node: cannot validate"
        env = dict(os.environ, LVM_SYSTEM_DIR=d, LVM_SUPPRESS_FD_WARNINGS="1")
        rc, out = _run([tool, "--validate"], env=env)
        return "lvmconfig --validate", (_quiet(out) or f"exit {rc}") if rc else None
    if fmt == "tgt":
        tool = _which("tgt-admin")
        if not tool:
            return "tgt-admin", "tgt-admin is not installed on the node: cannot validate"
        rc, out = _run([tool, "--conf", path, "-e", "-p"])
        return "tgt-admin -p", (_quiet(out) or f"exit {rc}") if rc else None
    if fmt == "cib":
        tool = _which("crm_verify")
        if not tool:
            return "crm_verify", "crm_verify is not installed on the node: cannot validate"
        rc, out = _run([tool, "--xml-file", path])
        bad = rc and ("validity error" in out or "parser error" in out or "not valid" in out.lower())
        return "crm_verify --xml-file", (_quiet(out) or f"exit {rc}") if bad else None
    return None, None


def validate(root: str, entries: list[dict], drbd_version: str | None) -> tuple[list[str], list[str]]:
    """(problems, notes): every new file checked by the node's tool; a file
    that tool refuses is a problem (the note says when the original is
    refused too).  Formats without an offline check are named in a note."""
    problems, notes = [], []
    tmp = tempfile.mkdtemp(prefix="sanlint-validate-")
    try:
        if any(e["format"] == "drbd" for e in entries):
            name, why = _check_drbd(root, entries, drbd_version, tmp, new=True)
            if why:
                shown = ", ".join(e["display"] for e in entries if e["format"] == "drbd")
                _, before = _check_drbd(root, entries, drbd_version, tmp, new=False)
                also = " (it refuses the current files as well: correct them first)" if before else ""
                problems.append(f"{shown}: {name} -c ... dump all refuses the new configuration: {why}{also}")
            else:
                notes.append(f"DRBD configuration accepted by {name} (dump all)")
        for e in entries:
            if e["format"] == "drbd":
                continue
            tool, why = _check_one(e["format"], e["rel"], e["new_bytes"], root, tmp)
            if why:
                also = ""
                if e["old_bytes"] is not None and _check_one(e["format"], e["rel"], e["old_bytes"], root, tmp)[1]:
                    also = " (it refuses the current file as well: correct it first)"
                problems.append(f"{e['display']}: {tool} refuses the new file: {why}{also}")
            elif tool:
                notes.append(f"{e['display']}: accepted by {tool}")
            elif e["format"] == "corosync":
                notes.append(f"{e['display']}: corosync -t not run: it reads this machine's own "
                             "/etc/corosync/authkey, not ROOT's")
            else:
                notes.append(f"{e['display']}: no offline check for {e['format']} files on the node")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return problems, notes


# -- the CIB: through Pacemaker's cibadmin, never by writing cib.xml ------------------------

CIB_REL = "var/lib/pacemaker/cib/cib.xml"
_CONF = re.compile(rb"<configuration[\s>/].*?</configuration>|<configuration\s*/>", re.DOTALL)


def _configuration(data: bytes) -> bytes | None:
    m = _CONF.search(data or b"")
    return m.group(0) if m else None


def _is_cib(e: dict) -> bool:
    return e["rel"] == CIB_REL


def _cibadmin(args: list[str], cib_file: str | None, data: bytes | None, tmp: str) -> tuple[int, str, str]:
    """Run cibadmin (rc, output, stdout): against the file `cib_file` (CIB_file=),
    or, when None, as the node's environment says: the running cluster, or
    whatever CIB_file / CIB_shadow the admin's session sets (Pacemaker's own
    switches, honoured as every Pacemaker tool honours them)."""
    tool = _which("cibadmin")
    if not tool:
        return 127, "cibadmin is not installed on the node", ""
    env = dict(os.environ)
    if cib_file:
        env["CIB_file"] = cib_file
    argv = [tool, *args]
    if data is not None:
        fd, path = tempfile.mkstemp(prefix="configuration-", suffix=".xml", dir=tmp)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        argv += ["--xml-file", path]
    try:
        p = subprocess.run(argv, env=env, capture_output=True, timeout=TOOL_TIMEOUT, stdin=subprocess.DEVNULL,
                           check=False)
    except subprocess.TimeoutExpired:
        return 124, f"no answer within {TOOL_TIMEOUT} s", ""
    except OSError as e:
        return 127, e.strerror or str(e), ""
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    return p.returncode, out, p.stdout.decode("utf-8", "replace")


def _cib_by_file(root: str, e: dict, tmp: str) -> tuple[bytes | None, str | None]:
    """A node kept in a directory (no cluster runs there): the new cib.xml as
    Pacemaker writes it, i.e. a private copy of ROOT's cib.xml whose
    configuration section `cibadmin --replace --scope configuration` replaced
    (CIB_file=copy).  (new bytes, None) or (None, complaint)."""
    conf = _configuration(e["new_bytes"])
    if conf is None:
        return None, "the new CIB has no <configuration> section"
    d = tempfile.mkdtemp(dir=tmp)
    copy = os.path.join(d, "cib.xml")
    with open(copy, "wb") as fh:
        fh.write(e["old_bytes"] if e["old_bytes"] is not None else local._read(e["path"]) or b"")
    rc, out, _ = _cibadmin(["--replace", "--scope", "configuration"], copy, conf, d)
    if rc:
        return None, f"cibadmin --replace refuses it: {_quiet(out) or f'exit {rc}'}"
    with open(copy, "rb") as fh:
        return fh.read(), None


def _canon(xml: bytes) -> str:
    import xml.etree.ElementTree as ET

    try:
        return ET.canonicalize(xml.decode("utf-8", "replace"), strip_text=True)
    except ET.ParseError:
        return xml.decode("utf-8", "replace")


def _live_cib_check(e: dict, tmp: str) -> str | None:
    """A live node (ROOT /): the running configuration must still be the one
    the plan was made from."""
    rc, out, stdout = _cibadmin(["--query", "--scope", "configuration"], None, None, tmp)
    if rc:
        return f"cannot read the running CIB (cibadmin --query): {_quiet(out) or f'exit {rc}'}"
    if _canon(stdout.encode()) != _canon(_configuration(e["old_bytes"] or b"") or b""):
        return "the running CIB's configuration changed since the plan was made (run again)"
    return None


def _cib_record_path(state: str, run_id: str) -> str:
    return os.path.join(state, "cib", f"{run_id}.json")


def _live_cib_apply(state: str, run_id: str, e: dict, tmp: str) -> None:
    """Replace the running configuration once (Pacemaker carries it to the
    other nodes), the original kept in STATE/cib/RUN-ID.json for rollback."""
    problem = _live_cib_check(e, tmp)
    if problem:
        raise local.ApplyError(problem)
    rc, out, stdout = _cibadmin(["--query", "--scope", "configuration"], None, None, tmp)
    record = {"run": run_id, "state": "prepared", "created_ns": time.time_ns(), "orig": stdout,
              "new": _configuration(e["new_bytes"]).decode("utf-8", "surrogateescape"),
              "display": e["display"]}
    os.makedirs(os.path.join(state, "cib"), exist_ok=True)
    local._write_new(_cib_record_path(state, run_id), json.dumps(record).encode())
    rc, out, _ = _cibadmin(["--replace", "--scope", "configuration"], None, record["new"].encode(), tmp)
    record["state"] = "done" if rc == 0 else "rolled-back"
    local._replace_json(_cib_record_path(state, run_id), record)
    if rc:
        raise local.ApplyError(f"cibadmin --replace refuses the new configuration: {_quiet(out) or f'exit {rc}'}")


def _live_cib_rollback(state: str, run_id: str, tmp: str) -> list[str]:
    path = _cib_record_path(state, run_id)
    try:
        with open(path, "rb") as fh:
            record = json.load(fh)
    except OSError:
        return []
    if record.get("state") == "rolled-back":
        return []
    rc, out, _ = _cibadmin(["--replace", "--scope", "configuration"], None, record["orig"].encode(), tmp)
    if rc:
        raise local.ApplyError(f"cibadmin --replace refuses the original configuration: {_quiet(out) or f'exit {rc}'}")
    record["state"] = "rolled-back"
    local._replace_json(path, record)
    return [record["display"]]


def _cib_runs(state: str) -> list[dict]:
    out = []
    d = os.path.join(state, "cib")
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        try:
            with open(os.path.join(d, name), "rb") as fh:
                r = json.load(fh)
        except (OSError, ValueError):
            continue
        out.append({"run": r["run"], "state": r["state"], "created_ns": r.get("created_ns", 0), "kind": "cib",
                    "files": [{"display": r.get("display", "CIB")}]})
    return out


# -- requests ----------------------------------------------------------------------------

def _entries(req: dict) -> list[dict]:
    out = []
    real_root = os.path.realpath(req["root"])
    for c in req.get("changes", []):
        where = os.path.realpath(os.path.dirname(_join(req["root"], c["rel"])))
        if real_root != "/" and not (where == real_root or where.startswith(real_root + os.sep)):
            raise ValueError(f"{c.get('display') or c['rel']}: its directory leads out of ROOT (to {where}); "
                             "nothing was changed")
        old = None if c.get("old") is None else base64.b64decode(c["old"])
        out.append({"rel": c["rel"].lstrip("/"), "path": _join(req["root"], c["rel"]), "old_bytes": old,
                    "new_bytes": base64.b64decode(c["new"]), "format": c.get("format") or "",
                    "display": c.get("display") or c["rel"]})
    return out


def _changes(entries: list[dict]) -> list[local.Change]:
    return [local.Change(e["path"], e["old_bytes"], e["new_bytes"], e["display"]) for e in entries]


def _result(res: local.RunResult) -> dict:
    return {"ok": True, "run": res.run_id, "run_dir": res.run_dir, "changed": res.changed, "notes": res.notes,
            "kept": res.kept}


def _check(req: dict, root: str) -> dict:
    entries = _entries(req)
    live_cib = [e for e in entries if _is_cib(e) and root == "/"]
    files = [e for e in entries if e not in live_cib]
    try:
        local._preflight(_changes([e for e in files if e["old_bytes"] != e["new_bytes"]]))
    except local.ApplyError as e:
        return {"ok": False, "error": str(e).replace("; no file was changed", ""), "changed": []}
    problems, notes = [], []
    tmp = tempfile.mkdtemp(prefix="sanlint-check-")
    try:
        for e in entries:
            if not _is_cib(e):
                continue
            if root == "/":
                why = _live_cib_check(e, tmp)
            else:
                new, why = _cib_by_file(root, e, tmp)
                if new is not None:
                    e["new_bytes"] = new  # validated as cibadmin writes it
            if why:
                problems.append(f"{e['display']}: {why}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    more, notes = validate(root, entries, req.get("drbd"))
    problems += more
    return {"ok": not problems, "error": "; ".join(problems), "notes": notes, "changed": []}


def _apply(req: dict, root: str, state: str) -> dict:
    entries = _entries(req)
    cib = [e for e in entries if _is_cib(e)]
    notes = []
    tmp = tempfile.mkdtemp(prefix="sanlint-apply-")
    try:
        if root != "/":
            for e in cib:  # a node kept in a directory: the file as cibadmin writes it, installed like any file
                new, why = _cib_by_file(root, e, tmp)
                if why:
                    return {"ok": False, "error": f"{e['display']}: {why}; no file was changed", "changed": []}
                e["new_bytes"] = new
                notes.append(f"{e['display']}: written by cibadmin --replace --scope configuration (CIB_file= a copy)")
            files = entries
        else:
            files = [e for e in entries if not _is_cib(e)]
        res = local.apply(_changes(files), state, keep_backups=req.get("keep_backups", True),
                          command=req.get("command"), kind=req.get("kind", "fix"), run_id=req["run"])
        out = _result(res)
        if root == "/":
            for e in cib:
                try:
                    _live_cib_apply(state, req["run"], e, tmp)
                except local.ApplyError as err:
                    if res.run_id:
                        local.rollback(state, res.run_id)
                    return {"ok": False, "error": f"{e['display']}: {err}; the node's files were put back",
                            "changed": []}
                out["changed"].append(e["display"])
                notes.append(f"{e['display']}: the running CIB's configuration replaced with cibadmin --replace")
        out["notes"] = notes + out["notes"]
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _rollback(req: dict, root: str, state: str) -> dict:
    run = req.get("run")
    have = {d["run"] for d in local.list_runs(state)}
    cib = {r["run"] for r in _cib_runs(state)}
    if run is not None and run not in have and run not in cib:
        raise local.ApplyError(f"no run {run} in {state}")
    out = {"ok": True, "run": run, "run_dir": None, "changed": [], "notes": []}
    if run is None or run in have:
        out = _result(local.rollback(state, run))
    if root == "/" and run in cib:
        tmp = tempfile.mkdtemp(prefix="sanlint-rollback-")
        try:
            out["changed"] += _live_cib_rollback(state, run, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def handle(req: dict) -> dict:
    if req.get("kill_at"):  # tests only: the kill -9 harness, as SANLINT_KILL_AT locally
        os.environ["SANLINT_KILL_AT"] = str(req["kill_at"])
    root = req["root"]
    if not os.path.isdir(root):
        return {"ok": False, "error": f"ROOT {root} is not a directory on the node", "changed": []}
    state = os.path.join(root, "var", "lib", "sanlint")
    op = req["op"]
    try:
        if op == "check":
            return _check(req, root)
        if op == "apply":
            return _apply(req, root, state)
        if op == "rollback":
            return _rollback(req, root, state)
        if op == "complete":
            return _result(local.complete(state, req.get("run")))
        if op == "list":
            runs = local.list_runs(state)
            have = {d["run"] for d in runs}
            runs += [r for r in _cib_runs(state) if r["run"] not in have]
            for d in runs:
                d.pop("_dir", None)
                d["files"] = [{"display": f["display"]} for f in d.get("files", [])]
            return {"ok": True, "runs": runs, "state": state}
    except local.ApplyError as e:
        return {"ok": False, "error": str(e), "changed": e.changed, "unchanged": e.unchanged, "run": e.run_id}
    except (OSError, ValueError) as e:
        return {"ok": False, "error": f"{type(e).__name__}: {e}", "changed": []}
    return {"ok": False, "error": f"unknown request {op!r}", "changed": []}


def main(data: bytes) -> None:
    """Answer one request (JSON bytes) on stdout."""
    try:
        answer = handle(json.loads(data))
    except (ValueError, KeyError, TypeError) as e:
        answer = {"ok": False, "error": f"bad request: {e}", "changed": []}
    sys.stdout.buffer.write(json.dumps(answer).encode())
    sys.stdout.buffer.flush()
