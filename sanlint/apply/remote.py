"""One run over several places: this machine's files and ssh:// nodes.

`check --fix` and `migrate NAME --write` plan on private copies of the nodes
(sanlint.remote.ssh); `carry_out` then changes the real files as one run,
with one RUN-ID on every node:

1. **Check, everywhere, before anything changes** (in parallel): each node
   reads its files again and compares them with the bytes the plan was made
   from (any difference: stop), runs the local preflight (hard links,
   read-only files), and validates every new file with its own tool of the
   version the site runs (`sanlint.apply.node.validate`: drbdadm /
   drbdadm-84 / drbdadm-83 `-c COPY dump all` on a private copy of the DRBD
   tree with the new files in place, `lvmconfig --validate`, `tgt-admin -p`,
   `crm_verify --xml-file`, `corosync -t` on a live node).  Any refusal on
   any node: nothing is changed anywhere.
2. **Change, one place at a time**: each node runs the local transaction
   layer (`sanlint.apply.local.apply`, the same code, sent to the node's
   python3): originals kept with owner, mode, mtime, attributes under
   `ROOT/var/lib/sanlint/backups/RUN-ID/`, a journal, every file replaced
   atomically (temporary file in the same directory, fsync, rename, fsync
   of the directory), keeping owner and mode.
3. **Any failure on any place rolls back every place already changed**
   (`rollback RUN-ID` there), and the message says what holds what.

Remote commands are argument lists quoted per argument; the only command
sent is `python3 -c BOOT` (a constant).  Paths and contents travel on stdin
as JSON, so nothing read from a configuration ever reaches a shell.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sanlint.apply import local
from sanlint.apply.local import ApplyError, Change

# The one program run on a node: it reads the modules and the request from stdin.
BOOT = """import json, sys, types
d = sys.stdin.buffer.read()
h, _, d = d.partition(b"\\n")
for p in ("sanlint", "sanlint.apply"):
    sys.modules[p] = types.ModuleType(p)
    sys.modules[p].__path__ = []
sys.modules["sanlint"].apply = sys.modules["sanlint.apply"]
for name, n in json.loads(h):
    m = sys.modules[name] = types.ModuleType(name)
    setattr(sys.modules["sanlint.apply"], name.rsplit(".", 1)[1], m)
    exec(compile(d[:n], "<sanlint:" + name + ">", "exec"), m.__dict__)
    d = d[n:]
