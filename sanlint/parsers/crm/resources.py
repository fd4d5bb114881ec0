"""crm resource statements: primitive, rsc_template, group, clone, ms,
bundle, their operations and attribute lists."""

from __future__ import annotations

import re

from lark import Token, Tree

from sanlint.model.agents import resolve
from sanlint.model.cluster import Bundle, Clone, ClusterResource, Group, NvPair, NvSet, Operation, Primitive
from sanlint.parsers.crm.words import LIST_KINDS, OP_ATTRIBUTES, unquote


class ResourceStatements:
    # resources
    def resource_head(self, tree: Tree, cls: type, element: str, **kw) -> ClusterResource:
        kwd, ident = tree.children[0], tree.children[1]
        res = cls(span=self.span(tree), id=unquote(ident), element=element,
                  keyword_span=self.span(kwd), id_span=self.span(ident), **kw)
        self.register_id(res.id, res.id_span)
        if res.id not in self.config.resources:
            self.config.resources[res.id] = res
        return res

    def st_primitive(self, tree: Tree, element: str = "primitive") -> None:
        prim = self.resource_head(tree, Primitive, element)
        agent_tok = tree.children[2]
        agent = unquote(agent_tok)
        prim.agent_span = self.span(agent_tok)
        if agent.startswith("@") and element == "primitive":
            prim.template = agent[1:]
        else:
            self.set_agent(prim, agent, agent_tok)
        self.resource_parts(prim, tree.children[3:])

    def st_rsc_template(self, tree: Tree) -> None:
        self.st_primitive(tree, "template")

    def set_agent(self, prim: Primitive, agent: str, tok: Token) -> None:
        # resolved once, here, as crmsh resolves it (sanlint.model.agents):
        # rules never see `IPaddr2` beside `ocf:heartbeat:IPaddr2`
        parts = resolve(agent) if re.fullmatch(r"[a-zA-Z0-9_:./+-]+", agent) else None
        if parts is None:
            raise self.fail(tok, "unknown resource type", ["class:provider:type"])
        prim.agent_class, prim.provider, prim.type = parts

    def st_group(self, tree: Tree) -> None:
        group = self.resource_head(tree, Group, "group")
        rest = tree.children[2:]
        while rest and isinstance(rest[0], Token) and rest[0].type == "WORD":
            child = unquote(rest[0])
            if child in group.children:
                raise self.fail(rest[0], f"child {child} listed more than once in group {group.id}")
            group.children.append(child)
            rest = rest[1:]
        self.resource_parts(group, rest)

    def st_clone(self, tree: Tree) -> None:
        self.clone_like(tree, "clone")

    def st_ms(self, tree: Tree) -> None:
        self.clone_like(tree, "master")

    def clone_like(self, tree: Tree, element: str) -> None:
        clone = self.resource_head(tree, Clone, element)
        clone.child = unquote(tree.children[2])
        self.resource_parts(clone, tree.children[3:])

    def set_parents(self, parent: str, children: list[str]) -> None:
        for child in children:
            res = self.config.resources.get(child)
            if res is not None:
                res.parent = parent

    def resource_parts(self, res: ClusterResource, parts: list) -> None:
        for part in parts:
            if part.data == "implicit_list":
                items = list(part.children)
                if items and self.nvpair(items[0]).name.lower() == "description":
                    res.description = self.nvpair(items.pop(0)).value
                if items:
                    self.add_set(res, self.attr_set("params", items, part))
            elif part.data == "attr_list":
                kind = LIST_KINDS[str(part.children[0]).lower()]
                self.add_set(res, self.attr_set(kind, part.children[1:], part))
            elif part.data == "op":
                res.ops.append(self.operation(part))  # type: ignore[attr-defined]
            elif part.data == "operations":
                self.operations(res, part)

    def add_set(self, res: ClusterResource, nvset: NvSet) -> None:
        if nvset.kind == "meta":
            res.meta.append(nvset)
        elif nvset.kind == "utilization":
            res.utilization.append(nvset)
        else:
            res.params.append(nvset)

    def operations(self, res: ClusterResource, tree: Tree) -> None:
        pair = self.nvpair(tree.children[1])
        if pair.name.lower() == "$id-ref":
            res.operations_ref = pair.value  # type: ignore[attr-defined]
        elif pair.name.lower() == "$id":
            res.operations_id = pair.value  # type: ignore[attr-defined]
        else:
            raise self.fail(tree.children[1], "expected $id-ref=<id> or $id=<id>")
        for op in tree.children[2:]:
            res.ops.append(self.operation(op))  # type: ignore[attr-defined]

    def operation(self, tree: Tree) -> Operation:
        name_tok = tree.children[1]
        op = Operation(span=self.span(tree), name=unquote(name_tok))
        items = [c for c in tree.children[2:] if not (isinstance(c, Tree) and c.data == "op_list")]
        inst: list = []
        for item in items:
            if not isinstance(item, Token) or item.type == "SCORE":
                inst.append(item)
                continue
            pair = self.nvpair(item)
            if pair.name in OP_ATTRIBUTES or pair.name.lower() == "$id":
                if inst:  # crmsh match_op
                    raise self.fail(item, f"attribute order error: {pair.name} must appear before any "
                                          "instance attribute")
                self.op_attribute(op, pair)
            else:
                inst.append(item)
        if inst:
            op.params.append(self.attr_set("params", inst, tree))
        for sub in tree.children[2:]:
            if isinstance(sub, Tree) and sub.data == "op_list":
                kind = LIST_KINDS[str(sub.children[0]).lower()]
                (op.meta if kind == "meta" else op.params).append(self.attr_set(kind, sub.children[1:], sub))
        return op

    def op_attribute(self, op: Operation, pair: NvPair) -> None:
        name = pair.name.lstrip("$").lower() if pair.name.startswith("$") else pair.name
        value = pair.value if pair.value is not None else ""
        if name == "id":
            op.id = value
            return
        op.attrs[name] = value
        if name == "interval":
            op.interval = value
        elif name == "timeout":
            op.timeout, op.timeout_span = value, pair.value_span
        elif name == "role":
            op.role, op.role_span = value, pair.value_span

    def st_bundle(self, tree: Tree) -> None:
        bundle: Bundle = self.resource_head(tree, Bundle, "bundle")  # type: ignore[assignment]
        for part in tree.children[2:]:
            if isinstance(part, Token):
                pair = self.nvpair(part)
                if pair.name.lower() != "description":
                    raise self.fail(part, "expected description=", ["description="])
                bundle.description = pair.value
            else:
                self.bundle_part(bundle, part)

    def bundle_part(self, bundle: Bundle, part: Tree) -> None:
        kind = str(part.children[0]).lower()
        items = part.children[1:]
        if kind == "meta":
            bundle.meta.append(self.attr_set("meta", items, part))
        elif kind == "primitive":
            if len(items) != 1 or items[0].type != "WORD":
                raise self.fail(part.children[0], "expected primitive reference")
            bundle.child = unquote(items[0])
        elif kind in ("docker", "podman", "rkt"):
            bundle.container = kind
            bundle.container_attrs.update(self.plain_pairs(items))
        elif kind == "network":
            self.mapping_pairs(items, bundle.network, bundle.port_mappings, "port-mapping")
        elif kind == "port-mapping":
            bundle.port_mappings.append(self.plain_pairs(items))
        else:  # storage
            self.mapping_pairs(items, {}, bundle.storage_mappings, "storage-mapping")

    def plain_pairs(self, items: list) -> dict[str, str]:
        pairs = (self.nvpair(t) for t in items)
        return {p.name: p.value or "" for p in pairs}

    def mapping_pairs(self, items: list, own: dict, mappings: list, word: str) -> None:
        """crmsh match_container: a bare `port-mapping`/`storage-mapping`
        starts a mapping that takes the pairs after it."""
        current = own
        for tok in items:
            pair = self.nvpair(tok)
            if pair.value is None and pair.name in ("port-mapping", "storage-mapping"):
                current = {}
                mappings.append(current)
            else:
                current[pair.name] = pair.value or ""
