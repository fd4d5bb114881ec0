"""`pacemaker-2`: a Pacemaker 1.1 configuration (crm text or CIB XML) made
fit for Pacemaker 2.1, edited in place through byte spans.

What it changes, each with its reason in the report:

- `ms`/`master` -> `clone` with meta `promotable=true` (crm: the keyword and
  the meta list; CIB: the start and end tag plus an nvpair in the clone's
  meta_attributes), `master-max`/`master-node-max` -> `promoted-max`/
  `promoted-node-max`;
- roles `Master`/`Slave` -> `Promoted`/`Unpromoted` in ops, constraints,
  resource sets and rules (the new names need schema pacemaker-3.7, so a
  CIB's `validate-with` is raised to at least that);
- `ocf:heartbeat:LVM` -> `ocf:heartbeat:LVM-activate` (`volgrpname` ->
  `vgname`, `exclusive` -> `activation_mode`, plus `vg_access_mode`, a choice
  the admin makes with `--set vg_access_mode=...`; without it a placeholder
  is written and reported);
- `ocf:heartbeat:drbd` -> `ocf:linbit:drbd`;
- numeric order scores -> kinds (`0` -> Optional, else Mandatory);
- cluster properties as Pacemaker's own `upgrade-2.10.xsl` table treats
  them (moved to rsc_defaults/op_defaults, renamed, dropped), plus the
  status cruft `dc-version`/`last-lrm-refresh`, `stonith-action=poweroff`
  -> `off`, node `type=normal` -> `member`;
- a CIB's `validate-with` raised from pacemaker-1.x/2.x to pacemaker-3.7
  (1.0-style `<attributes>` wrappers inside attribute sets are unwrapped).

What the XSL would also convert but sanlint leaves to the admin (reported
as items): op `requires`, op instance attributes that are op options, the
`isolation*` metas, colocation `score-attribute`.

Everything is linear in the size of the configuration: one pass over the
model (crm) or over the elements (CIB), ids looked up in a set.
"""

from __future__ import annotations

from typing import Iterable

from sanlint.migrate.base import Converter, Item, MigrationPlan, Migrator
from sanlint.migrate.pacemaker.cib2crm import cib_to_crm
from sanlint.migrate.pacemaker.cib_xml import CibMigration
from sanlint.migrate.pacemaker.crm2cib import crm_to_cib
from sanlint.migrate.pacemaker.crm_text import CrmMigration
from sanlint.source import ParseError, SourceFile
from sanlint.transform.pacemaker import LVM_SETUP, PLACEHOLDER, VG_ACCESS_MODES


# -- the migrator ------------------------------------------------------------------

