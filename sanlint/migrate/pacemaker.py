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

import re
from typing import Iterable

from lxml import etree

from sanlint.edit import crm as crm_edit
from sanlint.edit.cib import CibEditor, attrs, nvpair
from sanlint.edit.ids import IdStore
from sanlint.edit.text import alone_on_lines
from sanlint.transform.pacemaker import (META_RENAMES, PLACEHOLDER, ROLE_NEW, VG_ACCESS_MODES, is_true,
                                         linbit_drbd_crm, lvm_activate_cib, lvm_params_cib, lvm_activate_crm,
                                         promotable_clone_cib, promotable_clone_crm)
from sanlint.migrate.base import Converter, Item, MigrationPlan, Migrator, OperatorStep
from sanlint.model.cluster import (
    Clone, ClusterConfig, ClusterResource, NvPair, Order, Primitive,
)
from sanlint.rule import Edit
from sanlint.source import ParseError, SourceFile, Span

# -- the tables -------------------------------------------------------------------

TARGET_SCHEMA = "pacemaker-3.7"  # the first schema with Promoted/Unpromoted (Pacemaker 2.1.0)
TARGET_SCHEMA_VERSION = (3, 7)
OLD_INFRA = ("heartbeat", "openais", "classic openais", "classic openais (with plugin)", "cman")

# upgrade-2.10.xsl `cluster-properties`: old name -> new name (same place)
PROPERTY_RENAMES = {
    "cluster_recheck_interval": "cluster-recheck-interval", "dc_deadtime": "dc-deadtime",
    "election_timeout": "election-timeout", "no_quorum_policy": "no-quorum-policy",
    "remove_after_stop": "remove-after-stop", "shutdown_escalation": "shutdown-escalation",
    "startup_fencing": "startup-fencing", "stonith_action": "stonith-action", "stonith_enabled": "stonith-enabled",
    "stop_orphan_actions": "stop-orphan-actions", "stop_orphan_resources": "stop-orphan-resources",
    "symmetric_cluster": "symmetric-cluster", "transition_idle_timeout": "cluster-delay",
}
# old name -> (section, new name)
PROPERTY_MOVES = {
    "default-resource-stickiness": ("rsc_defaults", "resource-stickiness"),
    "default_resource_stickiness": ("rsc_defaults", "resource-stickiness"),
    "is-managed-default": ("rsc_defaults", "is-managed"),
    "is_managed_default": ("rsc_defaults", "is-managed"),
    "default-action-timeout": ("op_defaults", "timeout"),
    "default_action_timeout": ("op_defaults", "timeout"),
}
FAILURE_STICKINESS = ("default-resource-failure-stickiness", "default_resource_failure_stickiness")
PROPERTY_DROPS = {
    "default-migration-threshold": "Pacemaker 2 removed it; migration-threshold in rsc_defaults can be configured instead",
    "default_migration_threshold": "Pacemaker 2 removed it; migration-threshold in rsc_defaults can be configured instead",
    "expected-quorum-votes": "corosync 2+ tracks quorum on its own (the pacemaker-3.x schemas reject it)",
    "notification-agent": "Pacemaker 2 removed it; configure alerts instead",
    "notification-recipient": "Pacemaker 2 removed it; configure alerts instead",
    "dc-version": "status written by the DC at run time; the 1.1 value is stale",
    "last-lrm-refresh": "status written by the cluster at run time; the old value is stale",
}
# per-resource meta and params the XSL rewrites, which sanlint reports instead
XSL_ONLY_META = ("isolation", "isolation-host", "isolation-instance", "isolation-wrapper")
PCMK_CMD = re.compile(r"^pcmk_(list|monitor|off|on|reboot|status)_cmd$")
OP_OPTION_NAMES = frozenset({"name", "interval", "interval-origin", "start-delay", "enabled", "on-fail",
                             "record-pending", "role", "timeout", "requires"})

LVM_SETUP = {
    "system_id": ["set `system_id_source = \"uname\"` in the global section of /etc/lvm/lvm.conf on every node",
                  "give the VG the active node's system ID once: `vgchange --systemid $(uname -n) VG` "
                  "(LVM-activate moves it on failover)",
                  "the PV must not be visible through another path on the other node (DRBD backing disk "
                  "filtered out: a `filter`/`global_filter` that rejects it)",
                  "rebuild the initramfs so early boot uses the same lvm.conf"],
    "tagging": ["set `volume_list` in the activation section of /etc/lvm/lvm.conf on every node so that it "
                "does NOT list the cluster VG (only local VGs, e.g. the root VG)",
                "disable lvmetad (`use_lvmetad = 0`, stop lvm2-lvmetad) on LVM versions that have it",
                "rebuild the initramfs so early boot does not activate the VG"],
    "lvmlockd": ["set `use_lvmlockd = 1` in the global section of /etc/lvm/lvm.conf on every node",
                 "add cloned ocf:pacemaker:controld (dlm) and ocf:heartbeat:lvmlockd resources ordered "
                 "before the VG",
                 "convert the VG to a shared VG: `vgchange --lock-type dlm VG`",
                 "activation_mode=shared only if the LVs are to be active on several nodes at once"],
}


