"""`pacemaker-2` on CIB XML: lxml elements located by the parser's
positions, edited through `sanlint.edit.cib` and the shared transformations."""

from __future__ import annotations

from lxml import etree

from sanlint.edit.cib import CibEditor, attrs, nvpair
from sanlint.edit.ids import IdStore
from sanlint.edit.text import alone_on_lines
from sanlint.migrate.base import MigrationPlan
from sanlint.rule import Edit
from sanlint.source import SourceFile, Span
from sanlint.transform.pacemaker import (
    META_RENAMES, OP_OPTION_NAMES, PCMK_CMD, PLACEHOLDER, ROLE_NEW, TARGET_SCHEMA, TARGET_SCHEMA_VERSION,
    XSL_ONLY_META, is_true, lvm_activate_cib, lvm_params_cib, order_kind, promotable_clone_cib, property_fate,
    schema_version, vg_access_decision
)


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
        vg_access_decision(self.plan, ident, type_span, chosen, vg.get("value") if vg is not None else None)

    def lvm_leftover(self, elem) -> None:
        for p in elem.iter("nvpair"):
            if p.get("name") == "vg_access_mode" and p.get("value") == PLACEHOLDER:
                chosen = self.choices.get("vg_access_mode")
                s = self.ed.attr_span(p, "value")
                if chosen and s is not None:
                    self.plan.change(f"{elem.get('id')}: vg_access_mode={chosen} (chosen with --set)", s,
                                     [Edit.replace(s, chosen)])
                vg = next((q.get("value") for q in elem.iter("nvpair") if q.get("name") == "vgname"), None)
                vg_access_decision(self.plan, elem.get("id"), s or self.span(p), chosen, vg)

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
            kind = order_kind(score)
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
        fate = property_fate(p.get("name") or "", p.get("value"))
        if fate is None:
            return
        if fate.kind in ("rename", "value"):
            name_span = self.ed.attr_span(p, "name")
            value_span = self.ed.attr_span(p, "value")
            if fate.kind == "rename" and name_span is not None:
                self.plan.change(fate.change(), name_span, [Edit.replace(name_span, fate.new_name)])
            if fate.new_value is not None and value_span is not None:
                self.plan.change(fate.value_change(), value_span, [Edit.replace(value_span, fate.new_value)])
            return
        if fate.kind == "move":
            already = fate.new_name in existing[fate.section]
            if not already:
                existing[fate.section].add(fate.new_name)
                moves[fate.section].append((fate.new_name, fate.new_value, p.get("id")))  # the nvpair keeps its id, as the XSL does
            self.plan.change(fate.change(already), self.span(p), [self.delete_element(p)])
            return
        self.plan.change(fate.change(), self.span(p), [self.delete_element(p)])
        if fate.note:
            self.plan.item("info", fate.note, self.span(p), kind="note")

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
        version = schema_version(current)
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