sys.modules["sanlint.apply.node"].main(d)
"""
PYTHON = "python3"
CIB_REL = "var/lib/pacemaker/cib/cib.xml"
MODULES = ("local", "node")


def _program() -> bytes:
    here = Path(__file__).resolve().parent
    parts = [(f"sanlint.apply.{m}", (here / f"{m}.py").read_bytes()) for m in MODULES]
    return json.dumps([[n, len(src)] for n, src in parts]).encode() + b"\n" + b"".join(src for _, src in parts)


def format_of(rel: str) -> str:
    from sanlint import formats

    for pattern, fmt in formats.host_patterns():
        if fnmatch.fnmatchcase(rel, pattern):
            return fmt
    if rel.endswith("var/lib/pacemaker/cib/cib.xml"):
        return "cib"
    return ""


# -- places ---------------------------------------------------------------------------

@dataclass
class Step:
    """A file of one place: `path` is local (this machine) or ROOT-relative (a node)."""

    path: str
    old: bytes | None
    new: bytes
    display: str
    format: str = ""


class Place:
    label = ""
    where = ""  # the state directory, as shown

    def check(self, steps: list[Step], drbd: str | None) -> dict: ...
    def apply(self, steps: list[Step], run_id: str, keep: bool, command: list[str], kind: str) -> dict: ...
    def rollback(self, run_id: str | None, complete: bool = False) -> dict: ...
    def runs(self) -> list[dict]: ...


class LocalPlace(Place):
    """Files on this machine (a site, a host root, a crm file beside ssh nodes)."""

    def __init__(self, state: str):
        self.state = state
        self.label = "this machine"
        self.where = os.path.join(state, local.RUNS)

    @staticmethod
    def _changes(steps):
        return [Change(s.path, s.old, s.new, s.display) for s in steps]

    def check(self, steps, drbd):
        try:
            local._preflight(self._changes([s for s in steps if s.old != s.new]))
        except ApplyError as e:
            return {"ok": False, "error": str(e).replace("; no file was changed", "")}
        return {"ok": True, "notes": []}

    def apply(self, steps, run_id, keep, command, kind):
        try:
            r = local.apply(self._changes(steps), self.state, keep_backups=keep, command=command, kind=kind,
                            run_id=run_id)
        except ApplyError as e:
            return {"ok": False, "error": str(e), "changed": e.changed, "run": e.run_id}
        return {"ok": True, "run": r.run_id, "run_dir": r.run_dir, "changed": r.changed, "notes": r.notes,
                "kept": r.kept}

    def rollback(self, run_id, complete=False):
        try:
            r = (local.complete if complete else local.rollback)(self.state, run_id)
        except ApplyError as e:
            return {"ok": False, "error": str(e), "changed": e.changed}
        return {"ok": True, "run": r.run_id, "run_dir": r.run_dir, "changed": r.changed, "notes": r.notes}

    def runs(self):
        return local.list_runs(self.state)


class NodePlace(Place):
    """An ssh:// node: requests answered by `sanlint.apply.node` run there."""

    def __init__(self, session, target, label: str | None = None):
        self.session, self.target = session, target
        self.label = label or target.label
        self.root = target.root
        self.where = f"{target.display()}var/lib/sanlint/{local.RUNS}"

    def call(self, req: dict, timeout: float = 900) -> dict:
        from sanlint.remote.ssh import RemoteError, _last_line

        req = dict(req, root=self.root)
        kill = os.environ.get("SANLINT_NODE_KILL_AT")  # tests only: kill -9 on the node at a numbered point
        if kill and req["op"] == "apply":
            req["kill_at"] = int(kill)
        p = self.session.run(self.target, [PYTHON, "-c", BOOT], data=_program() + json.dumps(req).encode(),
                             timeout=timeout)
        try:
            answer = json.loads(p.stdout)
        except ValueError:
            why = _last_line(p.stderr) if p.stderr.strip() else f"exit {p.returncode}, no answer"
            if p.returncode == 127 or "python3: not found" in why or "No such file" in why:
                why = f"python3 is needed on the node ({why})"
            raise RemoteError(f"{self.label}: {why}") from None
        return answer

    def _safe(self, req: dict) -> dict:
        from sanlint.remote.ssh import RemoteError

        try:
            return self.call(req)
        except RemoteError as e:
            return {"ok": False, "error": str(e), "changed": None}  # None: not known

    @staticmethod
    def _wire(steps):
        return [{"rel": s.path, "old": None if s.old is None else base64.b64encode(s.old).decode(),
                 "new": base64.b64encode(s.new).decode(), "format": s.format, "display": s.display} for s in steps]

    def check(self, steps, drbd):
        return self._safe({"op": "check", "changes": self._wire(steps), "drbd": drbd})

    def apply(self, steps, run_id, keep, command, kind):
        return self._safe({"op": "apply", "changes": self._wire(steps), "run": run_id, "keep_backups": keep,
                           "command": command, "kind": kind})

    def rollback(self, run_id, complete=False):
        return self._safe({"op": "complete" if complete else "rollback", "run": run_id})

    def runs(self):
        a = self.call({"op": "list"})
        if not a.get("ok"):
            from sanlint.remote.ssh import RemoteError

            raise RemoteError(f"{self.label}: {a.get('error')}")
        return a["runs"]


# -- the plan -----------------------------------------------------------------------------