class Pacemaker2(Migrator):
    name = "pacemaker-2"
    description = ("Pacemaker 1.1 -> 2.1 (crm text and CIB XML): promotable clones, Promoted/Unpromoted roles, "
                   "LVM-activate, linbit drbd agent, order kinds, obsolete properties (upgrade-2.10.xsl), "
                   "validate-with")
    formats = ("crm", "cib")
    rules = ("PCMK111", "PCMK113", "PCMK114", "PCMK118")
    settings = {"pacemaker-version": "2.1"}
    options = {
        "vg_access_mode": ("", VG_ACCESS_MODES,
                           "how LVM-activate protects the VG: system_id, tagging or lvmlockd "
                           f"(without it a placeholder {PLACEHOLDER} is written and reported)"),
    }

    def plan(self, site) -> MigrationPlan:
        plan = MigrationPlan(self.name)
        for cfg in site.all_clusters():
            src = cfg.span.file
            if cfg.source_kind == "crm":
                CrmMigration(plan, cfg, self.choices).run()
            else:
                try:
                    CibMigration(plan, src, self.choices).run()
                except ParseError as e:  # the site builder already reported it
                    plan.item("error", f"cannot migrate: {e.describe()}", None).path = src.display
        return plan

    def runbook(self, ctx):
        """Detach and reattach: maintenance mode (resources keep running,
        unmanaged), the cluster stack stopped, upgraded and started node by
        node, the migrated configuration loaded once, maintenance mode off."""
        from sanlint.migrate.runbook import Step

        first = ctx.first
        lvm = any("LVM-activate" in c.reason for c in ctx.plan.changes)
        mode = self.choices.get("vg_access_mode") or ""
        vgs = sorted({v for c in ctx.site.all_clusters() for p in c.primitives()
                      if c.agent_of(p) in ("ocf:heartbeat:LVM", "ocf:heartbeat:LVM-activate")
                      for v in [p.params_dict().get("volgrpname") or p.params_dict().get("vgname")] if v})
        steps = [ctx.crm_mon(first, "every node online, no failed action, before anything changes"),
                 ctx.save_cib(first), ctx.maintenance_mode(first, True),
                 ctx.crm_mon(first, "the resources show as unmanaged")]
        for node in ctx.nodes:
            steps.append(Step("service", f"Stop the cluster stack on {node.host} (the resources keep running)",
                              node.host, ["crm", "cluster", "stop"], rollback=["crm", "cluster", "start"],
                              rollback_note="starts it again",
                              caveats=["crmsh before 2.2 has no `crm cluster`: `rcopenais stop` (SLES 11) or "
                                       "`systemctl stop pacemaker corosync`"]))
            steps.append(Step("manual", f"Install Pacemaker 2.1, corosync and crmsh of the new release on {node.host}",
                              node.host, rollback_note="reinstall the previous packages",
                              caveats=["Pacemaker 1.1 -> 2.x is no rolling upgrade: every node's stack is stopped "
                                       "before the first one starts with 2.x"]))
            if ctx.node_files(node.host):
                steps.append(ctx.file_change(node, "files"))
            if lvm:
                steps.append(Step("manual", f"Prepare LVM on {node.host} for ocf:heartbeat:LVM-activate "
                                  f"({f'vg_access_mode={mode}' if mode else 'the vg_access_mode you choose'})",
                                  node.host, rollback_note="restore /etc/lvm/lvm.conf from its backup",
                                  caveats=[_with_vgs(c, vgs) for c in LVM_SETUP.get(mode) or
                                           [f"{m}: {'; '.join(st)}" for m, st in LVM_SETUP.items()]]))
        for node in ctx.nodes:
            steps.append(Step("service", f"Start the cluster stack on {node.host}", node.host,
                              ["crm", "cluster", "start"], rollback=["crm", "cluster", "stop"],
                              rollback_note="stops it again"))
            steps.append(ctx.crm_mon(node, f"{node.cluster_name} joined; resources still unmanaged"))
        steps.append(ctx.upgrade_cib(first))
        for ref in ctx.cluster_files:
            steps.append(ctx.stage_cluster_config(first, ref))
            steps += ctx.load_cluster_config(first, ref)
        steps.append(ctx.verify_live(first))
        steps.append(ctx.maintenance_mode(first, False))
        steps.append(ctx.crm_mon(first, "every resource started where it ran before, no failed action"))
        notes = ["LVM-activate refuses to start when the node's LVM configuration does not match vg_access_mode: "
                 "prepare every node before the stack starts"] if lvm else []
        if any(not r.on_node.endswith(".xml") for r in ctx.cluster_files):
            notes.append("crmsh 4.4.1 writes Promoted/Unpromoted as Master/Slave into a CIB whose validate-with is "
                         "below pacemaker-3.7: the runbook raises the schema (`cibadmin --upgrade --force`) before "
                         "it loads the crm text")
        return steps, notes


def _with_vgs(text: str, vgs: list[str]) -> str:
    """LVM_SETUP's generic `VG` named: the site's cluster volume groups."""
    return text.replace(" VG`", f" {' / '.join(vgs)}`") if len(vgs) == 1 else text


def migrate_source(src: SourceFile, choices: dict[str, str] | None = None) -> MigrationPlan:
    """The plan for one crm or CIB file (for tests and the converters)."""
    from sanlint.parsers import crm

    plan = MigrationPlan(Pacemaker2.name)
    merged = {k: v[0] for k, v in Pacemaker2.options.items()}
    merged.update(choices or {})
    text = src.text.lstrip()
    if text.startswith("<"):
        CibMigration(plan, src, merged).run()
    else:
        CrmMigration(plan, crm.parse(src), merged).run()
    return plan


# -- converters (`sanlint convert NAME FILE`) --------------------------------------

class Crm2Cib(Converter):
    name = "crm2cib"
    description = "crm configure syntax -> CIB XML, with the ids crmsh generates"
    source_format = "crm"

    def convert(self, src: SourceFile) -> tuple[str, list[Item]]:
        return crm_to_cib(src)


class Cib2Crm(Converter):
    name = "cib2crm"
    description = "CIB XML -> crm configure syntax"
    source_format = "cib"

    def convert(self, src: SourceFile) -> tuple[str, list[Item]]:
        return cib_to_crm(src)


def iter_items(plan: MigrationPlan) -> Iterable[Item]:
    return sorted(plan.items, key=lambda i: i.sort_key)
