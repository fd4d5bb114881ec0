"""CIB XML -> crm configure text that reads back to the same XML (the
`cib2crm` converter); see `sanlint.convert` for which ids it writes."""

from __future__ import annotations

import re

from sanlint.edit.crm import pair, quote
from sanlint.edit.ids import IdStore
from sanlint.model.cluster import (
    AclObject, Alert, Bundle, Clone, ClusterConfig, ClusterNode, ClusterResource, Colocation, Constraint,
    Expression, Group, Location, NvPair, NvSet, Order, Primitive, ResourceRef, Rule, Ticket, canonical_score
)
from sanlint.source import ParseError, SourceFile


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