@dataclass
class Plan:
    groups: list[tuple[Place, list[Step]]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # changes that cannot be carried out (archives)
    notes: list[str] = field(default_factory=list)

    @property
    def remote(self) -> bool:
        return any(isinstance(p, NodePlace) for p, _ in self.groups)

    def describe(self) -> str:
        out = []
        for place, steps in self.groups:
            out.append(f"{place.label}: {len(steps)} file(s); originals kept in {place.where}/RUN-ID/")
            for s in steps:
                what = "new file" if s.old is None else "replace"
                out.append(f"  {what:<8} {s.display}" + (f" ({s.format})" if s.format else ""))
        out += self.notes
        return "\n".join(out) + "\n"


def make_plan(changes: list[Change], nodes, local_state: str, formats: dict[str, str] | None = None) -> Plan:
    """Sort `changes` (real local paths: files of this machine or of the
    nodes' private copies) by place."""
    formats = formats or {}
    plan = Plan()
    homes = []
    for f in (nodes.fetched if nodes is not None else []):
        homes.append((os.path.realpath(f.local), f))
    per_node: dict[int, list[Step]] = {}
    local_steps: list[Step] = []
    cib_on = None
    for c in changes:
        real = os.path.realpath(c.path)
        home = next(((r, f) for r, f in homes if real == r or real.startswith(r + os.sep)), None)
        if home is None:
            local_steps.append(Step(c.path, c.old, c.new, c.shown(), formats.get(real, "")))
            continue
        r, f = home
        rel = os.path.relpath(real, r).replace(os.sep, "/")
        if f.target is None:
            plan.refused.append(f"{c.shown()}: in an archive ({f.label}); archives are read, never changed")
            continue
        if rel == CIB_REL and f.target.root == "/":  # a live cluster's CIB: changed once, on one node
            if cib_on is not None:
                plan.notes.append(f"{c.shown()}: the CIB is the cluster's: changed once, through cibadmin on "
                                  f"{cib_on}; Pacemaker carries it to {f.name}")
                continue
            cib_on = f.name
        per_node.setdefault(id(f), []).append(Step(rel, c.old, c.new, c.shown(), formats.get(real) or format_of(rel)))
    if local_steps:
        plan.groups.append((LocalPlace(local_state), local_steps))
    for _, f in homes:
        if id(f) in per_node:
            plan.groups.append((NodePlace(nodes.session, f.target, f.name), per_node[id(f)]))
    return plan


# -- carrying it out ---------------------------------------------------------------------

@dataclass
class Done:
    run_id: str
    places: list[tuple[Place, dict]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        return [d for _, a in self.places for d in a.get("changed") or []]


def check_all(plan: Plan, drbd: str | None, progress=None) -> tuple[list[str], list[str]]:
    """Step 1 on every place at once: (problems, notes)."""
    problems, notes = [], []
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(plan.groups)))) as pool:
        futures = [(place, pool.submit(place.check, steps, drbd)) for place, steps in plan.groups]
        for place, fut in futures:
            a = fut.result()
            if progress:
                progress(f"{place.label}: {'checked' if a.get('ok') else 'REFUSED'}")
            if not a.get("ok"):
                problems.append(f"{place.label}: {a.get('error')}")
            notes += [f"{place.label}: {n}" for n in a.get("notes") or []]
    return problems, notes


def carry_out(plan: Plan, keep_backups: bool = True, command: list[str] | None = None, kind: str = "fix",
              drbd: str | None = None, progress=None) -> Done:
    """Steps 1-3 of the module doc.  Raises ApplyError saying exactly which
    place holds what."""
    if plan.refused:
        raise ApplyError("; ".join(plan.refused) + "; nothing was changed anywhere")
    groups = [(p, s) for p, s in plan.groups if s]
    if not groups:
        return Done("")
    if len(groups) == 1 and isinstance(groups[0][0], LocalPlace):  # this machine only: the plain local run
        place, steps = groups[0]
        r = local.apply(place._changes(steps), place.state, keep_backups=keep_backups, command=command, kind=kind)
        return Done(r.run_id, [(place, {"ok": True, "run": r.run_id, "run_dir": r.run_dir, "changed": r.changed,
                                        "notes": r.notes, "kept": r.kept})], list(r.notes))
    problems, notes = check_all(plan, drbd, progress)
    if problems:
        raise ApplyError("; ".join(problems) + "; nothing was changed on any node")
    run_id = local.new_run_id()
    done = Done(run_id, notes=notes)
    for place, steps in groups:
        answer = place.apply(steps, run_id, keep_backups, command or [], kind)
        if progress:
            progress(f"{place.label}: {'changed' if answer.get('ok') else 'FAILED'}")
        if not answer.get("ok"):
            raise _undo(done, place, answer, run_id)
        done.places.append((place, answer))
        done.notes += [f"{place.label}: {n}" for n in answer.get("notes") or []]
        local._point()  # kill -9 tests: between two places
    return done


