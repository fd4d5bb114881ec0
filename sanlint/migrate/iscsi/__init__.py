"""`iscsi-tgt` (ietd -> tgt) and `iscsi-lio` (ietd or tgt -> LIO).

The source stack is read from the site model (ietd.conf with
initiators.allow/targets.allow, or tgt's targets.conf and conf.d) into one
neutral description per target (`TargetSpec`), which the two emitters
write out: a tgt `conf.d` file (tgt-admin's Config::General syntax) or an
LIO `saveconfig.json` (the keys and types rtslib-fb's `RTSRoot.restore()`
reads) plus the equivalent targetcli script.

Decisions:

* **One new file per host**, mirroring the one source file: tgt
  `etc/tgt/conf.d/sanlint-from-ietd.conf` (tgt-admin reads conf.d through
  the stock `include /etc/tgt/conf.d/*.conf`); LIO `etc/target/saveconfig.json`
  and `etc/target/sanlint-migrate.targetcli` (one `targetcli ...` command a
  line, runnable with `sh`).
* **The old files are not deleted**: every active line of ietd.conf,
  initiators.allow, targets.allow (or of a migrated tgt `<target>` block)
  is commented out with `#` plus a header naming the new file.  The site
  then has one definition of each target (no ISCSI103/ISCSI108), a second
  run finds nothing to migrate (idempotent), and the admin deletes the old
  files after the cut-over (an operator step says so).
* **tgt LUN 0**: tgt keeps LUN 0 for its controller.  An ietd `Lun 0` moves
  to the lowest free number from 1 (`--set lun0=first-free`, the default:
  only that LUN changes) or every LUN moves up by one (`--set lun0=shift`:
  the order stays).  Reported as an error item per moved LUN: initiators
  see the disk under another LUN (new /dev/disk/by-path names, multipath
  maps, fstab entries).  LIO keeps LUN 0 usable: no renumbering to LIO.
* **fileio/blockio**: ietd `Type=fileio` (page cache, write-through unless
  `IOMode=wb`) -> tgt `bs-type rdwr` (page cache) and LIO `fileio`
  (`write_back` = IOMode=wb); `Type=blockio` (direct I/O) -> tgt `bs-type
  aio` (O_DIRECT, tgt usr/bs_aio.c) and LIO `block`.  Write-through ->
  tgt `write-cache off`.
* **ACLs**: ietd's initiators.allow is first-match per target (exact name,
  `/regex/` or `ALL`; IET `initiator_match`); a target without a matching
  line is open.  Addresses -> tgt `initiator-address` (a /32 or /128 prefix
  is written as a bare address: tgt's `netmask_match` rejects /32), names ->
  `initiator-name`.  LIO has no address ACLs: each address is reported;
  `--set lio-address-acls=open` (default) leaves such a target open
  (generate_node_acls=1), `closed` admits nobody until initiator names are
  added.
* **Secrets**: passwords are written to the new files and cluster
  resources, never into a reason or item; every new file and the plan carry
  `secrets` (the values to mask) for printed diffs, and `redact()` masks them.
* **Cluster-managed targets**: when a cluster resource runs the source
  daemon (`lsb:iscsitarget`, `lsb:tgtd`, ... or `ocf:heartbeat:iSCSITarget
  implementation=iet`), the target and its LUNs become
  `ocf:heartbeat:iSCSITarget` + one `ocf:heartbeat:iSCSILogicalUnit` per LUN
  and the static file defines no target (ISCSI108: the boot-time service
  would make it live on both nodes).  The daemon primitive keeps its id
  (the first target takes it, so groups and constraints still hold); the
  LUs follow it in its group, or get an order + colocation when it is in
  none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanlint.edit.cluster import set_param
from sanlint.edit.ids import cluster_ids
from sanlint.edit.lio import dumps as lio_dumps
from sanlint.migrate.base import Change, MigrationPlan, Migrator, NewFile
from sanlint.migrate.iscsi.cluster import group_of, param_value, cluster_resources, cluster_work, rewrite_daemon
from sanlint.migrate.iscsi.lio import lio_config, targetcli_script
from sanlint.migrate.iscsi.model import (
    HostSource, LIO_FILE, LIO_SCRIPT, LU_AGENT, MARK, TARGET_AGENT, TGT_FILE, TargetSpec
)
from sanlint.migrate.iscsi.model import redact  # noqa: F401  (API: masks a plan's secrets in printed text)
from sanlint.migrate.iscsi.source import ietd_source, tgt_source, comment_out, number_for_tgt, number_keep
from sanlint.migrate.iscsi.tgt import tgt_file_text
from sanlint.model.cluster import Group, Primitive
from sanlint.views import top_level

if TYPE_CHECKING:
    from sanlint.model import Site


# -- the migrators ------------------------------------------------------------------------

class _IscsiMigrator(Migrator):
    dest = ""  # tgt | lio
    sources: tuple[str, ...] = ()

    def plan(self, site: "Site") -> MigrationPlan:
        plan = MigrationPlan(self.name)
        secrets: set[str] = set()
        plan.secrets = secrets  # type: ignore[attr-defined]  # values to mask in printed diffs
        dest_impl = "tgt" if self.dest == "tgt" else "lio-t"
        sources: list[HostSource] = []
        for name in sorted(site.hosts):
            host = site.hosts[name]
            for stack in self.sources:
                src = (ietd_source if stack == "ietd" else tgt_source)(host, plan)
                if src is not None:
                    sources.append(src)
                    break
        host_stacks = {cfg.stack for h in site.hosts.values() for cfg in h.iscsi}
        work = [w for stack in self.sources for w in cluster_work(site, stack, dest_impl, host_stacks)]
        managed = self._cluster(site, plan, sources, work, dest_impl, secrets)
        for k, src in enumerate(sources):
            self._host(plan, src, managed, secrets, report=k == 0 or not _same(sources[0], src))
        plan.facts["iscsi"] = {"stack": sources[0].stack if sources else None, "managed": bool(managed)}
        for nf in plan.new_files():
            nf.secrets = sorted(secrets)  # type: ignore[attr-defined]
        return plan

    # cluster -------------------------------------------------------------------------
    def _cluster(self, site, plan, sources, work, dest_impl, secrets) -> set[str]:
        managed: set[str] = set()
        if not work:
            return managed
        ref = sources[0] if sources else None
        for other in sources[1:]:
            if not _same(ref, other):
                plan.item("warning", f"hosts {ref.host.name} and {other.host.name} define different iSCSI targets or "
                          f"LUNs; the cluster resources follow {ref.host.name}", other.targets[0].span,
                          kind="decision")
        for w in work:
            ids = cluster_ids(w.cluster)
            for k, daemon in enumerate(w.daemons):
                if ref is None:
                    plan.item("error", f"resource {daemon.id} ({w.cluster.agent_of(daemon)}) runs the target daemon "
                              "but no host configuration says which targets it serves: not migrated", daemon.span)
                    continue
                if k > 0:
                    plan.item("error", f"resource {daemon.id} is a second resource for the same daemon: not migrated",
                              daemon.span)
                    continue
                specs = [self._numbered(s, plan) for s in _fresh(ref)]
                clone = w.cluster.resources.get(daemon.parent) if daemon.parent else None
                if clone is not None and not isinstance(clone, Group):
                    plan.item("error", f"resource {daemon.id} is inside {clone.element} {clone.id}: a target cannot "
                              "run on every node at once; not migrated", daemon.span)
                    continue
                prims, pairs = cluster_resources(specs, daemon, dest_impl, ids, plan, secrets, report=True)
                edits = rewrite_daemon(w.cluster, daemon, prims, pairs, ids)
                where = "joins group " + group_of(w.cluster, daemon.id).id + " after it" \
                    if group_of(w.cluster, daemon.id) else "gets an order and a colocation after its target"
                plan.change(f"{w.cluster.agent_of(daemon)} resource {daemon.id} becomes {TARGET_AGENT} "
                            f"(implementation={dest_impl}) for {', '.join(s.name for s in specs)}, plus one "
                            f"{LU_AGENT} per LUN ({sum(len(s.luns) for s in specs)}); each LU {where}; the "
                            "static target configuration no longer defines these targets (ISCSI108)",
                            daemon.span, edits)
                managed.update(s.name.lower() for s in specs)
                plan.facts.setdefault("iscsi-stop", []).append(top_level(w.cluster, daemon.id))
            for p in w.targets + w.lus:
                plan.facts.setdefault("iscsi-stop", []).append(top_level(w.cluster, p.id))
            for p in w.targets:
                self._retarget(plan, w.cluster, p, dest_impl, True)
                if param_value(p, "iqn"):
                    managed.add(param_value(p, "iqn").lower())
            lus_by_target: dict[str, list[Primitive]] = {}
            for p in w.lus:
                lus_by_target.setdefault((param_value(p, "target_iqn") or "").lower(), []).append(p)
            for iqn, lus in lus_by_target.items():
                used = {int(v) for q in lus if (v := param_value(q, "lun") or "").isdigit()}
                for p in lus:
                    self._retarget(plan, w.cluster, p, dest_impl, False, used)
        return managed

    def _retarget(self, plan, c, p, dest_impl, is_target, used=frozenset()) -> None:
        edits = []
        e = set_param(p, "implementation", dest_impl)
        if e:
            edits.append(e)
        what = f"{c.agent_of(p)} {p.id}: implementation={dest_impl}"
        if is_target:
            if dest_impl == "lio-t" and p.param("tid") is not None:
                edits.append(set_param(p, "tid", None))
                what += ", tid removed (lio-t does not support it)"
            if dest_impl == "tgt" and param_value(p, "tid") is None:
                tid = str(1 + sum(1 for q in c.primitives() if c.agent_of(q) == TARGET_AGENT and param_value(q, "tid")))
                edits.append(set_param(p, "tid", tid))
                what += f", tid={tid} (required by tgt)"
            if dest_impl == "tgt" and param_value(p, "portals"):
                plan.item("warning", f"{p.id}: portals is not supported with implementation=tgt and is ignored by "
                          "the agent", p.param("portals").span)
        else:
            lun = param_value(p, "lun")
            if dest_impl == "tgt" and lun == "0":
                free = next(n for n in range(1, len(used) + 2) if n not in used)
                edits.append(set_param(p, "lun", str(free)))
                what += f", lun 0 -> {free}"
                plan.item("error", f"LUN RENUMBERED: {p.id} lun=0 becomes lun={free}: tgt keeps LUN 0 for its "
                          "controller; initiators see the disk under a new LUN", p.span, kind="decision")
            if dest_impl == "lio-t" and param_value(p, "scsi_id"):
                plan.item("warning", f"{p.id}: scsi_id is not supported with implementation=lio-t", p.span)
        edits = [x for x in edits if x is not None]
        if edits:
            plan.change(what, p.span, edits)

    # host ----------------------------------------------------------------------------
    def _numbered(self, spec: TargetSpec, plan: MigrationPlan | None) -> TargetSpec:
        if self.dest == "tgt":
            number_for_tgt(spec, self.choices.get("lun0", "first-free"), plan)
        else:
            number_keep(spec)
        return spec

    def _host(self, plan, src: HostSource, managed: set[str], secrets: set[str], report: bool) -> None:
        sub = plan if report else MigrationPlan(plan.migrator)
        static = [self._numbered(s, sub) for s in _fresh(src) if s.name.lower() not in managed]
        skipped = [s.name for s in src.targets if s.name.lower() in managed]
        host = src.host.name
        if self.dest == "tgt":
            text = tgt_file_text(src, static, sub, secrets, skipped)
            files = [NewFile.text(TGT_FILE, text, host=host or None, format="tgt")]
            what = f"etc/tgt/conf.d/{TGT_FILE.rsplit('/', 1)[1]}"
        else:
            doc, cmds = lio_config(src, static, sub, secrets, self.choices.get("lio-address-acls", "open"))
            text = lio_dumps(doc)
            files = [NewFile.text(LIO_FILE, text, host=host or None, format="lio"),
                     NewFile.text(LIO_SCRIPT, targetcli_script(cmds, host), host=host or None, format=None)]
            what = f"{LIO_FILE} and {LIO_SCRIPT}"
        ch = Change(f"host {host or '-'}: {len(static)} {src.stack} target(s) written to {what}"
                    + (f"; {', '.join(skipped)} left to the cluster resources" if skipped else ""),
                    src.targets[0].span, new_files=files)
        plan.changes.append(ch)
        self._retire(plan, src, host)

    def _retire(self, plan, src: HostSource, host: str) -> None:
        new = TGT_FILE if self.dest == "tgt" else LIO_FILE
        header = f"{MARK} {self.name}: migrated to /{new}; delete this file after the cut-over"
        for cfg in src.configs:
            f = cfg.span.file
            if src.stack == "ietd":
                edits = comment_out(f, None, header)
            else:
                spans = [t.span for t in cfg.targets]
                edits = comment_out(f, spans, header) if spans else []
            if edits:
                plan.change(f"{f.display}: commented out (kept for reference until the cut-over)", cfg.span, edits)

    def runbook(self, ctx):
        """The target resources stopped by the cluster (or the old daemon on
        each node), the new target stack installed and its files put in place
        node by node, the cluster's resources rewritten and started again."""
        from sanlint.migrate.runbook import Step

        facts = ctx.plan.facts.get("iscsi") or {}
        stack, managed = facts.get("stack"), facts.get("managed")
        stop = list(dict.fromkeys(ctx.plan.facts.get("iscsi-stop", [])))
        old = {"ietd": "iscsitarget", "tgt": "tgt"}.get(stack or "", "iscsitarget")
        first = ctx.first
        steps: list[Step] = []
        clustered = ctx.clustered and (stop or ctx.cluster_files)
        if clustered:
            steps += [ctx.crm_mon(first, "the target resources run, no failed action"), ctx.save_cib(first)]
            if stop:
                steps.append(Step("maintenance", "Stop the resources that serve the targets (initiators lose the "
                                  "disks until step 'start' below: log them out first)", first.host,
                                  ["crm", "resource", "stop", "{res}"], stop, mode="each",
                                  rollback=["crm", "resource", "start", "{res}"], rollback_note="starts them again",
                                  scope="cluster"))
                steps.append(ctx.crm_mon(first, "those resources are stopped"))
            # loading the rewritten configuration restores the target-role the file gives
            # (Started): maintenance mode keeps Pacemaker from starting anything until it is verified
            steps.append(ctx.maintenance_mode(first, True))
        pkg = "tgt" if self.dest == "tgt" else "targetcli-fb"
        for node in ctx.nodes:
            if not ctx.node_files(node.host) and not clustered:
                continue
            if not managed:
                steps.append(Step("service", f"Stop and disable the old target daemon ({old}) on {node.host}",
                                  node.host, ["systemctl", "disable", "--now", old],
                                  rollback=["systemctl", "enable", "--now", old], rollback_note="starts it again",
                                  caveats=["initiators must log out before the switch and rescan after it"]))
            steps.append(Step("manual", f"Install {pkg} on {node.host}", node.host,
                              rollback_note=f"remove {pkg} again"))
            if ctx.node_files(node.host):
                steps.append(ctx.file_change(node, "target configuration"))
            if self.dest == "tgt":
                steps.append(Step("service", f"Start tgtd on {node.host}" + (" (the cluster adds the targets)"
                                                                               if managed else ""), node.host,
                                  ["systemctl", "enable", "--now", "tgt"],
                                  rollback=["systemctl", "disable", "--now", "tgt"], rollback_note="stops it again"))
                if not managed:
                    steps.append(Step("service", "Create the configured targets", node.host, ["tgt-admin", "-e"],
                                      rollback=["tgt-admin", "--delete", "ALL"],
                                      rollback_note="removes the targets tgt-admin created",
                                      caveats=["LUN 0 of every target is now tgt's controller: initiators see "
                                               "renumbered LUNs (see the items)"]))
                steps.append(Step("check", "tgtd answers and shows the targets", node.host, ["tgt-admin", "-s"],
                                  rollback_note="read-only: nothing to undo"))
            else:
                if not managed:
                    steps.append(Step("service", "Load the LIO configuration", node.host,
                                      ["targetctl", "restore", "/etc/target/saveconfig.json"],
                                      rollback=["targetctl", "clear"], rollback_note="removes every LIO target again",
                                      caveats=["LIO admits initiators by name: address ACLs became items",
                                               "enable the distribution's unit that restores saveconfig.json at boot "
                                               "(target.service or rtslib-fb-targetctl.service)"]))
                else:
                    steps[-1].caveats.append("saveconfig.json holds no cluster-managed target: the cluster's "
                                             "iSCSITarget/iSCSILogicalUnit resources create them")
                steps.append(Step("check", "LIO answers", node.host, ["targetcli", "ls"],
                                  rollback_note="read-only: nothing to undo"))
        if clustered:
            for ref in ctx.cluster_files:
                steps.append(ctx.stage_cluster_config(first, ref))
                steps += ctx.load_cluster_config(first, ref)
            steps.append(ctx.verify_live(first))
            steps.append(ctx.maintenance_mode(first, False))
            if stop:
                steps.append(Step("maintenance", "Start the target resources again", first.host,
                                  ["crm", "resource", "start", "{res}"], stop, mode="each",
                                  rollback=["crm", "resource", "stop", "{res}"], rollback_note="stops them again",
                                  scope="cluster"))
            steps.append(ctx.crm_mon(first, "the targets run with the new implementation, no failed action"))
        for node in ctx.nodes if steps else []:
            olds = [r.on_node for r in ctx.node_files(node.host) if not r.created]
            if olds:
                steps.append(Step("manual", f"After the cut-over, remove the old configuration on {node.host}",
                                  node.host, ["rm", "--", *olds],
                                  rollback_note="`sanlint rollback RUN-ID` restores them (the migration only "
                                                "commented them out)"))
        return steps, ["initiators must log out before the switch and rescan after it"]


