"""Pacemaker cluster model, built alike from crmsh text and CIB XML, so a
rule written once works for both front ends."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sanlint.model.base import Located
from sanlint.source import Span


@dataclass(eq=False)
class NvPair(Located):
    name: str
    value: str | None
    id: str | None = None
    value_span: Span | None = field(default=None, repr=False, kw_only=True)


@dataclass(eq=False)
class Expression(Located):
    """One rule expression: `attr [type:]op value`, `defined attr` or a
    date expression (`attribute` is None, `operation` is the date operation,
    `values` holds start/end/duration/date_spec fields)."""

    operation: str  # lt gt lte gte eq ne defined not_defined | date: lt gt in_range date_spec
    attribute: str | None = None
    value: str | None = None
    type: str | None = None  # string | number | version | integer
    value_source: str | None = None
    date: bool = False
    values: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class Rule(Located):
    id: str | None = None
    score: str | None = None
    score_attribute: str | None = None
    role: str | None = None
    boolean_op: str | None = None  # "and" | "or"
    expressions: list[Expression] = field(default_factory=list)
    rules: list["Rule"] = field(default_factory=list)  # nested rules (CIB only)
    id_ref: str | None = None

    def text(self) -> str:
        """The rule in crm syntax, canonical: `score: a eq 1 and defined b`."""
        head = [f"$role={self.role}"] if self.role else []
        head.append(f"{canonical_score(self.score) if self.score is not None else self.score_attribute or 'INFINITY'}:")
        parts = [_expr_text(e) for e in self.expressions] + [f"( {r.text()} )" for r in self.rules]
        return " ".join(head + [f" {self.boolean_op or 'and'} ".join(parts)])


def canonical_score(score: str | None) -> str | None:
    """`inf`, `+inf`, `infinity`, `INFINITY` -> `INFINITY` (and `-INFINITY`),
    as crmsh writes them into the CIB (parse.validate_score)."""
    if score is None:
        return None
    m = re.fullmatch(r"([+-]?)(inf|infinity)", score.strip(), re.IGNORECASE)
    if m:
        return ("-" if m.group(1) == "-" else "") + "INFINITY"
    return score.strip()


def _expr_text(e: Expression) -> str:
    if e.date:
        if e.operation in ("lt", "gt"):
            return f"date {e.operation} {e.values.get('end' if e.operation == 'lt' else 'start')}"
        kw = "in" if e.operation == "in_range" else "spec"
        return f"date {kw} " + " ".join(f"{k}={v}" for k, v in sorted(e.values.items()))
    if e.operation in ("defined", "not_defined"):
        return f"{e.operation} {e.attribute}"
    op = f"{e.type}:{e.operation}" if e.type else e.operation
    value = f"{e.value_source}{{{e.value}}}" if e.value_source else e.value
    return f"{e.attribute} {op} {value}"


@dataclass(eq=False)
class NvSet(Located):
    """params / meta / utilization / property set / rsc_defaults / op_defaults."""

    kind: str  # "params" | "meta" | "utilization" | "property" | "rsc_defaults" | "op_defaults" | "attributes"
    id: str | None = None
    pairs: list[NvPair] = field(default_factory=list)
    score: str | None = None
    has_rule: bool = False
    rules: list[Rule] = field(default_factory=list)
    id_ref: str | None = None  # `$id-ref=` / `id-ref=`: the set is another set's

    def get(self, name: str) -> NvPair | None:
        for p in self.pairs:
            if p.name == name:
                return p
        return None


def _lookup(sets: list[NvSet], name: str) -> NvPair | None:
    for s in sets:
        p = s.get(name)
        if p is not None:
            return p
    return None


@dataclass(eq=False)
class Operation(Located):
    name: str  # start | stop | monitor | promote | ...
    interval: str | None = None
    timeout: str | None = None
    role: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)  # every attribute as written (incl. interval/timeout/role)
    id: str | None = None
    params: list[NvSet] = field(default_factory=list)  # op_params / <op><instance_attributes>
    meta: list[NvSet] = field(default_factory=list)  # op_meta / <op><meta_attributes>
    timeout_span: Span | None = field(default=None, repr=False, kw_only=True)
    role_span: Span | None = field(default=None, repr=False, kw_only=True)


@dataclass(eq=False)
class ClusterNode(Located):
    uname: str
    id: str | None = None
    type: str | None = None
    attributes: list[NvSet] = field(default_factory=list)  # kind "attributes" or "utilization"
    description: str | None = None


@dataclass(eq=False)
class ClusterResource(Located):
    id: str
    element: str  # "primitive" | "group" | "clone" | "master" | "template" | "bundle"
    meta: list[NvSet] = field(default_factory=list)
    params: list[NvSet] = field(default_factory=list)
    parent: str | None = None  # id of the group/clone containing it
    description: str | None = None
    utilization: list[NvSet] = field(default_factory=list)
    keyword_span: Span | None = field(default=None, repr=False, kw_only=True)  # `ms`/`primitive` keyword, `<master` tag name
    id_span: Span | None = field(default=None, repr=False, kw_only=True)

    def meta_value(self, name: str) -> str | None:
        p = _lookup(self.meta, name)
        return p.value if p else None

    def meta_pair(self, name: str) -> NvPair | None:
        return _lookup(self.meta, name)

    def param(self, name: str) -> NvPair | None:
        return _lookup(self.params, name)


@dataclass(eq=False)
class Primitive(ClusterResource):
    agent_class: str | None = None  # ocf | lsb | stonith | systemd | service ...
    provider: str | None = None
    type: str | None = None
    template: str | None = None
    ops: list[Operation] = field(default_factory=list)
    operations_id: str | None = None  # `operations $id=` / <operations id=>
    operations_ref: str | None = None  # `operations $id-ref=` / <operations id-ref=>
    agent_span: Span | None = field(default=None, repr=False, kw_only=True)

    @property
    def agent(self) -> str:
        """`ocf:heartbeat:IPaddr2`, `lsb:iscsitarget`, `stonith:fence_ipmilan`."""
        cached = self.__dict__.get("_agent")  # rules ask many times; the model is not changed after parsing
        if cached is None:
            parts = [p for p in (self.agent_class, self.provider, self.type) if p]
            cached = self.__dict__["_agent"] = ":".join(parts) if parts else f"@{self.template}"
        return cached

    def params_dict(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for s in self.params:
            for p in s.pairs:
                out.setdefault(p.name, p.value)
        return out


@dataclass(eq=False)
class Group(ClusterResource):
    children: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Bundle(ClusterResource):
    container: str | None = None  # docker | podman | rkt
    container_attrs: dict[str, str] = field(default_factory=dict)
    network: dict[str, str] = field(default_factory=dict)
    port_mappings: list[dict[str, str]] = field(default_factory=list)
    storage_mappings: list[dict[str, str]] = field(default_factory=list)
    child: str | None = None  # the primitive inside


@dataclass(eq=False)
class Clone(ClusterResource):
    """A clone, promotable clone (`promotable=true`) or 1.x master/ms resource."""

    child: str | None = None

    @property
    def promotable(self) -> bool:
        if self.element == "master":
            return True
        v = self.meta_value("promotable")
        return (v or "").lower() in ("true", "yes", "1", "on", "y")


@dataclass(eq=False)
class ResourceRef(Located):
    """A reference to a resource inside a constraint, with an optional role
    (`sandisk_ms:Master`) or action (`sandisk_ms:promote`)."""

    id: str
    role: str | None = None
    action: str | None = None
    set_index: int | None = None  # which resource set, None in the simple form


@dataclass(eq=False)
class Constraint(Located):
    id: str
    kind: str  # "order" | "colocation" | "location" | "ticket"
    score: str | None = None  # as written: "1000", "INFINITY", "inf", "-inf"
    score_span: Span | None = field(default=None, repr=False, kw_only=True)
    resources: list[ResourceRef] = field(default_factory=list)  # in the order written
    sets: list[dict[str, str]] = field(default_factory=list)  # per resource-set attributes (sequential, require-all, ...)


@dataclass(eq=False)
class Order(Constraint):
    order_kind: str | None = None  # Mandatory | Optional | Serialize, when written as a kind
    symmetrical: str | None = None

    @property
    def first(self) -> ResourceRef | None:
        return self.resources[0] if len(self.resources) >= 1 else None

    @property
    def then(self) -> ResourceRef | None:
        return self.resources[-1] if len(self.resources) >= 2 else None


@dataclass(eq=False)
class Colocation(Constraint):
    """crm `colocation c inf: A B` = A placed with B: resources[0] is `rsc`,
    resources[1] is `with-rsc` in the simple form."""

    node_attribute: str | None = None

    @property
    def rsc(self) -> ResourceRef | None:
        return self.resources[0] if self.resources else None

    @property
    def with_rsc(self) -> ResourceRef | None:
        return self.resources[1] if len(self.resources) >= 2 else None


@dataclass(eq=False)
class Location(Constraint):
    node: str | None = None
    rsc_pattern: str | None = None
    rules: list[str] = field(default_factory=list)  # rule expressions as text (Rule.text())
    role: str | None = None
    rule_list: list[Rule] = field(default_factory=list)
    resource_discovery: str | None = None


@dataclass(eq=False)
class Ticket(Constraint):
    ticket: str | None = None
    loss_policy: str | None = None


@dataclass(eq=False)
class Tag(Located):
    id: str
    refs: list[str] = field(default_factory=list)


@dataclass(eq=False)
class FencingLevel(Located):
    index: str | None
    devices: list[str] = field(default_factory=list)
    target: str | None = None
    target_pattern: str | None = None
    target_attribute: str | None = None
    target_value: str | None = None
    id: str | None = None


@dataclass(eq=False)
class Recipient(Located):
    value: str
    id: str | None = None
    params: list[NvSet] = field(default_factory=list)
    meta: list[NvSet] = field(default_factory=list)


@dataclass(eq=False)
class Alert(Located):
    id: str
    agent_path: str  # the alert agent (`path=`); `path` is the file position
    params: list[NvSet] = field(default_factory=list)
    meta: list[NvSet] = field(default_factory=list)
    select: list[str] = field(default_factory=list)  # nodes | fencing | resources | attributes
    recipients: list[Recipient] = field(default_factory=list)


@dataclass(eq=False)
class AclObject(Located):
    """An ACL role, user, target or group; `items` are the permissions or
    role references in order, as (kind, spec) pairs: ("read", "xpath:/cib"),
    ("role", "r1")."""

    id: str
    element: str  # acl_role | acl_user | acl_target | acl_group
    items: list[tuple[str, str]] = field(default_factory=list)


@dataclass(eq=False)
class ClusterConfig(Located):
    """One cluster configuration: a crm file or a CIB."""

    source_kind: str  # "crm" | "cib"
    nodes: list[ClusterNode] = field(default_factory=list)
    resources: dict[str, ClusterResource] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[NvSet] = field(default_factory=list)
    rsc_defaults: list[NvSet] = field(default_factory=list)
    op_defaults: list[NvSet] = field(default_factory=list)
    validate_with: str | None = None  # CIB schema, e.g. "pacemaker-1.2"
    duplicate_ids: list[tuple[str, Span]] = field(default_factory=list, repr=False)
    other_ids: set[str] = field(default_factory=set, repr=False)  # ids of tags/templates/fencing levels...
    fencing_levels: list[FencingLevel] = field(default_factory=list, repr=False)
    tags: list[Tag] = field(default_factory=list, repr=False)
    alerts: list[Alert] = field(default_factory=list, repr=False)
    acls: list[AclObject] = field(default_factory=list, repr=False)

    def property(self, name: str) -> NvPair | None:
        return _lookup(self.properties, name)

    def primitives(self) -> list[Primitive]:
        """Primitives proper (templates are `templates()`)."""
        cached = self.__dict__.get("_primitives")
        if cached is not None and cached[0] == len(self.resources):  # every rule asks; the model is built once
            return list(cached[1])
        found = [r for r in self.resources.values() if isinstance(r, Primitive) and r.element == "primitive"]
        self.__dict__["_primitives"] = (len(self.resources), found)
        return list(found)

    def templates(self) -> list[Primitive]:
        return [r for r in self.resources.values() if isinstance(r, Primitive) and r.element == "template"]

    def bundles(self) -> list[Bundle]:
        return [r for r in self.resources.values() if isinstance(r, Bundle)]

    def agent_of(self, prim: Primitive) -> str:
        """The agent of a primitive, looked up through its template."""
        if prim.template and not prim.type:
            tpl = self.resources.get(prim.template)
            if isinstance(tpl, Primitive):
                return tpl.agent
        return prim.agent

    def clones(self) -> list[Clone]:
        return [r for r in self.resources.values() if isinstance(r, Clone)]

    def groups(self) -> list[Group]:
        return [r for r in self.resources.values() if isinstance(r, Group)]

    def of_kind(self, cls: type) -> list:
        return [c for c in self.constraints if isinstance(c, cls)]