def _ver(schema: str | None) -> tuple[int, int] | None:
    m = re.fullmatch(r"pacemaker-(\d+)\.(\d+)", schema or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def _order_kind(score: str) -> str:
    s = score.strip().lstrip("+")
    return "Optional" if s in ("0", "-0") else "Mandatory"


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


# -- crm text ----------------------------------------------------------------------

_CRM_TOKEN = re.compile(r"""(?:[^\s"'\\]|\\.|"(?:[^"\\]|\\.)*"|'[^']*')+""", re.S)
_ROLE_SUFFIX = re.compile(r"^([^:=\s]+):(Master|Slave)$", re.I)
_ROLE_ATTR = re.compile(r"^(\$?role=)([\"']?)(Master|Slave)\2$", re.I)


class CrmMigration:
    def __init__(self, plan: MigrationPlan, cfg: ClusterConfig, choices: dict[str, str]) -> None:
        self.plan, self.cfg, self.choices = plan, cfg, choices
        self.src: SourceFile = cfg.span.file
        self.data = self.src.data

    def run(self) -> None:
        for res in self.cfg.resources.values():
            if res.span.file is not self.src:
                continue
            if isinstance(res, Clone) and res.element == "master" and res.keyword_span is not None:
                self.master(res)
            self.meta_renames(res)
            if isinstance(res, Primitive):
                self.primitive(res)
        for con in self.cfg.constraints:
            if con.span.file is self.src:
                self.constraint(con)
        self.properties()
        for node in self.cfg.nodes:
            self.node(node)

    # resources
    def master(self, res: Clone) -> None:
        kw = res.keyword_span.bytes.decode()
        edits = promotable_clone_crm(res)
        self.plan.change(f"{kw} {res.id} -> clone {res.id} meta promotable=true: Pacemaker 2.0 deprecated master "
                         f"resources in favour of promotable clones (3.0 removed them)", res.keyword_span, edits)

    def meta_renames(self, res: ClusterResource) -> None:
        for s in res.meta:
            for pair in s.pairs:
                new = META_RENAMES.get(pair.name)
                if new:
                    self.plan.change(f"{res.id}: meta {pair.name} -> {new} (renamed in Pacemaker 2.0)", pair.span,
                                     [crm_edit.rename_pair(pair, new)])
                elif pair.name in XSL_ONLY_META or pair.name in ("resource-failure-stickiness",
                                                                 "resource_failure_stickiness"):
                    self.plan.item("error", f"{res.id}: meta {pair.name} was removed in Pacemaker 2.0 "
                                            f"(upgrade-2.10.xsl replaces it); decide what replaces it", pair.span)

    def primitive(self, prim: Primitive) -> None:
        agent = prim.agent
        if agent == "ocf:heartbeat:drbd" and prim.agent_span is not None:
            self.plan.change(f"{prim.id}: ocf:heartbeat:drbd -> ocf:linbit:drbd (resource-agents no longer ship the "
                             f"heartbeat copy; drbd-utils ship the linbit agent)", prim.agent_span,
                             [linbit_drbd_crm(prim)])
        elif agent == "ocf:heartbeat:LVM" and prim.agent_span is not None:
            self.lvm(prim)
        elif agent == "ocf:heartbeat:LVM-activate":
            self.lvm_activate_leftover(prim)
        for op in prim.ops:
            if op.role and op.role.lower() in ROLE_NEW and op.role_span is not None:
                new = ROLE_NEW[op.role.lower()]
                self.plan.change(f"{prim.id}: op {op.name} role {op.role} -> {new} (OCF 1.1 role names, "
                                 f"Pacemaker 2.1)", op.role_span, [Edit.replace(op.role_span, new)])
            if "requires" in op.attrs:
                self.plan.item("warning", f"{prim.id}: op {op.name} requires= is no longer an op option in "
                                          f"Pacemaker 2.0: set meta requires= on the resource", op.span)
        for s in prim.params:
            for pair in s.pairs:
                m = PCMK_CMD.match(pair.name)
                if m:
                    new = f"pcmk_{m.group(1)}_action"
                    self.plan.change(f"{prim.id}: {pair.name} -> {new} (Pacemaker 2.0 removed pcmk_*_cmd)",
                                     pair.span, [crm_edit.rename_pair(pair, new)])

    def lvm(self, prim: Primitive) -> None:
        vg = prim.param("volgrpname")
        excl = prim.param("exclusive")
        if vg is None:
            self.plan.item("error", f"{prim.id}: ocf:heartbeat:LVM without volgrpname; LVM-activate needs vgname",
                           prim.span)
        edits = lvm_activate_crm(prim, self.choices.get("vg_access_mode"))
        why = ("ocf:heartbeat:LVM -> ocf:heartbeat:LVM-activate (the only LVM agent supported from RHEL 8 / "
               "Pacemaker 2 distributions on); volgrpname -> vgname")
        if excl is not None:
            why += f", exclusive={excl.value} -> activation_mode=exclusive"
        else:
            why += ", activation_mode=exclusive (a failover VG is active on one node)"
        self.plan.change(f"{prim.id}: {why}", prim.agent_span, edits)
        self.vg_decision(prim, prim.agent_span, self.choices.get("vg_access_mode"), vg.value if vg else None)

    def lvm_activate_leftover(self, prim: Primitive) -> None:
        pair = prim.param("vg_access_mode")
        if pair is None or pair.value != PLACEHOLDER:
            return
        chosen = self.choices.get("vg_access_mode")
        if chosen and pair.value_span is not None:
            self.plan.change(f"{prim.id}: vg_access_mode={chosen} (chosen with --set)", pair.span,
                             [Edit.replace(pair.value_span, chosen)])
        self.vg_decision(prim, pair.span, chosen, (prim.param("vgname") or NvPair(prim.span, "", None)).value)

    def vg_decision(self, prim: Primitive, span: Span, chosen: str | None, vg: str | None) -> None:
        if chosen:
            steps = "; ".join(LVM_SETUP[chosen])
            self.plan.item("warning", f"{prim.id}: vg_access_mode={chosen} needs on every node: {steps}", span,
                           kind="note")
        else:
            self.plan.item("warning", f"{prim.id}: LVM-activate needs vg_access_mode for VG {vg or '?'}: the "
                                      f"placeholder {PLACEHOLDER} must be replaced by system_id, tagging or "
                                      f"lvmlockd, and LVM set up to match (system_id: system_id_source in "
                                      f"lvm.conf; tagging: volume_list; lvmlockd: use_lvmlockd with dlm)",
                           span, kind="decision", choice="--set vg_access_mode=system_id|tagging|lvmlockd")

    # constraints
    def constraint(self, con) -> None:
        if isinstance(con, Order) and con.score is not None and not con.order_kind and con.score_span is not None:
            kind = _order_kind(con.score)
            self.plan.change(f"order {con.id}: score {con.score} -> {kind} (scores on orders are deprecated since "
                             f"Pacemaker 2.0.1; {'0 means' if kind == 'Optional' else 'a non-zero score means'} "
                             f"{kind})", con.score_span, [Edit.replace(con.score_span, kind)])
        if con.kind == "colocation" and con.score is not None and con.score_span is not None \
                and not re.fullmatch(r"[+-]?(inf|infinity|\d+)", con.score.strip(), re.I):
            self.plan.item("error", f"colocation {con.id}: score attribute {con.score} (score-attribute) was never "
                                    f"in effect and the pacemaker-3.x schemas reject it: give a numeric score",
                           con.score_span)
        text = con.span.text
        for m in _CRM_TOKEN.finditer(text):
            word = m.group(0)
            start = con.span.start + len(text[:m.start()].encode("utf-8", "surrogateescape"))
            r = _ROLE_SUFFIX.match(word)
            if r:
                new = ROLE_NEW[r.group(2).lower()]
                off = start + len(word.encode()) - len(r.group(2))
                self.plan.change(f"{con.kind} {con.id}: {r.group(1)}:{r.group(2)} -> {r.group(1)}:{new} (OCF 1.1 "
                                 f"role names, Pacemaker 2.1)", Span(self.src, start, start + len(word.encode())),
                                 [Edit(self.src, off, off + len(r.group(2)), new)])
                continue
            r = _ROLE_ATTR.match(word)
            if r:
                new = ROLE_NEW[r.group(3).lower()]
                off = start + len(r.group(1)) + len(r.group(2))
                self.plan.change(f"{con.kind} {con.id}: {r.group(1)}{r.group(3)} -> {r.group(1)}{new} (OCF 1.1 "
                                 f"role names, Pacemaker 2.1)", Span(self.src, start, start + len(word.encode())),
                                 [Edit(self.src, off, off + len(r.group(3)), new)])

    # nodes
    def node(self, node) -> None:
        if (node.type or "").lower() != "normal" or node.span.file is not self.src:
            return
        text = node.span.text
        m = re.search(r":(normal)\b", text)
        if m:
            off = node.span.start + len(text[:m.start(1)].encode())
            self.plan.change(f"node {node.uname}: type normal -> member (renamed in the pacemaker-3.x schemas)",
                             node.span, [Edit(self.src, off, off + len("normal"), "member")])

    # properties
    def properties(self) -> None:
        moves: dict[str, list[tuple[str, str, NvPair]]] = {"rsc_defaults": [], "op_defaults": []}
        last_stmt: Span | None = None
        replaced_stmt: dict[int, Span] = {}
        existing = {kind: {p.name for s in sets for p in s.pairs}
                    for kind, sets in (("rsc_defaults", self.cfg.rsc_defaults), ("op_defaults", self.cfg.op_defaults))}
        for nvset in self.cfg.properties:
            if nvset.span.file is not self.src:
                continue
            last_stmt = nvset.span
            kept = 0
            deletions: list[tuple[NvPair, Edit]] = []
            for pair in nvset.pairs:
                action = self.property(pair, moves, existing)
                if action == "drop":
                    deletions.append((pair, crm_edit.delete_token(pair.span)))
                else:
                    kept += 1
            if deletions and kept == 0 and not nvset.rules:
                # nothing left: the whole statement goes
                replaced_stmt[nvset.span.start] = nvset.span
                self.plan.changes[-1].edits.append(crm_edit.delete_statement(nvset.span))
            else:
                for pair, e in deletions:
                    self.plan.changes[self._change_of(pair)].edits.append(e)
        self.add_defaults(moves, last_stmt, replaced_stmt)
        stonith = self.cfg.property("stonith-enabled")
        if stonith is not None and stonith.value is not None and not is_true(stonith.value) \
                and stonith.span.file is self.src:
            self.plan.item("warning", "STONITH is still disabled (stonith-enabled=false): a DRBD/iSCSI cluster "
                                      "without fencing can run the VG on both nodes after a split; configure a "
                                      "fencing device and enable STONITH", stonith.span, kind="decision")

    def _change_of(self, pair: NvPair) -> int:
        for i in range(len(self.plan.changes) - 1, -1, -1):
            if self.plan.changes[i].span is pair.span:
                return i
        raise LookupError(pair.name)

    def property(self, pair: NvPair, moves: dict, existing: dict) -> str:
        """Record the change for one property; return "drop" when its token goes."""
        name, value = pair.name, pair.value or ""
        if name in PROPERTY_RENAMES:
            new = PROPERTY_RENAMES[name]
            self.plan.change(f"property {name} -> {new} (Pacemaker 2.0 removed the underscore names; "
                             f"upgrade-2.10.xsl)", pair.span, [crm_edit.rename_pair(pair, new)])
            if new == "stonith-action" and value == "poweroff" and pair.value_span is not None:
                self.plan.change("property stonith-action=poweroff -> off (poweroff is deprecated since 2.0.1 "
                                 "and removed in 3.0)", pair.value_span, [Edit.replace(pair.value_span, "off")])
            return "keep"
        if name == "stonith-action" and value == "poweroff" and pair.value_span is not None:
            self.plan.change("property stonith-action=poweroff -> off (poweroff is deprecated since 2.0.1 "
                             "and removed in 3.0)", pair.span, [Edit.replace(pair.value_span, "off")])
            return "keep"
        target = None
        if name in PROPERTY_MOVES:
            target = PROPERTY_MOVES[name] + (value,)
        elif name in FAILURE_STICKINESS:
            if value.strip().upper() in ("-INFINITY", "-INF"):
                target = ("rsc_defaults", "migration-threshold", "1")
            else:
                self.plan.change(f"property {name}={value} dropped (Pacemaker 2.0 removed it; only -INFINITY maps "
                                 f"to migration-threshold=1; upgrade-2.10.xsl)", pair.span)
                self.plan.item("info", f"{name}={value} is gone: set rsc_defaults migration-threshold if wanted",
                               pair.span, kind="note")
                return "drop"
        if target is not None:
            section, new, new_value = target
            if new in existing[section]:
                self.plan.change(f"property {name}={value} dropped: {section} already sets {new} (Pacemaker 2.0 "
                                 f"removed the property; upgrade-2.10.xsl)", pair.span)
            else:
                existing[section].add(new)
                moves[section].append((new, new_value, pair))
                self.plan.change(f"property {name}={value} -> {section} {new}={new_value} (Pacemaker 2.0 removed "
                                 f"the cluster option; upgrade-2.10.xsl)", pair.span)
            return "drop"
        why = PROPERTY_DROPS.get(name)
        if why is None and name == "cluster-infrastructure" and value.lower() in OLD_INFRA:
            why = f"Pacemaker 2 runs on corosync 2+ only; the value {value} is rejected by the pacemaker-3.x schemas"
        if why is not None:
            self.plan.change(f"property {name}={value} dropped: {why}", pair.span)
            return "drop"
        return "keep"

    def add_defaults(self, moves: dict, after: Span | None, replaced: dict[int, Span]) -> None:
        sets = {"rsc_defaults": self.cfg.rsc_defaults, "op_defaults": self.cfg.op_defaults}
        new_stmts = []
        for section, items in moves.items():
            if not items:
                continue
            change = next(c for c in self.plan.changes if c.span is items[0][2].span)
            words = " ".join(f"{n}={crm_edit.quote_like(p, v)}" for n, v, p in items)
            target = next((s for s in sets[section] if s.span.file is self.src and not s.rules
                           and s.id_ref is None and s.id in (None, "rsc-options", "op-options")), None)
            if target is not None:
                change.edits.append(Edit.insert(self.src, target.span.end, " " + words))
            else:
                new_stmts.append((change, f"{section} {words}"))
        if not new_stmts or after is None:
            return
        text = "\n".join(s for _, s in new_stmts)
        if after.start in replaced:
            # the property statement goes as a whole: its lines become the new statements
            for c in self.plan.changes:
                for i, e in enumerate(c.edits):
                    if e.start <= after.start < e.end and e.replacement == "":
                        tail = "\n" if self.data[e.end - 1:e.end] == b"\n" else ""
                        c.edits[i] = Edit(e.file, e.start, e.end, text + tail)
                        return
        new_stmts[0][0].edits.append(Edit.insert(self.src, after.end, "\n" + text))


# -- CIB XML -----------------------------------------------------------------------

_ROLE_ATTRS = {"op": ("role",), "rsc_location": ("role",), "rsc_colocation": ("rsc-role", "with-rsc-role"),
               "rsc_ticket": ("rsc-role",), "resource_set": ("role",), "rule": ("role",)}


class CibMigration:
    def __init__(self, plan: MigrationPlan, src: SourceFile, choices: dict[str, str]) -> None:
        self.plan, self.src, self.choices = plan, src, choices
        self.ed = CibEditor(src)
        self.root = self.ed.root
        self.doc = self.ed.positions
        self.data = src.data
        conf = self.root if self.root.tag == "configuration" else self.root.find("configuration")
        self.conf = conf
        self.ids = IdStore(e.get("id") for e in conf.iter(etree.Element) if e.get("id") is not None) \
            if conf is not None else IdStore()
        self.unit = self.ed.unit

    # positions (sanlint.edit.cib) -------------------------------------------
    def positioned(self, elem) -> bool:
        return self.ed.located(elem)

    def span(self, elem) -> Span:
        return self.ed.span(elem)

    def delete_element(self, elem) -> Edit:
        return self.ed.delete(elem)

    def nvpair_xml(self, set_id: str, name: str, value: str, ident: str | None = None) -> str:
        return nvpair(ident or self.ids.new("nvpair", set_id, name), name, value)

    # the pass ---------------------------------------------------------------
    def run(self) -> None:
        if self.conf is None or not self.doc.index:  # the whole-document scan failed
            if self.conf is not None:
                self.plan.item("error", "cannot locate the CIB's elements in the text: not migrated", None)
            return
        uses_new_roles = False
        for elem in self.conf.iter(etree.Element):
            tag = elem.tag
            if tag == "master":
                self.master(elem)
            elif tag in ("primitive", "template"):
                self.primitive(elem)
            elif tag == "rsc_order":
                self.order(elem)
            elif tag == "rsc_colocation":
                self.colocation(elem)
            elif tag == "node" and elem.get("type") == "normal":
                s = self.ed.attr_span(elem, "type")
                if s is not None:
                    self.plan.change(f"node {elem.get('uname') or elem.get('id')}: type normal -> member (renamed "
                                     f"in the pacemaker-3.x schemas; upgrade-2.10.xsl)", s, [Edit.replace(s, "member")])
            elif tag == "attributes" and elem.getparent() is not None and elem.getparent().tag in (
                    "instance_attributes", "meta_attributes", "cluster_property_set", "utilization"):
                self.unwrap(elem)
            if tag in ("meta_attributes",) and elem.getparent() is not None \
                    and elem.getparent().tag in ("master", "clone", "primitive", "group", "template"):
                self.meta_renames(elem)
            for attr in _ROLE_ATTRS.get(tag, ()):
                value = elem.get(attr)
                if value and value.lower() in ROLE_NEW:
                    s = self.ed.attr_span(elem, attr)
                    if s is not None:
                        new = ROLE_NEW[value.lower()]
                        what = f"{tag} {elem.get('id') or elem.get('name') or ''}".strip()
                        self.plan.change(f"{what}: {attr}={value} -> {new} (OCF 1.1 role names, Pacemaker 2.1; "
                                         f"schema pacemaker-3.7)", s, [Edit.replace(s, new)])
                        uses_new_roles = True
                elif value and value in ("Promoted", "Unpromoted"):
                    uses_new_roles = True
        self.properties()
        self.schema(uses_new_roles)

    def unwrap(self, elem) -> None:
        start, tag_end, end = self.ed.range(elem)
        close = self.data.rfind(b"</", start, end)
        edits = []
        for a, b in ((start, tag_end), (close, end) if close > tag_end else (end, end)):
            if a == b:
                continue
            lines = alone_on_lines(self.data, a, b)
            edits.append(Edit(self.src, *(lines or (a, b)), ""))
        self.plan.change(f"{elem.getparent().tag} {elem.getparent().get('id')}: <attributes> wrapper removed "
                         f"(pacemaker-1.0 nesting, not in the 1.2+ schemas)", self.span(elem), edits)

    def master(self, elem) -> None:
        edits = promotable_clone_cib(self.ed, elem, self.ids)
        self.plan.change(f"<master id={elem.get('id')}> -> <clone> with meta promotable=true: Pacemaker 2.0 "
                         f"deprecated master resources (3.0 removed them; cibadmin --upgrade keeps them)",
                         self.ed.tag_span(elem), edits)

    def meta_renames(self, meta) -> None:
        owner = meta.getparent()
        for p in meta.iter("nvpair"):
            name = p.get("name")
            new = META_RENAMES.get(name or "")
            if new:
                s = self.ed.attr_span(p, "name")
                if s is not None:
                    self.plan.change(f"{owner.get('id')}: meta {name} -> {new} (renamed in Pacemaker 2.0)", s,
                                     [Edit.replace(s, new)])
            elif name in XSL_ONLY_META or name in ("resource-failure-stickiness", "resource_failure_stickiness"):
                self.plan.item("error", f"{owner.get('id')}: meta {name} was removed in Pacemaker 2.0 "
                                        f"(upgrade-2.10.xsl replaces it); decide what replaces it", self.span(p))

    def primitive(self, elem) -> None:
        cls, prov, typ = elem.get("class"), elem.get("provider"), elem.get("type")
        if cls == "ocf" and prov == "heartbeat" and typ == "drbd":
            s = self.ed.attr_span(elem, "provider")
            if s is not None:
                self.plan.change(f"{elem.get('id')}: ocf:heartbeat:drbd -> ocf:linbit:drbd (resource-agents no "
                                 f"longer ship the heartbeat copy; drbd-utils ship the linbit agent)", s,
                                 [Edit.replace(s, "linbit")])
        elif cls == "ocf" and prov == "heartbeat" and typ == "LVM":
            self.lvm(elem)
        elif cls == "ocf" and prov == "heartbeat" and typ == "LVM-activate":
            self.lvm_leftover(elem)
        for ia in elem.findall("instance_attributes"):
            for p in ia.iter("nvpair"):
                m = PCMK_CMD.match(p.get("name") or "")
                s = self.ed.attr_span(p, "name")
                if m and s is not None:
                    new = f"pcmk_{m.group(1)}_action"
                    self.plan.change(f"{elem.get('id')}: {m.group(0)} -> {new} (Pacemaker 2.0 removed pcmk_*_cmd)",
                                     s, [Edit.replace(s, new)])
        for op in elem.iter("op"):
            if op.get("requires") is not None:
                self.plan.item("warning", f"{elem.get('id')}: op {op.get('name')} requires= is no longer an op "
                                          f"option: set meta requires= on the resource", self.span(op))
            for ia in op.findall("instance_attributes"):
                for p in ia.iter("nvpair"):
                    if p.get("name") in OP_OPTION_NAMES:
                        self.plan.item("error", f"{elem.get('id')}: op {op.get('name')} has {p.get('name')} as an "
                                                f"instance attribute; Pacemaker 2.0 ignores it there: make it an "
                                                f"op attribute", self.span(p))

    def lvm(self, elem) -> None:
        ident = elem.get("id")
        type_span = self.ed.attr_span(elem, "type")
        vg, excl = lvm_params_cib(elem)
        chosen = self.choices.get("vg_access_mode")
        if vg is None:
            self.plan.item("error", f"{ident}: ocf:heartbeat:LVM without volgrpname; LVM-activate needs vgname",
                           self.span(elem))
        edits = lvm_activate_cib(self.ed, elem, chosen, self.ids)
        why = "ocf:heartbeat:LVM -> ocf:heartbeat:LVM-activate; volgrpname -> vgname"
        why += f", exclusive={excl.get('value')} -> activation_mode=exclusive" if excl is not None else \
            ", activation_mode=exclusive (a failover VG is active on one node)"
        self.plan.change(f"{ident}: {why}", type_span, edits)
        self.vg_decision(ident, type_span, chosen, vg.get("value") if vg is not None else None)

    def lvm_leftover(self, elem) -> None:
        for p in elem.iter("nvpair"):
            if p.get("name") == "vg_access_mode" and p.get("value") == PLACEHOLDER:
                chosen = self.choices.get("vg_access_mode")
                s = self.ed.attr_span(p, "value")
                if chosen and s is not None:
                    self.plan.change(f"{elem.get('id')}: vg_access_mode={chosen} (chosen with --set)", s,
                                     [Edit.replace(s, chosen)])
                vg = next((q.get("value") for q in elem.iter("nvpair") if q.get("name") == "vgname"), None)
                self.vg_decision(elem.get("id"), s or self.span(p), chosen, vg)

    def vg_decision(self, ident: str, span: Span, chosen: str | None, vg: str | None) -> None:
        if chosen:
            self.plan.item("warning", f"{ident}: vg_access_mode={chosen} needs on every node: "
                                      + "; ".join(LVM_SETUP[chosen]), span, kind="note")
        else:
            self.plan.item("warning", f"{ident}: LVM-activate needs vg_access_mode for VG {vg or '?'}: the "
                                      f"placeholder {PLACEHOLDER} must be replaced by system_id, tagging or "
                                      f"lvmlockd, and LVM set up to match (system_id: system_id_source in "
                                      f"lvm.conf; tagging: volume_list; lvmlockd: use_lvmlockd with dlm)",
                           span, kind="decision", choice="--set vg_access_mode=system_id|tagging|lvmlockd")

    def order(self, elem) -> None:
        for e in [elem] + elem.findall("resource_set"):
            score = e.get("score")
            if score is None:
                continue
            full = self.ed.attr_full(e, "score")
            if full is None:
                continue
            if e.get("kind") is not None:
                self.plan.change(f"order {elem.get('id')}: score={score} removed (kind= is set; scores on orders "
                                 f"are deprecated)", full, [self.ed.remove_attr(e, "score")])
                continue
            kind = _order_kind(score)
            self.plan.change(f"order {e.get('id')}: score={score} -> kind={kind} (scores on orders are deprecated "
                             f"since Pacemaker 2.0.1; cibadmin --upgrade keeps them)", full,
                             [Edit.replace(full, f'kind="{kind}"')])

    def colocation(self, elem) -> None:
        for attr in ("score-attribute", "score-attribute-mangle"):
            full = self.ed.attr_full(elem, attr)
            if full is None:
                continue
            if elem.get("score") is not None:
                self.plan.change(f"colocation {elem.get('id')}: {attr} dropped (was never in effect; "
                                 f"upgrade-2.10.xsl)", full, [self.ed.remove_attr(elem, attr)])
            else:
                self.plan.item("error", f"colocation {elem.get('id')}: {attr} was never in effect and the "
                                        f"pacemaker-3.x schemas reject it: give a numeric score", full)

    # properties --------------------------------------------------------------
    def properties(self) -> None:
        moves: dict[str, list[tuple[str, str, str | None]]] = {"rsc_defaults": [], "op_defaults": []}
        existing = {}
        for section in ("rsc_defaults", "op_defaults"):
            existing[section] = {p.get("name") for s in self.conf.findall(section) for p in s.iter("nvpair")}
        stonith = None
        for crm_config in self.conf.findall("crm_config"):
            for pset in crm_config.findall("cluster_property_set"):
                for p in pset.iter("nvpair"):
                    if p.get("name") in ("stonith-enabled", "stonith_enabled"):
                        stonith = p
                    self.property(p, moves, existing)
        for section, items in moves.items():
            if items:
                self.add_defaults(section, items)
        if stonith is not None and not is_true(stonith.get("value")):
            self.plan.item("warning", "STONITH is still disabled (stonith-enabled=false): a DRBD/iSCSI cluster "
                                      "without fencing can run the VG on both nodes after a split; configure a "
                                      "fencing device and enable STONITH", self.span(stonith), kind="decision")

    def property(self, p, moves: dict, existing: dict) -> None:
        name, value = p.get("name") or "", p.get("value") or ""
        name_span = self.ed.attr_span(p, "name")
        value_span = self.ed.attr_span(p, "value")
        if name in PROPERTY_RENAMES and name_span is not None:
            new = PROPERTY_RENAMES[name]
            self.plan.change(f"property {name} -> {new} (Pacemaker 2.0 removed the underscore names; "
                             f"upgrade-2.10.xsl)", name_span, [Edit.replace(name_span, new)])
            name = new
        if name == "stonith-action" and value == "poweroff" and value_span is not None:
            self.plan.change("property stonith-action=poweroff -> off (deprecated since 2.0.1, removed in 3.0; "
                             "cibadmin --upgrade keeps it)", value_span, [Edit.replace(value_span, "off")])
            return
        if name in PROPERTY_RENAMES.values():
            return
        target = None
        if name in PROPERTY_MOVES:
            target = PROPERTY_MOVES[name] + (value,)
        elif name in FAILURE_STICKINESS:
            if value.strip().upper() in ("-INFINITY", "-INF"):
                target = ("rsc_defaults", "migration-threshold", "1")
            else:
                self.plan.change(f"property {name}={value} dropped (Pacemaker 2.0 removed it; only -INFINITY maps "
                                 f"to migration-threshold=1; upgrade-2.10.xsl)", self.span(p),
                                 [self.delete_element(p)])
                return
        if target is not None:
            section, new, new_value = target
            if new in existing[section]:
                self.plan.change(f"property {name}={value} dropped: {section} already sets {new} (upgrade-2.10.xsl)",
                                 self.span(p), [self.delete_element(p)])
            else:
                existing[section].add(new)
                moves[section].append((new, new_value, p.get("id")))  # the nvpair keeps its id, as the XSL does
                self.plan.change(f"property {name}={value} -> {section} {new}={new_value} (Pacemaker 2.0 removed the "
                                 f"cluster option; upgrade-2.10.xsl)", self.span(p), [self.delete_element(p)])
            return
        why = PROPERTY_DROPS.get(name)
        if why is None and name == "cluster-infrastructure" and value.lower() in OLD_INFRA:
            why = f"Pacemaker 2 runs on corosync 2+ only; the value {value} is rejected by the pacemaker-3.x schemas"
        if why is not None:
            self.plan.change(f"property {name}={value} dropped: {why}", self.span(p), [self.delete_element(p)])

    def add_defaults(self, section: str, items: list[tuple[str, str, str | None]]) -> None:
        change = self.plan.changes[-1]
        for c in reversed(self.plan.changes):
            if f"-> {section} " in c.reason:
                change = c
        sec = self.conf.find(section)
        meta = None
        if sec is not None:
            meta = next((m for m in sec.findall("meta_attributes") if m.find("rule") is None
                         and m.get("id-ref") is None), None)
        default_id = "rsc-options" if section == "rsc_defaults" else "op-options"
        if meta is not None and self.positioned(meta):
            set_id = meta.get("id") or default_id
            change.edits.append(self.ed.append_child(meta, [self.nvpair_xml(set_id, n, v, i) for n, v, i in items]))
            return
        set_id = self.ids.fresh(default_id)
        inner = [f"<meta_attributes{attrs([('id', set_id)])}>"] + \
                [f"{self.unit}{self.nvpair_xml(set_id, n, v, i)}" for n, v, i in items] + ["</meta_attributes>"]
        if sec is not None and self.positioned(sec):
            change.edits.append(self.ed.append_child(sec, inner))
        else:
            lines = [f"<{section}>"] + [f"{self.unit}{x}" for x in inner] + [f"</{section}>"]
            change.edits.append(self.ed.append_child(self.conf, lines))

    # schema ------------------------------------------------------------------
    def schema(self, uses_new_roles: bool) -> None:
        current = self.root.get("validate-with")
        version = _ver(current)
        span = self.ed.attr_span(self.root, "validate-with")
        if version is None:
            if current not in (None, "pacemaker-next") and self.root.tag == "cib":
                self.plan.item("warning", f"validate-with={current!r} is not a pacemaker-X.Y schema: not raised",
                               span or self.span(self.root))
            return
        if version >= TARGET_SCHEMA_VERSION:
            return
        if span is None:
            return
        why = ("Pacemaker 2.x cannot load pacemaker-1.1 at all" if version == (1, 1) else
               "the OCF 1.1 role names Promoted/Unpromoted need pacemaker-3.7, and the 3.x schemas are the ones "
               "Pacemaker 2 upgrades to")
        self.plan.change(f"validate-with {current} -> {TARGET_SCHEMA} ({why}; what upgrade-2.10.xsl converts is "
                         f"converted above)", span, [Edit.replace(span, TARGET_SCHEMA)])


# -- converters (`sanlint convert NAME FILE`) --------------------------------------

class Crm2Cib(Converter):
    name = "crm2cib"
    description = "crm configure syntax -> CIB XML, with the ids crmsh generates"
    source_format = "crm"

    def convert(self, src: SourceFile) -> tuple[str, list[Item]]:
        from sanlint.convert import crm_to_cib

        return crm_to_cib(src)


class Cib2Crm(Converter):
    name = "cib2crm"
    description = "CIB XML -> crm configure syntax"
    source_format = "cib"

    def convert(self, src: SourceFile) -> tuple[str, list[Item]]:
        from sanlint.convert import cib_to_crm

        return cib_to_crm(src)


def iter_items(plan: MigrationPlan) -> Iterable[Item]:
    return sorted(plan.items, key=lambda i: i.sort_key)
