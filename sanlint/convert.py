"""Translate one cluster configuration between crmsh syntax and CIB XML
(the `crm2cib` and `cib2crm` converters of `sanlint convert`).

Both directions go through the cluster model (`sanlint.model.cluster`),
which the crm and CIB parsers fill alike.  `crm2cib` writes the XML crmsh
4.4.1 would commit for the same text (`crm configure load update`), with
the ids crmsh generates (crmsh `idmgmt.new`): `<rsc>-instance_attributes`,
`<rsc>-meta_attributes`, `<rsc>-utilization`, nvpairs `<set>-<name>`, ops
`<rsc>-<op>-<interval>` (`<operations-id>-...` under `operations $id=`),
resource sets `<cons>-<N>`, rules `<cons>-rule`, expressions
`<rule>-expression`, date specs `<expr>-date_spec`; an id already taken
gets `-0`, `-1`, ... appended; numeric prefixes become `num-<n>`.  Ids
written in the text (`$id=`, `$id:name=value`) are kept.

`cib2crm` writes crm text that crmsh and sanlint's crm parser read back to
the same XML: ids that differ from the ones crmsh would generate are
written explicitly where crm syntax can hold them (`$id=` on attribute
lists and rules, `$id:name=` on nvpairs, `id=` on ops); resource-set,
expression and date-spec ids cannot be written in crm syntax and come
back as crmsh generates them.

Both functions are pure (text in, text out) and linear in the size of the
configuration.
"""

from __future__ import annotations

import re
from typing import Iterable

from lxml import etree

from sanlint.edit.crm import pair, quote
from sanlint.edit.ids import IdStore
from sanlint.model.agents import ocf_provider
from sanlint.model.cluster import (
    AclObject, Alert, Bundle, Clone, ClusterConfig, ClusterNode, ClusterResource, Colocation, Constraint,
    Expression, Group, Location, NvPair, NvSet, Order, Primitive, ResourceRef, Rule, Ticket,
    canonical_score,
)
from sanlint.source import ParseError, SourceFile

SCHEMA = "pacemaker-3.9"  # what `cibadmin --empty` of Pacemaker 2.1.5 starts from
FEATURE_SET = "3.16.1"
_NUMERIC = re.compile(r"^[+-]?(inf|infinity|\d+)$", re.I)
ACL_SHORTCUTS = {  # crmsh constants.acl_shortcuts
    "meta": ("//primitive[@id='@@']/meta_attributes", "/nvpair[@name='@@']"),
    "params": ("//primitive[@id='@@']/instance_attributes", "/nvpair[@name='@@']"),
    "utilization": ("//primitive[@id='@@']/utilization",),
    "location": ("//rsc_location[@id='cli-prefer-@@' and @rsc='@@']",),
    "property": ("//crm_config/cluster_property_set", "/nvpair[@name='@@']"),
    "nodeattr": ("//nodes/node/instance_attributes", "/nvpair[@name='@@']"),
    "nodeutil": ("//nodes/node/utilization", "[@uname='@@']"),
    "node": ("//nodes/node", "[@uname='@@']"),
    "status": ("/cib/status",),
    "cib": ("/cib",),
}


class ConvertError(Exception):
    pass


# ============================================================ crm -> CIB ====

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
        if _NUMERIC.match(score.strip()):
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


# ============================================================ CIB -> crm ====

