"""Pacemaker CIB XML (cib.xml, `cibadmin -Q`, `crm configure show xml`) ->
ClusterConfig, for every schema from pacemaker-1.0 on.

The XML is parsed by `sanlint.xmlsafe` (no entities, no DTD, no network).
Every model object gets a lazy span into `sanlint.parsers.cib_positions`
(element and attribute byte ranges, found on demand), which fixes and the
CIB editor use to edit values in place.
"""

from __future__ import annotations

from typing import Callable

from lxml import etree

from sanlint.model.cluster import (
    AclObject, Alert, Bundle, Clone, ClusterConfig, ClusterNode, ClusterResource, Colocation, Constraint,
    Expression, FencingLevel, Group, Location, NvPair, NvSet, Operation, Order, Primitive, Recipient,
    ResourceRef, Rule, Tag, Ticket,
)
from sanlint import xmlsafe
from sanlint.parsers.cib_positions import LazySpan, Positions, located  # noqa: F401  (located: the editors' API)
from sanlint.source import ParseError, SourceFile, Span

_REFERENCE_TAGS = frozenset({"resource_ref", "obj_ref", "role_ref", "crmsh-ref", "role"})
_NVSET_KINDS = {"instance_attributes": "params", "meta_attributes": "meta", "utilization": "utilization",
                "attributes": "params"}


def parse(src: SourceFile) -> ClusterConfig:
    root = parse_xml(src)
    doc = Positions(src, root)
    config = ClusterConfig(span=src.whole(), source_kind="cib", validate_with=root.get("validate-with"))
    builder = _Builder(config, doc)
    builder.document(root)
    return config


def parse_xml(src: SourceFile) -> etree._Element:
    """The root element, parsed safely; ParseError on bad or unsafe XML."""
    return xmlsafe.load(src)


