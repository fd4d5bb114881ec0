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
            else:
                notes.append(f"{e['display']}: no offline check for {e['format']} files on the node")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return problems, notes


# -- requests ----------------------------------------------------------------------------

def _entries(req: dict) -> list[dict]:
    out = []
    for c in req.get("changes", []):
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
            entries = _entries(req)
            try:
                local._preflight(_changes([e for e in entries if e["old_bytes"] != e["new_bytes"]]))
            except local.ApplyError as e:
                return {"ok": False, "error": str(e).replace("; no file was changed", ""), "changed": []}
            problems, notes = validate(root, entries, req.get("drbd"))
            return {"ok": not problems, "error": "; ".join(problems), "notes": notes, "changed": []}
        if op == "apply":
            res = local.apply(_changes(_entries(req)), state, keep_backups=req.get("keep_backups", True),
                              command=req.get("command"), kind=req.get("kind", "fix"), run_id=req["run"])
            return _result(res)
        if op == "rollback":
            return _result(local.rollback(state, req.get("run")))
        if op == "complete":
            return _result(local.complete(state, req.get("run")))
        if op == "list":
            runs = local.list_runs(state)
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
