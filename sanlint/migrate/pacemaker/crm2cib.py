"""crm configure text -> CIB XML with the ids crmsh generates (the `crm2cib`
converter); see `sanlint.convert` for what it writes."""

from __future__ import annotations

from typing import Iterable

from lxml import etree

from sanlint.convert import ACL_SHORTCUTS, FEATURE_SET, NUMERIC_SCORE, SCHEMA
from sanlint.edit.ids import IdStore
from sanlint.model.agents import ocf_provider
from sanlint.model.cluster import (
    AclObject, Alert, Bundle, Clone, ClusterConfig, ClusterNode, ClusterResource, Colocation, Constraint,
    Expression, Group, Location, NvPair, NvSet, Order, Primitive, Rule, Ticket, canonical_score
)
from sanlint.source import SourceFile


def _sub(parent: etree._Element, tag: str, attrs: Iterable[tuple[str, str | None]] = ()) -> etree._Element:
    e = etree.SubElement(parent, tag)
    for k, v in attrs:
        if v is not None:
            e.set(k, v)
    return e


class _CibWriter:
    def __init__(self, config: ClusterConfig) -> None:
        self.c = config
        self.ids = IdStore()
        self.items: list[str] = []
        self._reserve()

    def _reserve(self) -> None:
        """Ids given in the text are taken before any is generated (crmsh
        reads every object's own id first)."""
        c = self.c
        for r in c.resources.values():
            self.ids.save(r.id)
            for s in r.meta + r.params + r.utilization:
                self.ids.save(s.id)
                for p in s.pairs:
                    self.ids.save(p.id)
            for op in getattr(r, "ops", []):
                self.ids.save(op.id)
        for con in c.constraints:
            self.ids.save(con.id)
            for rule in getattr(con, "rule_list", []):
                self.ids.save(rule.id)
        for s in c.properties + c.rsc_defaults + c.op_defaults:
            self.ids.save(s.id)
        for n in c.nodes:
            self.ids.save(n.id or n.uname)
        for t in c.tags:
            self.ids.save(t.id)
        for a in c.alerts:
            self.ids.save(a.id)
        for a in c.acls:
            self.ids.save(a.id)

    # -- document --------------------------------------------------------------
    def document(self) -> etree._Element:
        root = etree.Element("cib")
        for k, v in (("crm_feature_set", FEATURE_SET), ("validate-with", SCHEMA), ("epoch", "1"),
                     ("num_updates", "0"), ("admin_epoch", "0")):
            root.set(k, v)
        conf = _sub(root, "configuration")
        crm_config = _sub(conf, "crm_config")
        for s in self.c.properties:
            self.nvset(crm_config, "cluster_property_set", s, default_id="cib-bootstrap-options")
        nodes = _sub(conf, "nodes")
        for n in self.c.nodes:
            self.node(nodes, n)
        resources = _sub(conf, "resources")
        for r in self.c.resources.values():
            if r.parent is None or r.parent not in self.c.resources:
                self.resource(resources, r)
        constraints = _sub(conf, "constraints")
        for con in self.c.constraints:
            self.constraint(constraints, con)
        for tag, sets, default in (("rsc_defaults", self.c.rsc_defaults, "rsc-options"),
                                   ("op_defaults", self.c.op_defaults, "op-options")):
            if sets:
                sec = _sub(conf, tag)
                for s in sets:
                    self.nvset(sec, "meta_attributes", s, default_id=default)
        if self.c.tags:
            tags = _sub(conf, "tags")
            for t in self.c.tags:
                e = _sub(tags, "tag", [("id", t.id)])
                for ref in t.refs:
                    _sub(e, "obj_ref", [("id", ref)])
        if self.c.fencing_levels:
            self.fencing(_sub(conf, "fencing-topology"))
        if self.c.acls:
            acls = _sub(conf, "acls")
            for a in self.c.acls:
                self.acl(acls, a)
        if self.c.alerts:
            alerts = _sub(conf, "alerts")
            for a in self.c.alerts:
                self.alert(alerts, a)
        _sub(root, "status")
        return root

    # -- attribute sets ----------------------------------------------------------
    def nvset(self, parent: etree._Element, tag: str, s: NvSet, default_id: str | None = None,
              hint: str | None = None) -> etree._Element:
        e = _sub(parent, tag)
        if s.id_ref is not None:
            e.set("id-ref", s.id_ref)
            return e
        if s.id:
            ident = s.id
        elif default_id and not any(x.get("id") == default_id for x in parent):
            ident = self.ids.save(default_id)
        elif default_id:
            ident = self.ids.new(tag, default_id)
        else:
            ident = self.ids.new(tag, hint or "")
        e.set("id", ident)
        if s.score is not None:
            e.set("score", canonical_score(s.score))
        for rule in s.rules:
            self.rule(e, rule, ident)
        for p in s.pairs:
            self.nvpair(e, p, ident)
        return e

    def nvpair(self, parent: etree._Element, p: NvPair, set_id: str) -> None:
        e = _sub(parent, "nvpair", [("name", p.name)])
        if p.value is not None:
            e.set("value", p.value)
        e.set("id", p.id or self.ids.new("nvpair", set_id, name=p.name))

    def rule(self, parent: etree._Element, r: Rule, hint: str) -> None:
        e = _sub(parent, "rule")
        if r.id_ref:
            e.set("id-ref", r.id_ref)
            return
        ident = self.ids.save(r.id) if r.id else self.ids.new("rule", hint)
        e.set("id", ident)
        if r.role:
            e.set("role", r.role)
        if r.score is not None:
            e.set("score", canonical_score(r.score))
        elif r.score_attribute:
            e.set("score-attribute", r.score_attribute)
        if r.boolean_op and r.boolean_op != "and" and len(r.expressions) + len(r.rules) > 1:  # crmsh writes "or" only
            e.set("boolean-op", r.boolean_op)
        for x in r.expressions:
            self.expression(e, x, ident)
        for sub in r.rules:
            self.rule(e, sub, ident)

    def expression(self, parent: etree._Element, x: Expression, rule_id: str) -> None:
        if not x.date:
            e = _sub(parent, "expression", [("operation", x.operation), ("attribute", x.attribute)])
            if x.type:
                e.set("type", x.type)
            if x.value is not None:
                e.set("value", x.value)
            if x.value_source:
                e.set("value-source", x.value_source)
            e.set("id", self.ids.new("expression", rule_id))
            return
        e = _sub(parent, "date_expression", [("operation", x.operation)])
        for k in ("start", "end"):
            if k in x.values:
                e.set(k, x.values[k])
        ident = self.ids.new("date_expression", rule_id)
        e.set("id", ident)
        rest = {k: v for k, v in x.values.items() if k not in ("start", "end")}
        if x.operation == "date_spec":
            d = _sub(e, "date_spec", rest.items())
            d.set("id", self.ids.new("date_spec", ident))
        elif rest:
            d = _sub(e, "duration", rest.items())
            d.set("id", self.ids.new("duration", ident))

    # -- nodes ---------------------------------------------------------------------
    def node(self, parent: etree._Element, n: ClusterNode) -> None:
        e = _sub(parent, "node", [("id", n.id or n.uname), ("uname", n.uname), ("type", n.type),
                                  ("description", n.description)])
        for s in n.attributes:
            tag = "utilization" if s.kind == "utilization" else "instance_attributes"
            self.nvset(e, tag, s, hint=n.uname)

    # -- resources -----------------------------------------------------------------
    def resource(self, parent: etree._Element, r: ClusterResource) -> None:
        if isinstance(r, Primitive):
            e = _sub(parent, r.element, [("id", r.id)])
            if r.template and not r.type:
                e.set("template", r.template)
            else:
                provider = r.provider
                if r.agent_class == "ocf" and provider is None and r.type:
                    provider = ocf_provider(r.type)
                for k, v in (("class", r.agent_class), ("provider", provider), ("type", r.type)):
                    if v is not None:
                        e.set(k, v)
        elif isinstance(r, Bundle):
            e = _sub(parent, "bundle", [("id", r.id)])
        else:
            e = _sub(parent, r.element, [("id", r.id)])
        if r.description is not None:
            e.set("description", r.description)
        if isinstance(r, Bundle):
            self.bundle(e, r)
            return
        for s in r.params:
            self.nvset(e, "instance_attributes", s, hint=r.id)
        for s in r.meta:
            self.nvset(e, "meta_attributes", s, hint=r.id)
        for s in r.utilization:
            self.nvset(e, "utilization", s, hint=r.id)
        if isinstance(r, Primitive):
            self.operations(e, r)
        elif isinstance(r, Group):
            for child in r.children:
                if child in self.c.resources:
                    self.resource(e, self.c.resources[child])
        elif isinstance(r, Clone) and r.child in self.c.resources:
            self.resource(e, self.c.resources[r.child])

    def operations(self, e: etree._Element, r: Primitive) -> None:
        if not r.ops and not r.operations_ref and not r.operations_id:
            return
        ops = _sub(e, "operations")
        if r.operations_ref:
            ops.set("id-ref", r.operations_ref)
        elif r.operations_id:
            ops.set("id", r.operations_id)
        hint = r.operations_id or r.id
        for op in r.ops:
            o = _sub(ops, "op", [("name", op.name)])
            attrs = dict(op.attrs)
            if "interval" not in attrs:
                attrs["interval"] = "0"  # crmsh 4.4.1 match_op
            for k, v in attrs.items():
                o.set(k, v)
            o.set("id", self.ids.save(op.id) if op.id else
                  self.ids.new("op", hint, name=op.name, interval=attrs["interval"]))
            for s in op.params:
                self.nvset(o, "instance_attributes", s, hint=o.get("id"))
            for s in op.meta:
                self.nvset(o, "meta_attributes", s, hint=o.get("id"))

    def bundle(self, e: etree._Element, b: Bundle) -> None:
        if b.container:
            _sub(e, b.container, b.container_attrs.items())
        if b.network or b.port_mappings:
            net = _sub(e, "network", b.network.items())
            for m in b.port_mappings:
                _sub(net, "port-mapping", m.items())
        if b.storage_mappings:
            st = _sub(e, "storage")
            for m in b.storage_mappings:
                _sub(st, "storage-mapping", m.items())
        for s in b.meta:
            self.nvset(e, "meta_attributes", s, hint=b.id)
        if b.child in self.c.resources:
            self.resource(e, self.c.resources[b.child])

    # -- constraints ---------------------------------------------------------------
    def constraint(self, parent: etree._Element, con: Constraint) -> None:
        tag = {"order": "rsc_order", "colocation": "rsc_colocation", "location": "rsc_location",
               "ticket": "rsc_ticket"}[con.kind]
        e = _sub(parent, tag, [("id", con.id)])
        simple = not con.sets
        if isinstance(con, Order):
            kind = con.order_kind
            if kind is None and con.score is not None:
                kind = "Optional" if canonical_score(con.score).lstrip("+-") == "0" else "Mandatory"
            if kind:
                e.set("kind", next((k for k in ("Mandatory", "Optional", "Serialize") if k.lower() == kind.lower()),
                                   kind))
            if con.symmetrical is not None:
                e.set("symmetrical", con.symmetrical)
            if simple and len(con.resources) == 2:
                for ref, attr in zip(con.resources, ("first", "then")):
                    e.set(attr, ref.id)
                    if ref.action:
                        e.set(f"{attr}-action", ref.action)
        elif isinstance(con, Colocation):
            self.score(e, con.score)
            if con.node_attribute is not None:
                e.set("node-attribute", con.node_attribute)
            if simple and len(con.resources) == 2:
                for ref, attr in zip(con.resources, ("rsc", "with-rsc")):
                    e.set(attr, ref.id)
                    if ref.role:
                        e.set(f"{attr}-role", ref.role)
        elif isinstance(con, Location):
            if con.rsc_pattern is not None:
                e.set("rsc-pattern", con.rsc_pattern)
            elif simple and con.resources:
                e.set("rsc", con.resources[0].id)
            if con.role:
                e.set("role", con.role)
            if con.resource_discovery:
                e.set("resource-discovery", con.resource_discovery)
            if con.node is not None:
                self.score(e, con.score)
                e.set("node", con.node)
        elif isinstance(con, Ticket):
            e.set("ticket", con.ticket or "")
            if con.loss_policy:
                e.set("loss-policy", con.loss_policy)
            if simple and con.resources:
                e.set("rsc", con.resources[0].id)
                if con.resources[0].role:
                    e.set("rsc-role", con.resources[0].role)
        if not simple:
            for i, attrs in enumerate(con.sets):
                rs = _sub(e, "resource_set", attrs.items())
                rs.set("id", self.ids.new("resource_set", f"{con.id}-{i}") if f"{con.id}-{i}" in self.ids.used
                       else self.ids.save(f"{con.id}-{i}"))
                for ref in con.resources:
                    if ref.set_index == i:
                        _sub(rs, "resource_ref", [("id", ref.id)])
        if isinstance(con, Location):
            for rule in con.rule_list:
                self.rule(e, rule, con.id)

    def score(self, e: etree._Element, score: str | None) -> None:
        if score is None:
            return
        if NUMERIC_SCORE.match(score.strip()):
            e.set("score", canonical_score(score))
        else:
            e.set("score-attribute", score)

    # -- the rest -----------------------------------------------------------------
    def fencing(self, ft: etree._Element) -> None:
        for lvl in self.c.fencing_levels:
            f = _sub(ft, "fencing-level", [("target", lvl.target), ("index", lvl.index),
                                           ("devices", ",".join(lvl.devices)),
                                           ("target-attribute", lvl.target_attribute),
                                           ("target-value", lvl.target_value),
                                           ("target-pattern", lvl.target_pattern)])
            f.set("id", lvl.id or self.ids.new("fencing-level", "fencing"))

    def acl(self, parent: etree._Element, a: AclObject) -> None:
        e = _sub(parent, a.element, [("id", a.id)])
        perms: list[tuple[str, dict[str, str]]] = []
        for kind, spec in a.items:
            if kind == "role":
                _sub(e, "role", [("id", spec)])
                continue
            if kind == "description":
                e.set("description", spec)
                continue
            key, _, val = spec.partition(":")
            if key == "attribute" and perms:
                perms[-1][1]["attribute"] = val
                continue
            attrs: dict[str, str] = {}
            if key == "xpath":
                attrs["xpath"] = val
            elif key == "ref":
                attrs["reference"] = val
            elif key == "tag":
                attrs["object-type"] = val
            elif key in ACL_SHORTCUTS:
                args = val.split(":") if val else []
                parts = ACL_SHORTCUTS[key]
                xpath = ""
                for i, part in enumerate(parts):
                    if i == 0 or i - 1 < len(args) - (1 if "@@" in parts[0] else 0) or "@@" not in part:
                        xpath += part
                for arg in args:
                    xpath = xpath.replace("@@", arg, 1 if xpath.count("@@") > 1 and len(args) > 1 else -1)
                attrs["xpath"] = xpath
            else:
                attrs["xpath"] = spec
            perms.append((kind, attrs))
        for i, (kind, attrs) in enumerate(perms):
            p = _sub(e, "acl_permission", [("kind", kind)] + list(attrs.items()))
            p.set("id", self.ids.new("acl_permission", a.id))

    def alert(self, parent: etree._Element, a: Alert) -> None:
        e = _sub(parent, "alert", [("id", a.id), ("path", a.agent_path)])
        for s in a.params:
            self.nvset(e, "instance_attributes", s, hint=a.id)
        for s in a.meta:
            self.nvset(e, "meta_attributes", s, hint=a.id)
        if a.select:
            sel = _sub(e, "select")
            for what in a.select:
                _sub(sel, f"select_{what}")
        for i, r in enumerate(a.recipients, 1):
            rid = r.id or self.ids.save(f"{a.id}-recipient-{i}")
            rec = _sub(e, "recipient", [("id", rid), ("value", r.value)])
            for s in r.params:
                self.nvset(rec, "instance_attributes", s, hint=rid)
            for s in r.meta:
                self.nvset(rec, "meta_attributes", s, hint=rid)


def config_to_cib(config: ClusterConfig) -> str:
    root = _CibWriter(config).document()
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode") + "\n"


def crm_to_cib(src: SourceFile) -> tuple[str, list]:
    """crm text -> CIB XML text, plus items for what could not be translated."""
    from sanlint.parsers import crm

    return config_to_cib(crm.parse(src)), []