class _Builder:
    def __init__(self, config: ClusterConfig, doc: Positions,
                 register: Callable[[str, Span], None] | None = None) -> None:
        self.config = config
        self.doc = doc
        self.seen: dict[str, Span] = {}
        self.register = register or self._register

    def _register(self, ident: str, span: Span) -> None:
        if ident in self.seen:
            self.config.duplicate_ids.append((ident, span))
        else:
            self.seen[ident] = span

    # -- document ------------------------------------------------------------
    def document(self, root: etree._Element) -> None:
        conf = root if root.tag == "configuration" else root.find("configuration")
        if conf is None:
            if root.tag != "cib":
                self.element(root)
            return
        self.collect_ids(conf)
        for section in conf:
            if isinstance(section.tag, str):
                self.section(section)

    def collect_ids(self, conf: etree._Element) -> None:
        first: dict[str, etree._Element | None] = {}
        for elem in conf.iter(etree.Element):
            ident = elem.get("id")
            if ident is None or elem.tag in _REFERENCE_TAGS:
                continue
            if ident not in first:  # spans only for duplicates: this runs on every element
                first[ident] = elem
                continue
            earlier = first[ident]
            if earlier is not None:
                self.register(ident, self.id_span(earlier))
                first[ident] = None
            self.register(ident, self.id_span(elem))

    def id_span(self, elem: etree._Element) -> Span:
        return self.doc.attr_span(elem, "id") or self.doc.span(elem)

    def section(self, section: etree._Element) -> None:
        tag = section.tag
        children = [c for c in section if isinstance(c.tag, str)]
        if tag == "crm_config":
            self.config.properties += [self.nvset(c, "property") for c in children]
        elif tag in ("rsc_defaults", "op_defaults"):
            target = self.config.rsc_defaults if tag == "rsc_defaults" else self.config.op_defaults
            target += [self.nvset(c, tag) for c in children if c.tag in _NVSET_KINDS]
        else:
            for child in children:
                self.element(child)

    def element(self, elem: etree._Element) -> None:
        """One configuration object, wherever it stands."""
        tag = elem.tag
        if tag in ("primitive", "template", "group", "clone", "master", "bundle"):
            self.resource(elem, None)
        elif tag in ("rsc_order", "rsc_colocation", "rsc_location", "rsc_ticket"):
            self.config.constraints.append(self.constraint(elem))
        elif tag == "node":
            self.config.nodes.append(self.node(elem))
        elif tag == "cluster_property_set":
            self.config.properties.append(self.nvset(elem, "property"))
        elif tag in ("rsc_defaults", "op_defaults", "crm_config"):
            self.section(elem)
        elif tag == "fencing-level":
            self.config.fencing_levels.append(self.fencing_level(elem))
        elif tag == "tag":
            self.tag(elem)
        elif tag == "alert":
            self.alert(elem)
        elif tag in ("acl_role", "acl_user", "acl_target", "acl_group", "role", "user", "target", "group"):
            self.acl(elem)
        elif tag in ("nodes", "resources", "constraints", "fencing-topology", "tags", "alerts", "acls"):
            for child in elem:
                if isinstance(child.tag, str):
                    self.element(child)

    # -- attribute sets --------------------------------------------------------
    def nvset(self, elem: etree._Element, kind: str) -> NvSet:
        nvset = NvSet(span=self.doc.span(elem), kind=kind, id=elem.get("id"), score=elem.get("score"),
                      id_ref=elem.get("id-ref"))
        for child in elem:
            if child.tag == "nvpair":
                nvset.pairs.append(self.nvpair(child))
            elif child.tag == "attributes":  # pacemaker-1.0 nesting
                nvset.pairs += [self.nvpair(p) for p in child if p.tag == "nvpair"]
            elif child.tag == "rule":
                nvset.rules.append(self.rule(child))
        nvset.has_rule = bool(nvset.rules)
        return nvset

    def nvpair(self, elem: etree._Element) -> NvPair:
        a = dict(elem.attrib)  # one C-level copy instead of a lookup per attribute (the hottest path)
        value = a.get("value")
        return NvPair(span=self.doc.span(elem), name=a.get("name") or a.get("id-ref") or "", value=value,
                      id=a.get("id"), value_span=None if value is None else LazySpan(self.doc, elem, "value")
                      if self.doc.fixed is None else self.doc.fixed)

    def sets_of(self, elem: etree._Element, owner) -> None:
        for child in elem:
            kind = _NVSET_KINDS.get(child.tag) if isinstance(child.tag, str) else None
            if kind is None:
                continue
            nvset = self.nvset(child, kind)
            (owner.meta if kind == "meta" else owner.utilization if kind == "utilization"
             else owner.params).append(nvset)

    def rule(self, elem: etree._Element) -> Rule:
        rule = Rule(span=self.doc.span(elem), id=elem.get("id"), score=elem.get("score"),
                    score_attribute=elem.get("score-attribute"), role=elem.get("role"),
                    boolean_op=elem.get("boolean-op"), id_ref=elem.get("id-ref"))
        for child in elem:
            if child.tag == "expression":
                rule.expressions.append(Expression(
                    span=self.doc.span(child), operation=child.get("operation") or "",
                    attribute=child.get("attribute"), value=child.get("value"), type=child.get("type"),
                    value_source=child.get("value-source")))
            elif child.tag == "date_expression":
                rule.expressions.append(self.date_expression(child))
            elif child.tag == "rule":
                rule.rules.append(self.rule(child))
        return rule

    def date_expression(self, elem: etree._Element) -> Expression:
        expr = Expression(span=self.doc.span(elem), operation=elem.get("operation") or "", date=True)
        for key in ("start", "end"):
            if elem.get(key) is not None:
                expr.values[key] = elem.get(key)
        for child in elem:
            if child.tag in ("date_spec", "duration"):
                expr.values.update({k: v for k, v in child.attrib.items() if k != "id"})
        return expr

    # -- resources -----------------------------------------------------------
    def resource(self, elem: etree._Element, parent: str | None) -> ClusterResource | None:
        tag = elem.tag
        common = dict(span=self.doc.span(elem), id=elem.get("id") or "", parent=parent,
                      description=elem.get("description"), keyword_span=self.doc.tag_span(elem),
                      id_span=self.doc.attr_span(elem, "id"))
        if tag in ("primitive", "template"):
            res: ClusterResource = self.primitive(elem, common)
        elif tag == "group":
            res = Group(element="group", **common)
            res.children = [c.get("id") for c in elem if c.tag == "primitive"]
        elif tag in ("clone", "master"):
            res = Clone(element=tag, **common)
            inner = [c for c in elem if c.tag in ("primitive", "group")]
            res.child = inner[0].get("id") if inner else None
        elif tag == "bundle":
            res = self.bundle(elem, common)
        else:
            return None
        self.sets_of(elem, res)
        if res.id not in self.config.resources:
            self.config.resources[res.id] = res
        for child in elem:
            if child.tag in ("primitive", "group", "clone", "master"):
                self.resource(child, res.id)
        return res

    def primitive(self, elem: etree._Element, common: dict) -> Primitive:
        prim = Primitive(element=elem.tag, agent_class=elem.get("class"), provider=elem.get("provider"),
                         type=elem.get("type"), template=elem.get("template"),
                         agent_span=self.doc.attr_span(elem, "type") or self.doc.attr_span(elem, "template"),
                         **common)
        ops = elem.find("operations")
        if ops is not None:
            prim.operations_id, prim.operations_ref = ops.get("id"), ops.get("id-ref")
            prim.ops = [self.operation(op) for op in ops if op.tag == "op"]
        return prim

    def operation(self, elem: etree._Element) -> Operation:
        attrs = dict(elem.attrib)
        name, ident = attrs.pop("name", None), attrs.pop("id", None)
        op = Operation(span=self.doc.span(elem), name=name or "", interval=attrs.get("interval"),
                       timeout=attrs.get("timeout"), role=attrs.get("role"), attrs=attrs, id=ident,
                       timeout_span=self.doc.attr_span(elem, "timeout"), role_span=self.doc.attr_span(elem, "role"))
        if len(elem):
            for child in elem:
                kind = _NVSET_KINDS.get(child.tag) if isinstance(child.tag, str) else None
                if kind in ("params", "meta"):
                    (op.meta if kind == "meta" else op.params).append(self.nvset(child, kind))
        return op

    def bundle(self, elem: etree._Element, common: dict) -> Bundle:
        bundle = Bundle(element="bundle", **common)
        for child in elem:
            if child.tag in ("docker", "podman", "rkt"):
                bundle.container, bundle.container_attrs = child.tag, dict(child.attrib)
            elif child.tag == "network":
                bundle.network = dict(child.attrib)
                bundle.port_mappings = [dict(c.attrib) for c in child if c.tag == "port-mapping"]
            elif child.tag == "storage":
                bundle.storage_mappings = [dict(c.attrib) for c in child if c.tag == "storage-mapping"]
            elif child.tag == "primitive":
                bundle.child = child.get("id")
        return bundle

    # -- constraints -----------------------------------------------------------
    def constraint(self, elem: etree._Element) -> Constraint:
        cls, kind = {"rsc_order": (Order, "order"), "rsc_colocation": (Colocation, "colocation"),
                     "rsc_location": (Location, "location"), "rsc_ticket": (Ticket, "ticket")}[elem.tag]
        con = cls(span=self.doc.span(elem), id=elem.get("id") or "", kind=kind, score=elem.get("score"),
                  score_span=self.doc.attr_span(elem, "score"))
        getattr(self, "fill_" + kind)(con, elem)
        self.resource_sets(con, elem)
        return con

    def ref(self, elem: etree._Element, attr: str, **kw) -> ResourceRef | None:
        if elem.get(attr) is None:
            return None
        return ResourceRef(span=self.doc.attr_span(elem, attr) or self.doc.span(elem), id=elem.get(attr), **kw)

    def fill_order(self, con: Order, elem: etree._Element) -> None:
        con.order_kind, con.symmetrical = elem.get("kind"), elem.get("symmetrical")
        if con.score_span is None and con.order_kind is not None:
            con.score_span = self.doc.attr_span(elem, "kind")
        for attr in ("first", "then"):
            ref = self.ref(elem, attr, action=elem.get(f"{attr}-action"))
            if ref:
                con.resources.append(ref)

    def fill_colocation(self, con: Colocation, elem: etree._Element) -> None:
        con.node_attribute = elem.get("node-attribute")
        if con.score is None and elem.get("score-attribute") is not None:  # as crm writes it: `attr:`
            con.score, con.score_span = elem.get("score-attribute"), self.doc.attr_span(elem, "score-attribute")
        for attr in ("rsc", "with-rsc"):
            ref = self.ref(elem, attr, role=elem.get(f"{attr}-role"))
            if ref:
                con.resources.append(ref)

    def fill_location(self, con: Location, elem: etree._Element) -> None:
        con.node, con.rsc_pattern, con.role = elem.get("node"), elem.get("rsc-pattern"), elem.get("role")
        con.resource_discovery = elem.get("resource-discovery")
        ref = self.ref(elem, "rsc", role=elem.get("role"))
        if ref:
            con.resources.append(ref)
        for child in elem:
            if child.tag == "rule":
                rule = self.rule(child)
                con.rule_list.append(rule)
                con.rules.append(rule.text())

    def fill_ticket(self, con: Ticket, elem: etree._Element) -> None:
        con.ticket, con.loss_policy = elem.get("ticket"), elem.get("loss-policy")
        ref = self.ref(elem, "rsc", role=elem.get("rsc-role"))
        if ref:
            con.resources.append(ref)

    def resource_sets(self, con: Constraint, elem: etree._Element) -> None:
        for rset in elem:
            if rset.tag != "resource_set":
                continue
            index = len(con.sets)
            con.sets.append({k: v for k, v in rset.attrib.items() if k != "id"})
            for ref in rset:
                if ref.tag == "resource_ref":
                    con.resources.append(ResourceRef(span=self.doc.span(ref), id=ref.get("id") or "",
                                                     role=rset.get("role"), action=rset.get("action"),
                                                     set_index=index))

    # -- nodes and the rest ------------------------------------------------------
    def node(self, elem: etree._Element) -> ClusterNode:
        node = ClusterNode(span=self.doc.span(elem), uname=elem.get("uname") or elem.get("id") or "",
                           id=elem.get("id"), type=elem.get("type"), description=elem.get("description"))
        for child in elem:
            if child.tag in ("instance_attributes", "utilization", "attributes"):
                node.attributes.append(self.nvset(child, "utilization" if child.tag == "utilization" else "attributes"))
        return node

    def fencing_level(self, elem: etree._Element) -> FencingLevel:
        return FencingLevel(span=self.doc.span(elem), index=elem.get("index"),
                            devices=(elem.get("devices") or "").split(","), target=elem.get("target"),
                            target_pattern=elem.get("target-pattern"),
                            target_attribute=elem.get("target-attribute"), target_value=elem.get("target-value"),
                            id=elem.get("id"))

    def tag(self, elem: etree._Element) -> None:
        tag = Tag(span=self.doc.span(elem), id=elem.get("id") or "",
                  refs=[r.get("id") for r in elem if r.tag == "obj_ref"])
        self.config.tags.append(tag)
        self.config.other_ids.add(tag.id)

    def alert(self, elem: etree._Element) -> None:
        alert = Alert(span=self.doc.span(elem), id=elem.get("id") or "", agent_path=elem.get("path") or "")
        self.sets_into(elem, alert)
        for child in elem:
            if child.tag == "recipient":
                rec = Recipient(span=self.doc.span(child), value=child.get("value") or "", id=child.get("id"))
                self.sets_into(child, rec)
                alert.recipients.append(rec)
            elif child.tag == "select":
                alert.select += [c.tag.replace("select_", "") for c in child if isinstance(c.tag, str)]
        self.config.alerts.append(alert)
        self.config.other_ids.add(alert.id)

    def sets_into(self, elem: etree._Element, owner: Alert | Recipient) -> None:
        for child in elem:
            if child.tag in ("instance_attributes", "meta_attributes"):
                kind = _NVSET_KINDS[child.tag]
                (owner.meta if kind == "meta" else owner.params).append(self.nvset(child, kind))

    def acl(self, elem: etree._Element) -> None:
        element = elem.tag if elem.tag.startswith("acl_") else "acl_" + elem.tag
        obj = AclObject(span=self.doc.span(elem), id=elem.get("id") or "", element=element)
        for child in elem:
            if not isinstance(child.tag, str):
                continue
            if child.tag in ("role", "role_ref"):
                obj.items.append(("role", child.get("id") or ""))
            else:
                kind = child.get("kind") or child.tag
                spec = {k: v for k, v in child.attrib.items() if k not in ("id", "kind")}
                obj.items.append((kind, " ".join(f"{k}:{v}" for k, v in spec.items())))
        self.config.acls.append(obj)
        self.config.other_ids.add(obj.id)


def add_xml_statement(config: ClusterConfig, body: str, span: Span,
                      register: Callable[[str, Span], None]) -> None:
    """crm `xml <element .../>`: the element joins the configuration, every
    object spanning the whole statement."""
    try:
        elem = xmlsafe.load_bytes(body.encode("utf-8", "surrogateescape"), span.line, span.column)
    except ParseError as e:
        raise ParseError(f"bad XML in xml statement: {e.message}", span.line, span.column) from None
    builder = _Builder(config, Positions(span.file, elem, fixed=span), register)
    if elem.get("id") is not None:
        register(elem.get("id"), span)
    builder.element(elem)
