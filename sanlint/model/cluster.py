"""Pacemaker cluster model, built alike from crmsh text and CIB XML, so a
rule written once works for both front ends."""

from __future__ import annotations

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
class NvSet(Located):
    """params / meta / utilization / property set / rsc_defaults / op_defaults."""

    kind: str  # "params" | "meta" | "utilization" | "property" | "rsc_defaults" | "op_defaults" | "attributes"
    id: str | None = None
    pairs: list[NvPair] = field(default_factory=list)
    score: str | None = None
    has_rule: bool = False

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
    timeout_span: Span | None = field(default=None, repr=False, kw_only=True)
    role_span: Span | None = field(default=None, repr=False, kw_only=True)


@dataclass(eq=False)
class ClusterNode(Located):
    uname: str
    id: str | None = None
    type: str | None = None
    attributes: list[NvSet] = field(default_factory=list)


@dataclass(eq=False)
class ClusterResource(Located):
    id: str
    element: str  # "primitive" | "group" | "clone" | "master" | "template" | "bundle"
    meta: list[NvSet] = field(default_factory=list)
    params: list[NvSet] = field(default_factory=list)
    parent: str | None = None  # id of the group/clone containing it
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
    agent_span: Span | None = field(default=None, repr=False, kw_only=True)

    @property
    def agent(self) -> str:
        """`ocf:heartbeat:IPaddr2`, `lsb:iscsitarget`, `stonith:fence_ipmilan`."""
        parts = [p for p in (self.agent_class, self.provider, self.type) if p]
        return ":".join(parts) if parts else f"@{self.template}"

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
    rules: list[str] = field(default_factory=list)  # rule expressions as text
    role: str | None = None


@dataclass(eq=False)
class Ticket(Constraint):
    ticket: str | None = None
    loss_policy: str | None = None


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
    fencing_levels: list[Located] = field(default_factory=list, repr=False)

    def property(self, name: str) -> NvPair | None:
        return _lookup(self.properties, name)

    def primitives(self) -> list[Primitive]:
        return [r for r in self.resources.values() if isinstance(r, Primitive)]

    def clones(self) -> list[Clone]:
        return [r for r in self.resources.values() if isinstance(r, Clone)]

    def groups(self) -> list[Group]:
        return [r for r in self.resources.values() if isinstance(r, Group)]

    def of_kind(self, cls: type) -> list:
        return [c for c in self.constraints if isinstance(c, cls)]