def _undo(done: Done, failed: Place, answer: dict, run_id: str) -> ApplyError:
    """Roll back every place already changed; the message says what holds what."""
    why = f"{failed.label}: {answer.get('error')}"
    stuck, back = [], []
    changed_there = answer.get("changed")
    todo = [p for p, _ in reversed(done.places)]
    if changed_there is None or changed_there:  # the failed place may hold part of the run: undo it there too
        todo.insert(0, failed)
    for place in todo:
        a = place.rollback(run_id)
        if place is failed and not a.get("ok") and "no run" in str(a.get("error")):
            continue  # it never got as far as starting the run
        (back if a.get("ok") else stuck).append((place, a))
    if changed_there is None:  # the node could not say (connection lost): its journal can
        why += f" (the state of {failed.label} is unknown: `sanlint rollback {run_id} TARGET...` puts it back " \
               "if it was changed)"
    elif changed_there:
        why += f" ({failed.label} still holds the new version of {', '.join(changed_there)})"
    msg = why
    if back:
        msg += f"; rolled back on {', '.join(p.label for p, _ in back)}"
    if stuck:
        msg += "; could NOT roll back " + ", ".join(f"{p.label} ({a.get('error')})" for p, a in stuck)
        msg += f": `sanlint rollback {run_id} TARGET...` once they are reachable"
    elif changed_there is not None and not changed_there:
        msg += "; nothing was changed on any node"
    err = ApplyError(msg, changed=[d for _, a in stuck for d in a.get("changed") or []], run_id=run_id)
    return err


# -- rollback over several places ------------------------------------------------------------

def roll_back(places: list[Place], run_id: str | None, complete: bool = False) -> tuple[list[tuple[Place, dict]], str]:
    """Undo (or finish) run `run_id` (None: the newest run not yet rolled back
    on any of the places) on every place that has it, the places in
    parallel: ([(place, answer)], id)."""
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(places)))) as pool:
        listed = list(pool.map(lambda p: {d["run"]: d for d in p.runs()}, places))
        if run_id is None:
            wanted = {"prepared"} if complete else {"prepared", "done"}
            newest = [(d.get("created_ns", 0), d["run"]) for have in listed for d in have.values()
                      if d.get("state") in wanted]
            if not newest:
                what = "interrupted run to complete" if complete else "run to roll back"
                raise ApplyError(f"no {what} on " + ", ".join(p.label for p in places))
            run_id = max(newest)[1]

        def one(i: int) -> dict:
            p, have = places[i], listed[i]
            if run_id not in have:
                return {"ok": True, "changed": [], "notes": [f"no run {run_id} here"]}
            if have[run_id].get("state") == "rolled-back" and not complete:
                return {"ok": True, "changed": [], "notes": [f"run {run_id} already rolled back here"]}
            return p.rollback(run_id, complete)

        answers = list(pool.map(one, range(len(places))))
    return list(zip(places, answers)), run_id


def refresh_copies(plan: Plan, changes: list[Change], nodes) -> None:
    """After a run, the nodes' private copies hold the new versions too (the
    result is checked again from them)."""
    homes = [os.path.realpath(f.local) for f in (nodes.fetched if nodes is not None else [])]
    for c in changes:
        real = os.path.realpath(c.path)
        if any(real.startswith(h + os.sep) for h in homes):
            os.makedirs(os.path.dirname(real), exist_ok=True)
            with open(real, "wb") as fh:
                fh.write(c.new)


def progress_printer():
    """Lines for the nodes reached, on a terminal only: standard error and
    standard output both terminals, as for sanlint.progress (never in pipes)."""
    if not (sys.stderr.isatty() and sys.stdout.isatty()):
        return None

    def say(text: str) -> None:
        sys.stderr.write(f"sanlint: {text}\n")
        sys.stderr.flush()

    return say
