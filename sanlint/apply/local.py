"""Changing configuration files on this machine, as one transaction.

A run (one `check --fix`, one `migrate --write`) goes like this:

1. **Lock.**  `STATE/lock` is taken with `flock` (not waited for): a second
   run on the same site is refused, saying which process holds it.
2. **Nothing pending.**  A run that was interrupted (kill -9, power loss)
   must be undone (`sanlint rollback RUN-ID`) or finished
   (`sanlint rollback --complete RUN-ID`) first; a new run is refused.
3. **Preflight.**  Every file is read again and compared with the bytes the
   plan was made from: an edit made while sanlint planned is never
   overwritten.  A file with several hard links (replacing it would split
   them) or without any write permission bit (0444: someone made it
   read-only on purpose) is refused, by name.  Any refusal: nothing written.
4. **Prepare.**  `STATE/backups/RUN-ID/` gets, for every file, its original
   (`N.orig`, created exclusively: never overwritten) and its new version
   (`N.new`), then `journal.json` (owner, mode, mtime, extended attributes
   and ACLs, checksums, the temporary names that will be used).  A full disk
   here changes nothing.
5. **Install.**  Per file: a temporary file in the same directory, written,
   fsync'd, given the original's owner, mode and extended attributes (ACLs
   are the `system.posix_acl_*` attributes), a hard link `.NAME.sanlint-old-RUN`
   to the original kept, rename over the file, fsync the directory.  Every
   file is therefore always either its old or its new version.  A failure
   puts every file already replaced back (renaming the kept original back
   needs no free space) and says exactly what is changed and what is not.
6. **Commit.**  The journal says `done`; the kept links go.  `--no-backup`
   removes the run directory at this point (an interrupted run can still be
   undone: its directory is only removed once it is done).

`STATE` is `ROOT/var/lib/sanlint` for a host root (and `/var/lib/sanlint`
for this machine's `/etc`), otherwise `.sanlint/` in the directory the
PATHs share (a site: `SITE/.sanlint`); `state_dir_for` decides.  Nothing in
it is ever read as configuration (hidden or outside the walked directories,
and `*.orig` is a leftover name that discovery skips).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Standard library only: this module is also sent to ssh nodes and run there
# unchanged by `sanlint.apply.node` (see sanlint.apply.remote).

RUNS = "backups"  # STATE/backups/RUN-ID/: one directory per run


class ApplyError(Exception):
    """A run that did not happen as planned.  `changed` lists the files that
    hold their new version, `unchanged` those that hold their original: the
    message says the same in words."""

    def __init__(self, message: str, changed: list[str] | None = None, unchanged: list[str] | None = None,
                 run_id: str | None = None):
        super().__init__(message)
        self.changed = changed or []
        self.unchanged = unchanged or []
        self.run_id = run_id


@dataclass
class Change:
    path: str  # the file to replace (its real path) or to create
    old: bytes | None  # the bytes the plan was made from; None: a new file that must not exist yet
    new: bytes
    display: str = ""

    def shown(self) -> str:
        return self.display or self.path


@dataclass
class RunResult:
    run_id: str
    run_dir: str
    changed: list[str] = field(default_factory=list)  # display paths
    notes: list[str] = field(default_factory=list)  # said explicitly (an owner that could not be kept, ...)
    kept: bool = True  # the run directory with the originals was kept


# -- where the state lives ------------------------------------------------------------

def state_dir_for(paths: list[str]) -> str:
    """The state directory of the site the PATHs name (see the module doc)."""
    from sanlint.discovery import is_host_root

    dirs = []
    for p in paths:
        r = os.path.realpath(p)
        dirs.append(r if os.path.isdir(r) else os.path.dirname(r))
    anchor = os.path.commonpath(dirs) if dirs else os.path.realpath(".")
    parts = Path(anchor).parts
    if "etc" in parts:  # inside a host root's etc/ (or this machine's /etc)
        root = Path(*parts[:parts.index("etc")])
        return str(root / "var" / "lib" / "sanlint")
    if anchor == "/" or is_host_root(Path(anchor)):
        return str(Path(anchor) / "var" / "lib" / "sanlint")
    return os.path.join(anchor, ".sanlint")


@contextmanager
def building(dest: str, prefix: str):
    """Build a new directory beside `dest` (which must not exist, or be
    empty) and rename it into place at the end: it appears complete or not
    at all; on any failure the half-built copy is removed."""
    parent = os.path.dirname(os.path.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=prefix, dir=parent)
    try:
        yield tmp
        if os.path.isdir(dest):
            os.rmdir(dest)
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# -- test hook: the kill -9 harness stops the process at a numbered point ------------

_points = 0


def _point() -> None:
    """A place where an interruption leaves a distinct state.  When
    SANLINT_KILL_AT=N is set (tests only), the N-th point kills the process."""
    global _points
    at = os.environ.get("SANLINT_KILL_AT")
    if not at:
        return
    _points += 1
    if _points == int(at):
        os.kill(os.getpid(), 9)


# -- small file helpers -------------------------------------------------------------

def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def _fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: str, data: bytes, finish=None) -> None:
    """Create `path` (never overwriting anything, mode 0600) with `data`;
    `finish(fd)` then sets its attributes; fsync'd.  Removed on failure."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        _write_all(fd, data)
        if finish is not None:
            finish(fd)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink(path)
        raise
    os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _replace_json(path: str, doc: dict) -> None:
    """Atomically replace a journal."""
    tmp = path + ".tmp"
    _unlink(tmp)
    _write_new(tmp, json.dumps(doc, indent=1, sort_keys=True).encode())
    os.replace(tmp, path)
    _fsync_dir(os.path.dirname(path))


