"""`pacemaker-2` on crm configure text: the model's spans, edited through
`sanlint.edit.crm` and the shared transformations."""

from __future__ import annotations

import re

from sanlint.edit import crm as crm_edit
from sanlint.migrate.base import MigrationPlan
from sanlint.model.cluster import Clone, ClusterConfig, ClusterResource, NvPair, Order, Primitive
from sanlint.rule import Edit
from sanlint.source import SourceFile, Span
from sanlint.transform.pacemaker import (
    META_RENAMES, PCMK_CMD, PLACEHOLDER, ROLE_NEW, XSL_ONLY_META, is_true, linbit_drbd_crm, lvm_activate_crm,
    order_kind, promotable_clone_crm, property_fate, vg_access_decision
)


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
        vg_access_decision(self.plan, prim.id, prim.agent_span, self.choices.get("vg_access_mode"), vg.value if vg else None)

    def lvm_activate_leftover(self, prim: Primitive) -> None:
        pair = prim.param("vg_access_mode")
        if pair is None or pair.value != PLACEHOLDER:
            return
        chosen = self.choices.get("vg_access_mode")
        if chosen and pair.value_span is not None:
            self.plan.change(f"{prim.id}: vg_access_mode={chosen} (chosen with --set)", pair.span,
                             [Edit.replace(pair.value_span, chosen)])
        vg_access_decision(self.plan, prim.id, pair.span, chosen, (prim.param("vgname") or NvPair(prim.span, "", None)).value)

    # constraints
    def constraint(self, con) -> None:
        if isinstance(con, Order) and con.score is not None and not con.order_kind and con.score_span is not None:
            kind = order_kind(con.score)
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
        fate = property_fate(pair.name, pair.value)
        if fate is None:
            return "keep"
        if fate.kind == "rename":
            self.plan.change(fate.change(), pair.span, [crm_edit.rename_pair(pair, fate.new_name)])
        if fate.new_value is not None and fate.kind in ("rename", "value"):
            if pair.value_span is not None:
                self.plan.change(fate.value_change(), pair.value_span, [Edit.replace(pair.value_span, fate.new_value)])
            return "keep"
        if fate.kind == "rename":
            return "keep"
        if fate.kind == "move":
            already = fate.new_name in existing[fate.section]
            if not already:
                existing[fate.section].add(fate.new_name)
                moves[fate.section].append((fate.new_name, fate.new_value, pair))
            self.plan.change(fate.change(already), pair.span)
            return "drop"
        self.plan.change(fate.change(), pair.span)
        if fate.note:
            self.plan.item("info", fate.note, pair.span, kind="note")
        return "drop"

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