def _fresh(src: HostSource) -> list[TargetSpec]:
    """Copies with unset numbering (a spec is numbered once per use)."""
    import copy

    return [copy.deepcopy(s) for s in src.targets]


def _same(a: HostSource, b: HostSource) -> bool:
    def key(s: HostSource):
        return sorted((t.name, tuple(sorted((l.number, l.path, l.io_type, l.write_back) for l in t.luns)))
                      for t in s.targets)
    return key(a) == key(b)


class IscsiTgt(_IscsiMigrator):
    """ietd.conf (+ initiators.allow / targets.allow) -> tgt conf.d; the cluster's
    lsb:iscsitarget / iSCSITarget implementation=iet -> iSCSITarget/iSCSILogicalUnit implementation=tgt."""

    name = "iscsi-tgt"
    description = "ietd (iSCSI Enterprise Target) -> tgt: targets, LUNs (LUN 0 renumbered), CHAP, ACLs, cluster resources"
    formats = ("ietd", "ietd-allow", "tgt", "crm", "cib")
    rules = ("ISCSI103", "ISCSI108", "ISCSI110", "ISCSI111", "ISCSI112", "ISCSI113")
    options = {"lun0": ("first-free", ("first-free", "shift"),
                        "where ietd's LUN 0 goes in tgt: the lowest free number (only LUN 0 changes) or every LUN +1")}
    dest = "tgt"
    sources = ("ietd",)


class IscsiLio(_IscsiMigrator):
    """ietd or tgt -> LIO saveconfig.json + targetcli script; the cluster's daemon
    resource / iSCSITarget -> implementation=lio-t."""

    name = "iscsi-lio"
    description = "ietd or tgt -> LIO (saveconfig.json + targetcli script), cluster resources to implementation=lio-t"
    formats = ("ietd", "ietd-allow", "tgt", "lio", "crm", "cib")
    rules = ("ISCSI103", "ISCSI108", "ISCSI110", "ISCSI111", "ISCSI113")
    options = {"lio-address-acls": ("open", ("open", "closed"),
                                    "a target that ietd/tgt restricted by initiator address only: leave it open "
                                    "to every initiator name (generate_node_acls=1) or admit nobody until names are added")}
    dest = "lio"
    sources = ("ietd", "tgt")
