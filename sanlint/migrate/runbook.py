"""A migration's plan as a runbook: ordered, typed steps per node.

Each migrator's `runbook(ctx)` returns `Step`s in the order an admin runs
them, node after node, with the real node names of the site (its hosts, and
the Pacemaker node name each host has in the cluster configuration):

* `maintenance` - standby / maintenance mode / stopping a resource group, so
  the change does not move or kill anything behind the cluster's back;
* `backup`      - what no file restores (DRBD metadata before `create-md`
  converts it, the running CIB before it is replaced), saved on the node
  under `STAGE/<migrator>/`;
* `file-change` - the migrated files of that node; they are written by
  `sanlint migrate NAME --write` (one `sanlint.apply` run, undone by
  `sanlint rollback RUN-ID`), the step only names them;
* `service`     - the commands that make the daemons use the change
  (`drbdadm adjust`, `crm configure load update`, ...);
* `check`       - a read-only command whose exit status says whether it is
  safe to go on (`drbdadm status`, `crm_mon -1`, `crm_verify -L`);
* `manual`      - what only the admin can do (install packages of the new
  version): `--run-steps` stops there.

Every step carries its rollback (an argument list) or says why there is
none.  Commands are argument lists, never shell strings; a step that saves
a command's output names the file (`stdout`), and the text output shows it
as `> FILE`.  A step applies to resources (`units`): `mode="all"` appends
them to one command (`drbdadm adjust r0 r1 ...`), `mode="each"` runs the
command once per resource with `{res}` (and the resource's own values such
as `{minor}`) filled in.  Printed, a step is shown once with the resources
it applies to, so a site with 3,000 resources gets one `drbdadm adjust`
step, not 3,000 lines.

`execute(runbook, runner)` runs the steps for `--run-steps` (see
`sanlint.migrate.steps`).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from sanlint.migrate.base import MigrationPlan
    from sanlint.model import Site

KINDS = ("maintenance", "backup", "file-change", "service", "check", "manual")
RUNNABLE = ("maintenance", "backup", "service", "check")
STAGE = "/var/lib/sanlint/runbook"  # where a runbook keeps backups and staged files on a node
EXPAND = 4  # up to this many resources, every command is printed in full
_TOKEN = re.compile(r"\{([a-z_]+)\}")


@dataclass
class Node:
    """A node of the runbook: the site's host name (where steps run) and its
    name in the cluster (what `crm node standby` takes)."""

    host: str
    cluster_name: str

    @property
    def label(self) -> str:
        return self.host if self.host == self.cluster_name else f"{self.host} ({self.cluster_name})"


@dataclass
class Step:
    kind: str
    title: str
    node: str  # the site host the step runs on
    argv: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # the resources it applies to
    mode: str = "once"  # once | all (units appended to argv) | each (argv per unit, {res} filled in)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # unit -> {token: value} for mode each
    stdout: str | None = None  # file on the node that receives the command's output
    rollback: list[str] = field(default_factory=list)  # argv (same mode/units as the step)
    rollback_note: str = ""  # what the rollback does, or why there is none
    rollback_mode: str | None = None  # None: as the step's mode
    rollback_units: list[str] | None = None  # None: the step's units
    files: list[str] = field(default_factory=list)  # file-change: the files (as displayed)
    caveats: list[str] = field(default_factory=list)
    scope: str = "node"  # node | cluster (done once for the whole cluster, on this node)
    number: int = 0

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert self.mode in ("once", "all", "each"), self.mode
        assert self.rollback or self.rollback_note, f"step {self.title!r} has no rollback and says not why"

    # -- concrete commands ---------------------------------------------------------
    def _fill(self, argv: list[str], unit: str) -> list[str]:
        vals = {"res": unit, **self.values.get(unit, {})}
        return [_TOKEN.sub(lambda m: vals.get(m.group(1), m.group(0)), a) for a in argv]

    def _expand(self, argv: list[str], stdout: str | None, mode: str,
                units: list[str]) -> list[tuple[list[str], str | None]]:
        if not argv:
            return []
        if mode == "all":
            return [(argv + units, stdout)]
        if mode == "each":
            return [(self._fill(argv, u), self._fill([stdout], u)[0] if stdout else None) for u in units]
        return [(list(argv), stdout)]

    def commands(self) -> list[tuple[list[str], str | None]]:
        """(argv, stdout file or None) for every command the step runs."""
        return self._expand(self.argv, self.stdout, self.mode, self.units)

    def rollback_commands(self) -> list[tuple[list[str], str | None]]:
        return self._expand(self.rollback, None, *self._rollback_shape())

    def _rollback_shape(self) -> tuple[str, list[str]]:
        return (self.rollback_mode or self.mode,
                self.units if self.rollback_units is None else self.rollback_units)

    @property
    def runnable(self) -> bool:
        return self.kind in RUNNABLE and bool(self.argv)

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "title": self.title, "node": self.node,
                "scope": self.scope, "argv": self.argv, "mode": self.mode, "applies_to": self.units,
                "values": self.values, "stdout": self.stdout,
                "commands": [{"argv": a, "stdout": o} for a, o in self.commands()],
                "rollback": {"argv": self.rollback, "note": self.rollback_note, "mode": self._rollback_shape()[0],
                             "commands": [a for a, _ in self.rollback_commands()]},
                "files": self.files, "caveats": self.caveats}


@dataclass
class Runbook:
    migrator: str
    nodes: list[Node] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # caveats for the whole runbook

    def number(self) -> "Runbook":
        for i, s in enumerate(self.steps, 1):
            s.number = i
        return self

    def to_json(self) -> dict[str, Any]:
        return {"migrator": self.migrator, "stage": f"{STAGE}/{self.migrator}",
                "nodes": [{"host": n.host, "cluster_name": n.cluster_name} for n in self.nodes],
                "notes": self.notes, "steps": [s.to_json() for s in self.steps]}


# -- what a migrator's runbook is built from --------------------------------------------

@dataclass
class FileRef:
    display: str  # as the report shows it
    on_node: str  # its path on the node (/etc/drbd.d/r0.res); cluster-wide files: a staged copy
    created: bool = False  # a new file (else an edited one)


@dataclass
class Context:
    migrator: Any
    site: "Site"
    plan: "MigrationPlan"
    nodes: list[Node]
    files: dict[str, list[FileRef]]  # host -> the migrated files on that node
    cluster_files: list[FileRef]  # cluster-wide configuration (crm text / CIB not under a host)
    clustered: bool  # a Pacemaker configuration with these nodes

    @property
    def stage(self) -> str:
        return f"{STAGE}/{self.migrator.name}"

    @property
    def first(self) -> Node:
        return self.nodes[0]

    def node_files(self, host: str) -> list[FileRef]:
        return self.files.get(host, [])

    # -- steps every migrator uses ---------------------------------------------------
    def file_change(self, node: Node, what: str, refs: list[FileRef] | None = None) -> Step:
        refs = self.node_files(node.host) if refs is None else refs
        return Step("file-change", f"Install the migrated {what} on {node.host}", node.host,
                    files=[f"{r.display} -> {node.host}:{r.on_node}" if r.display != r.on_node else r.on_node
                           for r in refs],
                    rollback_note="`sanlint rollback RUN-ID` restores the originals byte for byte (the run id is "
                                  "printed by `sanlint migrate ... --write`)")

    def stage_cluster_config(self, node: Node, ref: FileRef) -> Step:
        return Step("file-change", f"Copy the migrated cluster configuration to {node.host} (a staging copy, not "
                    "into the cluster's own files)", node.host, files=[f"{ref.display} -> {node.host}:{ref.on_node}"],
                    scope="cluster", rollback_note="a copy outside the configuration: nothing to undo")

    def crm_mon(self, node: Node, why: str) -> Step:
        return Step("check", f"Check the cluster state: {why}", node.host, ["crm_mon", "-1"],
                    rollback_note="read-only: nothing to undo")

    def standby(self, node: Node) -> list[Step]:
        return [Step("maintenance", f"Put {node.cluster_name} in standby: the cluster moves its resources to the "
                     "other node(s)", node.host, ["crm", "node", "standby", node.cluster_name],
                     rollback=["crm", "node", "online", node.cluster_name],
                     rollback_note="takes the node out of standby"),
                self.crm_mon(node, f"{node.cluster_name} is standby and runs no resource")]

    def online(self, node: Node) -> list[Step]:
        return [Step("maintenance", f"Take {node.cluster_name} out of standby", node.host,
                     ["crm", "node", "online", node.cluster_name],
                     rollback=["crm", "node", "standby", node.cluster_name], rollback_note="puts it back in standby"),
                self.crm_mon(node, f"{node.cluster_name} is online and its resources started")]

    def maintenance_mode(self, node: Node, on: bool) -> Step:
        val, back = ("true", "false") if on else ("false", "true")
        title = ("Put the cluster in maintenance mode: Pacemaker stops managing (starting, stopping, moving) "
                 "resources, which keep running") if on else "Leave maintenance mode: Pacemaker manages the resources again"
        return Step("maintenance", title, node.host, ["crm", "configure", "property", f"maintenance-mode={val}"],
                    rollback=["crm", "configure", "property", f"maintenance-mode={back}"],
                    rollback_note="sets it back", scope="cluster")

    def verify_live(self, node: Node) -> Step:
        return Step("check", "The running configuration is valid", node.host, ["crm_verify", "--live-check"],
                    rollback_note="read-only: nothing to undo", scope="cluster")

    def upgrade_cib(self, node: Node, cib_name: str = "cib-before.xml") -> Step:
        return Step("service", "Raise the CIB to the newest schema the new Pacemaker knows (its own upgrade "
                    "transforms: obsolete properties moved or dropped)", node.host, ["cibadmin", "--upgrade", "--force"],
                    scope="cluster",
                    rollback_note=f"none: one-way while the new Pacemaker runs; going back to the old release "
                                  f"means its packages and the CIB saved in {self.stage}/{cib_name}",
                    caveats=["Promoted/Unpromoted roles and promotable clones need schema pacemaker-3.7 or later"])

    def save_cib(self, node: Node, name: str = "cib-before.xml",
                 what: str = "the running cluster configuration (the CIB) before anything changes") -> Step:
        return Step("backup", f"Save {what}", node.host, ["cibadmin", "--query"], stdout=f"{self.stage}/{name}",
                    scope="cluster", rollback_note="read-only: nothing to undo; the copy is what a rollback loads")

    def load_cluster_config(self, node: Node, ref: FileRef) -> list[Step]:
        """The CIB saved right before, then the load; the load's rollback is
        crmsh loading that copy back (it applies the difference: `cibadmin
        --replace` of an older copy is refused, "Update was older than
        existing configuration" - both checked on a CIB_file copy)."""
        name = "cib-before-load.xml"
        if ref.on_node.endswith(".xml"):
            argv = ["cibadmin", "--replace", "--xml-file", ref.on_node]
        else:
            # update, not replace: replace would also drop maintenance-mode=true (set on the
            # running CIB, not in the file) and hand the resources back mid-change; update
            # retypes objects by id (ms -> clone), checked with crmsh on a CIB_file copy
            argv = ["crm", "configure", "load", "update", ref.on_node]
        return [self.save_cib(node, name, "the configuration right before the load"),
                Step("service", "Load the migrated cluster configuration", node.host, argv, scope="cluster",
                     rollback=["crm", "configure", "load", "xml", "replace", f"{self.stage}/{name}"],
                     rollback_note="crmsh puts back the configuration saved right before",
                     caveats=["never copy cib.xml by hand: Pacemaker keeps it signed and refuses edited copies"])]


def build_context(migrator, site, plan, outcome) -> Context:
    """The nodes (site hosts in natural order, each with its cluster node name)
    and the migrated files per node, from the realised migration."""
    import os

    from sanlint.report.natsort import natural_sorted
    from sanlint.views import cluster_node_names, same_host

    cluster_names = cluster_node_names(site)
    nodes = []
    for host in natural_sorted([h for h in site.hosts if h]):
        cname = next((c for c in cluster_names if same_host(c, host)), host)
        nodes.append(Node(host, cname))
    if not nodes:  # a lone file: the cluster's own node names
        nodes = [Node(c, c) for c in cluster_names]
    files: dict[str, list[FileRef]] = {}
    cluster_files: list[FileRef] = []
    stage = f"{STAGE}/{migrator.name}"

    def place(host: str | None, real: str, display: str, fmt: str | None, created: bool = False) -> None:
        h = site.hosts.get(host) if host else None
        root = getattr(h, "root", None)
        # the cluster-wide configuration is loaded through Pacemaker's tools, never installed as a file
        if host and root is not None and fmt not in ("crm", "cib"):
            rel = os.path.relpath(real, os.path.realpath(str(root)))
            if not rel.startswith(".."):
                files.setdefault(host, []).append(FileRef(display, "/" + rel, created))
                return
        cluster_files.append(FileRef(display, f"{stage}/{os.path.basename(display)}"))

    if outcome is not None:
        for real in sorted(outcome.new, key=outcome.display.get):
            src = outcome.sources[real]
            place(src.host, real, outcome.display[real], src.format)
        made = {}
        from sanlint.migrate.engine import new_file_destination

        for nf in plan.new_files():
            made[new_file_destination(nf, site, None) or ""] = nf
        for dest in sorted(outcome.created, key=outcome.display.get):
            nf = made.get(dest)
            place(nf.host if nf else None, dest, outcome.display[dest], nf.format if nf else None, True)
    clustered = bool(cluster_names) and any(True for _ in site.all_clusters())
    return Context(migrator, site, plan, nodes, files, cluster_files, clustered)


def build(migrator, site, plan, outcome=None) -> Runbook:
    ctx = build_context(migrator, site, plan, outcome)
    rb = Runbook(migrator.name, ctx.nodes)
    if ctx.nodes:
        rb.steps, rb.notes = migrator.runbook(ctx)
    return rb.number()


def generic_steps(ctx: Context) -> tuple[list[Step], list[str]]:
    """A migrator without a runbook of its own: its files, node by node."""
    steps = [ctx.file_change(n, "files") for n in ctx.nodes if ctx.node_files(n.host)]
    for ref in ctx.cluster_files:
        steps.append(ctx.file_change(ctx.first, "cluster configuration", [ref]))
    return steps, []


# -- text ---------------------------------------------------------------------------------

def shell_words(argv: list[str]) -> str:
    import shlex

    return " ".join(a if _TOKEN.fullmatch(a) else shlex.quote(a) for a in argv)


def compress(names: list[str]) -> str:
    """Resource names, runs of numbered names folded (`r{0..2999}`)."""
    groups: list[tuple[str, list[int]] | str] = []
    for name in names:
        m = re.fullmatch(r"(.*?)(0|[1-9][0-9]*)", name)
        if m:
            prefix, n = m.group(1), int(m.group(2))
            last = groups[-1] if groups else None
            if isinstance(last, tuple) and last[0] == prefix and last[1][-1] == n - 1:
                last[1].append(n)
                continue
            groups.append((prefix, [n]))
        else:
            groups.append(name)
    out = []
    for g in groups:
        if isinstance(g, str):
            out.append(g)
        elif len(g[1]) > 2:
            out.append(f"{g[0]}{{{g[1][0]}..{g[1][-1]}}}")
        else:
            out.extend(f"{g[0]}{n}" for n in g[1])
    return " ".join(out)


def _command_lines(step: Step, argv: list[str], stdout: str | None, mode: str, units: list[str]) -> list[str]:
    if not argv:
        return []
    if mode == "all" and len(units) > EXPAND:
        return [f"{shell_words(argv)} RESOURCE...  (the {len(units)} resources below)"]
    if mode == "each" and len(units) > EXPAND:
        line = shell_words(argv) + (f" > {stdout}" if stdout else "")
        return [f"{line}  (once per resource below, {{res}} = its name)"]
    out = []
    for a, o in step._expand(argv, stdout, mode, units):
        out.append(shell_words(a) + (f" > {shell_words([o])}" if o else ""))
    return out


def render_text(rb: Runbook) -> str:
    if not rb.steps:
        return ""
    w = [f"Runbook ({len(rb.steps)} steps; nodes in order: {', '.join(n.label for n in rb.nodes)}; "
         f"backups on each node under {STAGE}/{rb.migrator}/):\n"]
    for note in rb.notes:
        w.append(textwrap.fill(note, 100, initial_indent="  ! ", subsequent_indent="    ") + "\n")
    current = None
    for s in rb.steps:
        if s.node != current:
            current = s.node
            node = next((n for n in rb.nodes if n.host == s.node), None)
            w.append(f"\n  on {node.label if node else s.node}:\n")
        scope = " (once for the cluster)" if s.scope == "cluster" else ""
        w.append(f"  {s.number:>3}. [{s.kind}] {s.title}{scope}\n")
        for line in _command_lines(s, s.argv, s.stdout, s.mode, s.units):
            w.append(f"         $ {line}\n")
        for f in s.files:
            w.append(f"         file {f}\n")
        if s.units and (s.mode == "once" or len(s.units) > EXPAND):
            w.append(textwrap.fill(compress(s.units), 100, initial_indent=f"         applies to ({len(s.units)}): ",
                                   subsequent_indent="           ", break_on_hyphens=False) + "\n")
        for line in _command_lines(s, s.rollback, None, *s._rollback_shape()):
            w.append(f"         rollback: $ {line}\n")
        if s.rollback_note:
            w.append(textwrap.fill(s.rollback_note, 100, initial_indent="         rollback: "
                                   if not s.rollback else "           (", subsequent_indent="           ")
                     + (")" if s.rollback else "") + "\n")
        for cav in s.caveats:
            w.append(textwrap.fill(cav, 100, initial_indent="         ! ", subsequent_indent="           ") + "\n")
    return "".join(w)


PLACEHOLDER = re.compile(r"<[^<>\s]*>|CHOOSE-|<\.\.\.>")


def placeholders(text: str) -> list[str]:
    """Placeholder spellings (`<node>`, `<...>`, CHOOSE-...) left in a runbook's text."""
    return PLACEHOLDER.findall(text)


# -- running (`--run-steps`) ------------------------------------------------------------

@dataclass
class Ran:
    step: Step
    argv: list[str]
    returncode: int
    output: str = ""


@dataclass
class Execution:
    ran: list[Ran] = field(default_factory=list)
    done: list[Step] = field(default_factory=list)  # steps completed, in order
    stopped: Step | None = None  # the step the run stopped at
    failed: bool = False  # stopped by a failed command or check (else: paused at a step sanlint does not do)
    message: str = ""


Runner = Callable[[str, list[str], "str | None"], tuple[int, str]]


def execute(rb: Runbook, runner: Runner, start: int = 1) -> Execution:
    """Run the runbook's steps from number `start`, in order (one node after
    the other, as the runbook orders them).  A failed command or check stops
    the run; so does a step sanlint does not carry out itself (`file-change`:
    `--write` installs the files; `manual`): it is named, and the run resumes
    with `--from N`.  `runner(node, argv, stdout_file)` -> (exit status, output)."""
    ex = Execution()
    for s in rb.steps:
        if s.number < start:
            continue
        if not s.runnable:
            if s.number == start and ex.ran == [] and s.kind in ("file-change", "manual"):
                pass  # resumed at a gate: the admin did it; go on
            else:
                ex.stopped = s
                ex.message = (f"paused before step {s.number} on {s.node} ({s.kind}: {s.title}): do it, then "
                              f"continue with --run-steps --from {s.number + 1}")
                return ex
            ex.done.append(s)
            continue
        for argv, stdout in s.commands():
            rc, out = runner(s.node, argv, stdout)
            ex.ran.append(Ran(s, argv, rc, out))
            if rc != 0:
                ex.stopped, ex.failed = s, True
                what = "check failed" if s.kind == "check" else "command failed"
                ex.message = f"step {s.number} on {s.node}: {what} (exit status {rc}): {shell_words(argv)}"
                return ex
        ex.done.append(s)
    ex.message = "every step done" if ex.done else "nothing to run"
    return ex