class _CrmWriter:
    def __init__(self, config: ClusterConfig) -> None:
        self.c = config
        self.ids = IdStore()  # what crmsh would generate, to decide where ids must be written
        for ident in [r.id for r in config.resources.values()] + [c.id for c in config.constraints] + \
                [n.id or n.uname for n in config.nodes] + [t.id for t in config.tags] + \
                [a.id for a in config.alerts] + [a.id for a in config.acls]:
            self.ids.save(ident)
        self.items: list[str] = []

    # attribute lists
    def attr_list(self, keyword: str, s: NvSet, default_id: str, *, implicit_default: bool = True) -> str:
        words = [keyword] if keyword else []
        if s.id_ref:
            return " ".join(words + [f"$id-ref={s.id_ref}"])
        expected = self.ids.new("x", default_id)
        if s.id and s.id != expected:
            words.append(f"$id={s.id}")
            self.ids.save(s.id)
        set_id = s.id or expected
        if s.score is not None:
            words.append(f"{canonical_score(s.score)}:")
        for r in s.rules:
            words.append(self.rule_text(r, set_id))
        for p in s.pairs:
            words.append(self.pair(p, set_id))
        return " ".join(words)

    def pair(self, p: NvPair, set_id: str) -> str:
        expected = f"{set_id}-{p.name}"
        if p.id and p.id != expected:
            return pair(f"${p.id}:{p.name}", p.value)  # crmsh _NVPAIR_ID_RE
        return pair(p.name, p.value)

    def rule_text(self, r: Rule, hint: str) -> str:
        words = ["rule"]
        if r.id_ref:
            return f"rule $id-ref={r.id_ref}"
        expected = self.ids.new("rule", hint)
        if r.id and r.id != expected:
            words.append(f"$id={r.id}")
        if r.role:
            words.append(f"$role={r.role}")
        if r.score is not None:
            words.append(f"{canonical_score(r.score)}:")
        elif r.score_attribute:
            words.append(f"{r.score_attribute}:")
        joiner = f" {r.boolean_op or 'and'} "
        exprs = [self.expr_text(x) for x in r.expressions]
        if r.rules:
            self.items.append(f"rule {r.id}: nested rules cannot be written in crm syntax")
        return " ".join(words) + " " + joiner.join(exprs)

    def expr_text(self, x: Expression) -> str:
        if x.date:
            if x.operation == "lt":
                return f"date lt {quote(x.values.get('end', ''))}"
            if x.operation == "gt":
                return f"date gt {quote(x.values.get('start', ''))}"
            kw = "in" if x.operation == "in_range" else "spec"
            order = ["start", "end"] + [k for k in x.values if k not in ("start", "end")]
            return f"date {kw} " + " ".join(pair(k, x.values[k]) for k in order if k in x.values)
        if x.operation in ("defined", "not_defined"):
            return f"{x.operation} {quote(x.attribute or '')}"
        op = f"{x.type}:{x.operation}" if x.type else x.operation
        value = f"{x.value_source}{{{x.value}}}" if x.value_source else (x.value or "")
        return f"{quote(x.attribute or '')} {op} {quote(value)}"

    # statements
    def lines(self) -> list[str]:
        out: list[str] = []
        for n in self.c.nodes:
            out.append(self.node(n))
        prims = [r for r in self.c.resources.values() if isinstance(r, Primitive)]
        for r in prims:
            out.append(self.primitive(r))
        for r in self.c.resources.values():
            if isinstance(r, Bundle):
                out.append(self.bundle(r))
        for r in self.c.resources.values():
            if isinstance(r, Group):
                out.append(self.container(r, "group", " ".join(r.children)))
        for r in self.c.resources.values():  # clones of groups after the groups
            if isinstance(r, Clone):
                out.append(self.container(r, "ms" if r.element == "master" else "clone", r.child or ""))
        for con in self.c.constraints:
            out.append(self.constraint(con))
        for t in self.c.tags:
            out.append(f"tag {t.id} " + " ".join(t.refs))
        if self.c.fencing_levels:
            out.append(self.fencing())
        for a in self.c.acls:
            out.append(self.acl(a))
        for a in self.c.alerts:
            out.append(self.alert(a))
        for kind, sets, default in (("property", self.c.properties, "cib-bootstrap-options"),
                                    ("rsc_defaults", self.c.rsc_defaults, "rsc-options"),
                                    ("op_defaults", self.c.op_defaults, "op-options")):
            for s in sets:
                out.append(self.options(kind, s, default))
        return out

    def options(self, kind: str, s: NvSet, default: str) -> str:
        words = [kind]
        set_id = s.id or default
        if set_id != default or set_id in self.ids.used and s.id is None:
            words.append(f"$id={set_id}")
        self.ids.used.add(set_id)
        if s.score is not None:
            self.items.append(f"{kind} {set_id}: score cannot be written in crm syntax")
        for r in s.rules:
            words.append(self.rule_text(r, set_id))
        words += [self.pair(p, set_id) for p in s.pairs]
        return " ".join(words)

    def node(self, n: ClusterNode) -> str:
        words = ["node"]
        if n.id and n.id != n.uname:
            words.append(f"$id={n.id}")
        words.append(f"{n.uname}:{n.type}" if n.type else n.uname)
        if n.description is not None:
            words.append(pair("description", n.description))
        for s in n.attributes:
            kw = "utilization" if s.kind == "utilization" else "attributes"
            words.append(self.attr_list(kw, s, f"{n.uname}-{'utilization' if kw == 'utilization' else 'instance_attributes'}"))
        return " \\\n\t".join(self._group_words(words))

    def _group_words(self, words: list[str]) -> list[str]:
        return [" ".join(words[:2])] + words[2:] if len(words) > 2 else [" ".join(words)]

    def resource_sets(self, r: ClusterResource) -> list[str]:
        parts = []
        for s in r.params:
            parts.append(self.attr_list("params", s, f"{r.id}-instance_attributes"))
        for s in r.meta:
            parts.append(self.attr_list("meta", s, f"{r.id}-meta_attributes"))
        for s in r.utilization:
            parts.append(self.attr_list("utilization", s, f"{r.id}-utilization"))
        return parts

    def primitive(self, r: Primitive) -> str:
        kw = "rsc_template" if r.element == "template" else "primitive"
        agent = f"@{r.template}" if r.template and not r.type else r.agent
        head = f"{kw} {r.id} {agent}"
        if r.description is not None:
            head += " " + pair("description", r.description)
        parts = [head] + self.resource_sets(r)
        hint = r.operations_id or r.id
        if r.operations_ref:
            parts.append(f"operations $id-ref={r.operations_ref}")
        elif r.operations_id:
            parts.append(f"operations $id={r.operations_id}")
        for op in r.ops:
            attrs = dict(op.attrs)
            interval = attrs.get("interval", "0")
            words = ["op", op.name]
            expected = self.ids.new("op", hint, name=op.name, interval=interval)
            if op.id and op.id != expected:
                words.append(f"id={op.id}")
            words += [pair(k, v) for k, v in attrs.items()]
            op_id = op.id or expected
            for s in op.params:
                words.append(self.attr_list("op_params", s, f"{op_id}-instance_attributes"))
            for s in op.meta:
                words.append(self.attr_list("op_meta", s, f"{op_id}-meta_attributes"))
            parts.append(" ".join(words))
        return " \\\n\t".join(parts)

    def container(self, r: ClusterResource, kw: str, children: str) -> str:
        head = f"{kw} {r.id} {children}"
        if r.description is not None:
            head += " " + pair("description", r.description)
        return " \\\n\t".join([head] + self.resource_sets(r))

    def bundle(self, b: Bundle) -> str:
        parts = [f"bundle {b.id}"]
        if b.description is not None:
            parts[0] += " " + pair("description", b.description)
        if b.container:
            parts.append(" ".join([b.container] + [pair(k, v) for k, v in b.container_attrs.items()]))
        if b.network or b.port_mappings:
            words = ["network"] + [pair(k, v) for k, v in b.network.items()]
            for m in b.port_mappings:
                words += ["port-mapping"] + [pair(k, v) for k, v in m.items()]
            parts.append(" ".join(words))
        if b.storage_mappings:
            words = ["storage"]
            for m in b.storage_mappings:
                words += ["storage-mapping"] + [pair(k, v) for k, v in m.items()]
            parts.append(" ".join(words))
        for s in b.meta:
            parts.append(self.attr_list("meta", s, f"{b.id}-meta_attributes"))
        if b.child:
            parts.append(f"primitive {b.child}")
        return " \\\n\t".join(parts)

    def refs(self, con: Constraint, qualifier: str, simple_count: int = 2) -> str:
        if not con.sets:
            return " ".join(self.ref(r, qualifier) for r in con.resources)
        words = []
        n = len(con.sets)

        def plain(i: int) -> bool:
            a = con.sets[i]
            return a.get("sequential", "true").lower() in ("true", "yes", "1", "on") and \
                a.get("require-all", "true").lower() in ("true", "yes", "1", "on")

        for i, attrs in enumerate(con.sets):
            refs = [r for r in con.resources if r.set_index == i]
            seq = attrs.get("sequential", "true").lower() in ("true", "yes", "1", "on")
            req = attrs.get("require-all", "true").lower() in ("true", "yes", "1", "on")
            q = attrs.get(qualifier)
            names = [f"{r.id}:{q}" if q else r.id for r in refs]
            extra = [k for k in attrs if k not in ("sequential", "require-all", qualifier)]
            if extra:
                self.items.append(f"{con.id}: resource set attribute(s) {', '.join(extra)} cannot be written in crm "
                                  f"syntax")
            # a plain list merges with a following plain list of the same role/action, and a lone plain
            # list of `simple_count` names reads as the simple form: bracket it (crmsh drops sequential=true)
            ambiguous = (i + 1 < n and plain(i + 1) and con.sets[i + 1].get(qualifier) == q) or \
                (n == 1 and len(refs) == simple_count)
            # plain sets whose names add up to `simple_count` words read as the simple form
            total_plain = all(plain(j) for j in range(n)) and len(con.resources) == simple_count
            if seq and req and not ambiguous and not (total_plain and i == 0):
                words += names
            elif not req:
                words += ["["] + names + (["sequential=true"] if seq else []) + ["]"]
            else:
                words += ["("] + names + (["sequential=true"] if seq else []) + [")"]
        return " ".join(words)

    def ref(self, r: ResourceRef, qualifier: str) -> str:
        q = getattr(r, qualifier)
        return f"{r.id}:{q}" if q else r.id

    def constraint(self, con: Constraint) -> str:
        if isinstance(con, Order):
            kind = con.order_kind
            if kind is None and con.score is not None:
                kind = "Optional" if canonical_score(con.score).lstrip("+-") == "0" else "Mandatory"
            if con.order_kind is None and con.score is not None:
                self.items.append(f"order {con.id}: score={con.score} written as {kind}: (crm syntax has no order "
                                  f"scores; crmsh turns them into kinds, as Pacemaker reads them)")
            head = f"order {con.id}" + (f" {kind}:" if kind else "")
            tail = f" symmetrical={con.symmetrical}" if con.symmetrical is not None else ""
            return f"{head} {self.refs(con, 'action')}{tail}"
        if isinstance(con, Colocation):
            tail = f" node-attribute={con.node_attribute}" if con.node_attribute is not None else ""
            return f"colocation {con.id} {canonical_score(con.score or 'INFINITY')}: {self.refs(con, 'role')}{tail}"
        if isinstance(con, Ticket):
            tail = f" loss-policy={con.loss_policy}" if con.loss_policy else ""
            return f"rsc_ticket {con.id} {con.ticket}: {self.refs(con, 'role', 1)}{tail}"
        assert isinstance(con, Location)
        if con.rsc_pattern is not None:
            what = f"/{con.rsc_pattern}/"
        elif con.sets:
            what = "{ " + " ".join(r.id for r in con.resources) + " }"
        else:
            what = con.resources[0].id if con.resources else ""
        words = [f"location {con.id} {what}"]
        if con.role:
            words.append(f"role={con.role}")
        if con.resource_discovery:
            words.append(f"resource-discovery={con.resource_discovery}")
        if con.node is not None:
            words.append(f"{canonical_score(con.score or 'INFINITY')}: {quote(con.node)}")
        out = " ".join(words)
        for r in con.rule_list:
            out += " \\\n\t" + self.rule_text(r, con.id)
        return out

    def fencing(self) -> str:
        words = ["fencing_topology"]
        if any(lvl.id and not re.fullmatch(r"fencing(-\d+)?", lvl.id) for lvl in self.c.fencing_levels):
            self.items.append("fencing-level ids cannot be written in crm syntax: crmsh names them fencing, "
                              "fencing-0, ...")
        last = None
        for lvl in self.c.fencing_levels:
            if lvl.target is not None:
                target = f"{lvl.target}:"
            elif lvl.target_pattern is not None:
                target = f"pattern:{lvl.target_pattern}"
            else:
                target = f"attr:{lvl.target_attribute}={lvl.target_value}"
            if target != last:
                words.append(target)
                last = target
            words.append(",".join(lvl.devices))
        return " \\\n\t".join([" ".join(words[:1])] + [" ".join(words[1:])])

    def acl(self, a: AclObject) -> str:
        kw = {"acl_role": "role", "acl_user": "user", "acl_target": "acl_target", "acl_group": "acl_group"}[a.element]
        words = [kw, a.id]
        cib_keys = {"xpath": "xpath", "reference": "ref", "object-type": "tag", "attribute": "attribute"}
        for kind, spec in a.items:
            if kind == "role":
                words.append(f"role:{spec}" if kw == "user" else spec)
            elif kind == "description":
                words.append(pair("description", spec))
            else:
                words.append(kind)
                if self.c.source_kind == "crm":
                    words.append(spec)
                    continue
                # from the CIB: `xpath://x reference:a object-type:primitive attribute:y`
                for m in re.finditer(r"(xpath|reference|object-type|attribute):(.*?)(?= (?:xpath|reference|"
                                     r"object-type|attribute):|$)", spec):
                    words.append(f"{cib_keys[m.group(1)]}:{quote(m.group(2))}")
        return " ".join(words)

    def alert(self, a: Alert) -> str:
        parts = [f"alert {a.id} {quote(a.agent_path)}"]
        for s in a.params:
            parts.append(self.attr_list("attributes", s, f"{a.id}-instance_attributes"))
        for s in a.meta:
            parts.append(self.attr_list("meta", s, f"{a.id}-meta_attributes"))
        if a.select:
            parts.append("select " + " ".join(a.select))
        for i, r in enumerate(a.recipients, 1):
            rid = r.id or f"{a.id}-recipient-{i}"
            words = ["to", "{", quote(r.value)]
            for s in r.params:
                words.append(self.attr_list("attributes", s, f"{rid}-instance_attributes"))
            for s in r.meta:
                words.append(self.attr_list("meta", s, f"{rid}-meta_attributes"))
            words.append("}")
            parts.append(" ".join(words))
        return " \\\n\t".join(parts)


def config_to_crm(config: ClusterConfig) -> tuple[str, list[str]]:
    w = _CrmWriter(config)
    lines = w.lines()
    return "".join(line + "\n" for line in lines), w.items


# what `cibadmin --query` prints, whole or one scope (`-o resources`, ...)
_CIB_ROOTS = {"cib", "configuration", "crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults",
              "fencing-topology", "tags", "alerts", "acls"}


def cib_to_crm(src: SourceFile) -> tuple[str, list]:
    """CIB XML text -> crm text, plus items for what crm syntax cannot hold."""
    from sanlint.migrate.base import Item
    from sanlint.parsers import cib

    root = cib.parse_xml(src)
    if root.tag not in _CIB_ROOTS:
        raise ParseError(f"the root element is <{root.tag}>", root.sourceline or 1, 1, expected=["<cib>", "<configuration>"])
    config = cib.parse(src)
    text, problems = config_to_crm(config)
    items = [Item("warning", msg, None, kind="unmappable") for msg in problems]
    for it in items:
        it.path = src.display
    return text, items
