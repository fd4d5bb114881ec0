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

from sanlint.migrate.base import Converter, Item, MigrationPlan, Migrator, OperatorStep
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
        _steps(plan)
        return plan


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
    _steps(plan)
    return plan


def _steps(plan: MigrationPlan) -> None:
    reasons = " ".join(c.reason for c in plan.changes)
    if not plan.changes:
        return
    plan.steps.append(OperatorStep(
        "Upgrade Pacemaker and load the migrated configuration",
        ["crm_verify --xml-file CIB.xml -V  # or: crm configure load replace FILE in a shadow CIB first",
         "crm configure load replace FILE  # crm text; CIB XML: cibadmin --replace --xml-file CIB.xml"],
        ["Pacemaker 1.1 -> 2.x is not a rolling upgrade unless corosync is already 2.x on every node: stop the "
         "cluster on all nodes, upgrade, start, then load the configuration",
         "crmsh 4.4.1 writes Promoted/Unpromoted as Master/Slave into a CIB whose validate-with is below "
         "pacemaker-3.7; load crm text into a CIB at pacemaker-3.7 or later (`cibadmin --upgrade` first)"]))
    if "LVM-activate" in reasons:
        plan.steps.append(OperatorStep(
            "Prepare LVM for ocf:heartbeat:LVM-activate (per the vg_access_mode chosen)",
            [f"{mode}: {step}" for mode, steps in LVM_SETUP.items() for step in steps],
            ["LVM-activate refuses to start when the host's LVM configuration does not match vg_access_mode"]))


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