def _xattrs(path: str) -> dict[str, str]:
    out = {}
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return out
    for name in names:
        try:
            out[name] = base64.b64encode(os.getxattr(path, name, follow_symlinks=False)).decode()
        except OSError:
            pass
    return out


def _meta(path: str) -> dict:
    st = os.stat(path)
    return {"mode": st.st_mode & 0o7777, "uid": st.st_uid, "gid": st.st_gid, "mtime_ns": st.st_mtime_ns,
            "atime_ns": st.st_atime_ns, "xattrs": _xattrs(path)}


def _names(path: str, run_id: str) -> tuple[str, str]:
    d, base = os.path.split(path)
    return os.path.join(d, f".{base}.sanlint-tmp-{run_id}"), os.path.join(d, f".{base}.sanlint-old-{run_id}")


class _Lock:
    def __init__(self, state: str):
        self.state = state
        self.fd = -1

    def __enter__(self):
        try:
            os.makedirs(os.path.join(self.state, RUNS), exist_ok=True)
            self.fd = os.open(os.path.join(self.state, "lock"), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise ApplyError(f"cannot use the state directory {self.state}: {e.strerror}; no file was changed") from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(self.fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(self.fd)
            raise ApplyError(f"another sanlint run is changing this site (lock {self.state}/lock held by process "
                             f"{holder}); no file was changed") from None
        try:  # who holds it, for the message of a refused run (a full disk leaves it empty)
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass
        return self

    def __exit__(self, *exc):
        try:
            os.ftruncate(self.fd, 0)
        except OSError:
            pass
        os.close(self.fd)  # releases the flock


# -- runs ---------------------------------------------------------------------------

def new_run_id() -> str:
    """A run id for a run over several places (one id on every node)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}"


def _new_run_id(runs: str, wanted: str | None = None) -> str:
    if wanted is not None:  # one id for every node of a run
        if not wanted or "/" in wanted or wanted.startswith("."):
            raise ApplyError(f"bad run id {wanted!r}; no file was changed")
        try:
            os.mkdir(os.path.join(runs, wanted), 0o700)
        except FileExistsError:
            raise ApplyError(f"a run {wanted} already exists in {runs}; no file was changed") from None
        return wanted
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    n = 1
    while True:
        rid = f"{stamp}-{n}"
        try:
            os.mkdir(os.path.join(runs, rid), 0o700)
            return rid
        except FileExistsError:
            n += 1


def list_runs(state: str) -> list[dict]:
    """Every journal of the site, oldest first."""
    runs = os.path.join(state, RUNS)
    out = []
    try:
        names = os.listdir(runs)
    except OSError:
        return out
    for name in names:
        j = os.path.join(runs, name, "journal.json")
        try:
            with open(j, "rb") as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            continue
        doc["_dir"] = os.path.join(runs, name)
        out.append(doc)
    out.sort(key=lambda d: (d.get("created_ns", 0), d.get("run", "")))
    return out


def _tidy(state: str) -> None:
    """What an interrupted run leaves that is safe to remove: run directories
    without a journal (interrupted before any file was touched: the journal
    is written before the first install), and the temporary files and kept
    links of runs that are over (killed after their journal said so)."""
    runs = os.path.join(state, RUNS)
    for name in os.listdir(runs):
        d = os.path.join(runs, name)
        if os.path.isdir(d) and not os.path.exists(os.path.join(d, "journal.json")):
            shutil.rmtree(d, ignore_errors=True)
    for doc in list_runs(state):
        if doc.get("state") in ("done", "rolled-back") and not doc.get("tidy"):
            for e in doc["files"]:
                _unlink(e["tmp"])
                _unlink(e["keep"])
            doc["tidy"] = True
            path = os.path.join(doc.pop("_dir"), "journal.json")
            try:
                _replace_json(path, doc)
            except OSError:
                pass


def _pending(state: str) -> list[dict]:
    return [d for d in list_runs(state) if d.get("state") == "prepared"]


def _pending_message(doc: dict) -> str:
    new = sum(1 for e in doc["files"] if _sha(_read(e["path"])) == e["new_sha256"])
    rid = doc["run"]
    return (f"run {rid} was interrupted ({new} of {len(doc['files'])} file(s) hold their new version): "
            f"`sanlint rollback {rid} PATH...` undoes it, `sanlint rollback --complete {rid} PATH...` finishes it")


def apply(changes: list[Change], state: str, keep_backups: bool = True, command: list[str] | None = None,
          kind: str = "fix", run_id: str | None = None) -> RunResult:
    """Carry `changes` out as one run (see the module doc).  Raises ApplyError
    saying exactly what was and was not changed.  `run_id`: the id to use
    (a run over several nodes uses one id everywhere); default a new one."""
    changes = [c for c in changes if c.old != c.new]
    with _Lock(state):
        _tidy(state)
        pending = _pending(state)
        if pending:
            raise ApplyError(_pending_message(pending[-1]) + "; no file was changed")
        _preflight(changes)
        if not changes:
            return RunResult("", "", kept=False)
        runs = os.path.join(state, RUNS)
        run_id = _new_run_id(runs, run_id)
        run_dir = os.path.join(runs, run_id)
        try:
            doc = _prepare(changes, run_id, run_dir, command, kind)
        except OSError as e:
            shutil.rmtree(run_dir, ignore_errors=True)
            raise ApplyError(f"could not keep the originals in {run_dir}: {e.strerror or e}; no file was changed",
                             unchanged=[c.shown() for c in changes]) from None
        notes: list[str] = []
        done: list[dict] = []
        for entry in doc["files"]:
            try:
                _install(entry, run_dir, run_id, notes)
            except OSError as e:
                _cleanup_tmp(entry, run_id)
                raise _failed(doc, done, entry, e, run_dir) from None
            done.append(entry)
        doc["state"] = "done"
        doc["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        _replace_json(os.path.join(run_dir, "journal.json"), doc)
        _point()
        for entry in doc["files"]:
            _unlink(entry["keep"])
        doc["tidy"] = True
        _replace_json(os.path.join(run_dir, "journal.json"), doc)
        if not keep_backups:
            shutil.rmtree(run_dir, ignore_errors=True)
        return RunResult(run_id, run_dir, [e["display"] for e in doc["files"]], notes, kept=keep_backups)


def _preflight(changes: list[Change]) -> None:
    problems = []
    for c in changes:
        try:
            st = os.lstat(c.path)
        except FileNotFoundError:
            st = None
        if c.old is None:
            if st is not None:
                problems.append(f"{c.shown()}: exists now, but did not when the plan was made")
            continue
        if st is None:
            problems.append(f"{c.shown()}: was removed since the plan was made")
            continue
        if not os.path.isfile(c.path) or os.path.islink(c.path):
            problems.append(f"{c.shown()}: not a regular file")
            continue
        if _read(c.path) != c.old:
            problems.append(f"{c.shown()}: changed since the plan was made (an edit made while sanlint planned "
                            "is never overwritten; run again)")
        if st.st_nlink > 1:
            problems.append(f"{c.shown()}: has {st.st_nlink} hard links; replacing it would split them "
                            "(copy it to a file of its own or change it by hand)")
        if not st.st_mode & 0o222:
            problems.append(f"{c.shown()}: is read-only (mode {st.st_mode & 0o7777:04o}); not changed "
                            "(make it writable to let sanlint change it)")
    if problems:
        raise ApplyError("; ".join(problems) + "; no file was changed", unchanged=[c.shown() for c in changes])


def _prepare(changes: list[Change], run_id: str, run_dir: str, command, kind: str) -> dict:
    entries = []
    for i, c in enumerate(changes):
        tmp, keep = _names(c.path, run_id)
        entry = {"path": c.path, "display": c.shown(), "new": f"{i}.new", "new_sha256": _sha(c.new),
                 "old_sha256": _sha(c.old), "orig": None, "tmp": tmp, "keep": keep}
        if c.old is not None:
            entry["orig"] = f"{i}.orig"
            entry.update(_meta(c.path))
            _write_new(os.path.join(run_dir, entry["orig"]), c.old)
            _point()
        _write_new(os.path.join(run_dir, entry["new"]), c.new)
        entries.append(entry)
    _fsync_dir(run_dir)
    doc = {"run": run_id, "kind": kind, "state": "prepared", "created_ns": time.time_ns(),
           "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "command": command or [],
           "files": entries}
    _write_new(os.path.join(run_dir, "journal.json"), json.dumps(doc, indent=1, sort_keys=True).encode())
    _fsync_dir(run_dir)
    _point()
    return doc


def _install(entry: dict, run_dir: str, run_id: str, notes: list[str], data: bytes | None = None) -> None:
    """Replace (or create) one file with its new version, atomically."""
    path = entry["path"]
    if data is None:
        data = Path(run_dir, entry["new"]).read_bytes()
    tmp, keep = entry["tmp"], entry["keep"]
    directory = os.path.dirname(path)
    _unlink(tmp)
    if entry["orig"] is None:
        mode = 0o666 & ~_umask()
        os.makedirs(directory, exist_ok=True)
    else:
        mode = entry["mode"]

    def finish(fd: int) -> None:
        if entry["orig"] is not None:
            _attrs(fd, entry, notes)
        os.fchmod(fd, mode)
        if entry["orig"] is not None:
            _xattrs_to(fd, entry, notes)

    _write_new(tmp, data, finish)
    _point()
    if entry["orig"] is None:
        os.link(tmp, path)  # never replaces a file that appeared meanwhile
        os.unlink(tmp)
    else:
        _unlink(keep)
        try:
            os.link(path, keep)  # the original stays reachable: undoing needs no free space
        except OSError:
            pass  # no hard links here: undo copies the original back from the run directory
        _point()
        os.rename(tmp, path)
    _fsync_dir(directory)
    _point()


def _umask() -> int:
    u = os.umask(0o022)
    os.umask(u)
    return u


def _attrs(fd: int, entry: dict, notes: list[str]) -> None:
    try:
        os.fchown(fd, entry["uid"], entry["gid"])
    except OSError:
        notes.append(f"{entry['display']}: owner {entry['uid']}:{entry['gid']} could not be kept "
                     f"(now {os.getuid()}:{os.getgid()})")


def _xattrs_to(fd: int, entry: dict, notes: list[str]) -> None:
    for name, value in sorted(entry.get("xattrs", {}).items()):
        try:
            os.setxattr(fd, name, base64.b64decode(value))
        except OSError as e:
            notes.append(f"{entry['display']}: extended attribute {name} could not be kept ({e.strerror})")


def _cleanup_tmp(entry: dict, run_id: str) -> None:
    _unlink(entry["tmp"])


def _failed(doc: dict, done: list[dict], failing: dict, err: OSError, run_dir: str) -> ApplyError:
    """Undo the files already replaced and build the exact report."""
    stuck = []
    for entry in reversed(done):
        try:
            _undo_one(entry, run_dir)
        except OSError as e:
            stuck.append(f"{entry['display']} ({e.strerror})")
    why = f"could not write {failing['display']}: {err.strerror or err}"
    if not stuck:
        doc["state"] = "rolled-back"
        try:
            _replace_json(os.path.join(run_dir, "journal.json"), doc)
        except OSError:
            pass  # the journal still says prepared: rollback sees every file at its original, a no-op
        restored = f" (the {len(done)} file(s) already replaced were put back)" if done else ""
        return ApplyError(f"{why}; no file was changed{restored}; the originals are kept in {run_dir}",
                          unchanged=[e["display"] for e in doc["files"]], run_id=doc["run"])
    changed = [s.split(" (")[0] for s in stuck]
    unchanged = [e["display"] for e in doc["files"] if e["display"] not in changed]
    return ApplyError(f"{why}; could not put back {', '.join(stuck)}: those hold their new version, every other "
                      f"file its original; `sanlint rollback {doc['run']} PATH...` restores them from {run_dir}",
                      changed=changed, unchanged=unchanged, run_id=doc["run"])


def _undo_one(entry: dict, run_dir: str) -> None:
    path = entry["path"]
    if entry["orig"] is None:
        if _sha(_read(path)) == entry["new_sha256"]:
            os.unlink(path)
            _fsync_dir(os.path.dirname(path))
        return
    keep = entry["keep"]
    if os.path.exists(keep) and _sha(_read(keep)) == entry["old_sha256"]:
        os.rename(keep, path)
        _fsync_dir(os.path.dirname(path))
    else:
        _restore_copy(entry, run_dir)


def _restore_copy(entry: dict, run_dir: str) -> None:
    """Put the original back from the run directory: bytes, owner, mode,
    extended attributes, mtime."""
    data = Path(run_dir, entry["orig"]).read_bytes()
    notes: list[str] = []
    tmp = entry["tmp"]
    _unlink(tmp)

    def finish(fd: int) -> None:
        _attrs(fd, entry, notes)
        os.fchmod(fd, entry["mode"])
        _xattrs_to(fd, entry, notes)
        os.utime(fd, ns=(entry["atime_ns"], entry["mtime_ns"]))

    _write_new(tmp, data, finish)
    os.rename(tmp, entry["path"])
    _fsync_dir(os.path.dirname(entry["path"]))


# -- rollback and completion ----------------------------------------------------------

def _find(state: str, run_id: str | None) -> dict:
    runs = list_runs(state)
    if not runs:
        raise ApplyError(f"no sanlint run recorded in {state}")
    if run_id is None:
        live = [d for d in runs if d.get("state") != "rolled-back"]
        if not live:
            raise ApplyError(f"every run recorded in {state} is already rolled back")
        return live[-1]
    for d in runs:
        if d["run"] == run_id:
            return d
    raise ApplyError(f"no run {run_id} in {state} (runs: {', '.join(d['run'] for d in runs)})")


def _sort(doc: dict, target: str, source: str) -> tuple[list[dict], list[str]]:
    """Files holding the `source` version are still to be turned into their
    `target` version (`todo`); those at `target` are done; anything else was
    changed by someone since (`conflicts`, by display path)."""
    todo, conflicts = [], []
    for e in doc["files"]:
        cur = _sha(_read(e["path"]))
        if cur == e[target]:
            continue
        if cur == e[source]:
            todo.append(e)
        else:
            conflicts.append(e["display"])
    return todo, conflicts


def _close(doc: dict, state: str) -> None:
    """Mark a run over, after removing its temporary files and kept links."""
    for e in doc["files"]:
        _unlink(e["tmp"])
        _unlink(e["keep"])
    doc["state"] = state
    doc["tidy"] = True
    _replace_json(os.path.join(doc.pop("_dir"), "journal.json"), doc)


def rollback(state: str, run_id: str | None = None) -> RunResult:
    """Put back the originals of a run (the last one not yet rolled back when
    `run_id` is None), byte for byte, with owner, mode, attributes and mtime.
    A file that holds neither its original nor sanlint's version was changed
    by someone since: then nothing at all is restored."""
    with _Lock(state):
        doc = _find(state, run_id)
        run_dir = doc["_dir"]
        if doc.get("state") == "rolled-back":
            raise ApplyError(f"run {doc['run']} is already rolled back")
        todo, conflicts = _sort(doc, target="old_sha256", source="new_sha256")
        missing = [e["display"] for e in todo if e["orig"] and not os.path.exists(os.path.join(run_dir, e["orig"]))]
        if conflicts:
            raise ApplyError(f"changed since run {doc['run']} (neither the original nor sanlint's version): "
                             f"{', '.join(conflicts)}; nothing was restored")
        if missing:
            raise ApplyError(f"the originals of {', '.join(missing)} are not in {run_dir} (--no-backup); "
                             "nothing was restored")
        restored = []
        for e in todo:
            try:
                _undo_one(e, run_dir)
            except OSError as err:
                raise ApplyError(f"could not restore {e['display']}: {err.strerror or err}; restored so far: "
                                 f"{', '.join(restored) or 'none'} (run the rollback again)",
                                 changed=[x["display"] for x in todo if x["display"] not in restored]) from None
            restored.append(e["display"])
            _point()
        _close(doc, "rolled-back")
        return RunResult(doc["run"], run_dir, restored)


def complete(state: str, run_id: str | None = None) -> RunResult:
    """Finish an interrupted run: install the new version of every file that
    still holds its original."""
    with _Lock(state):
        doc = _find(state, run_id)
        run_dir = doc["_dir"]
        if doc.get("state") != "prepared":
            raise ApplyError(f"run {doc['run']} is {doc.get('state')}, not interrupted")
        todo, conflicts = _sort(doc, target="new_sha256", source="old_sha256")
        if conflicts:
            raise ApplyError(f"changed since run {doc['run']} was interrupted: {', '.join(conflicts)}; nothing was "
                             "changed")
        notes: list[str] = []
        for e in todo:
            try:
                _install(e, run_dir, doc["run"], notes)
            except OSError as err:
                _unlink(e["tmp"])
                raise ApplyError(f"could not write {e['display']}: {err.strerror or err}; the run is still "
                                 "interrupted (roll it back or complete it again)") from None
        _close(doc, "done")
        return RunResult(doc["run"], run_dir, [e["display"] for e in todo], notes)

