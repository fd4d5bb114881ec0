"""crm cluster-wide statements: property, rsc_defaults, op_defaults, node,
monitor, tag, fencing_topology, alert, acl, xml."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lark import Token, Tree

from sanlint.model.cluster import (
    AclObject, Alert, ClusterNode, FencingLevel, NvSet, Operation, Primitive, Recipient, Tag
)
from sanlint.source import Span

if TYPE_CHECKING:
    from sanlint.parsers.crm.base import BuilderBase
from sanlint.parsers.crm.words import LIST_KINDS, NODE_TYPES, _CONTINUATION, unquote


class ClusterStatements:
    def st_property(self, tree: Tree, kind: str = "property") -> None:
        items = list(tree.children[1:])
        set_id = None
        if items and isinstance(items[0], Token) and items[0].type == "SCORE":  # `<set-id>:`
            set_id = str(items.pop(0))[:-1]
        for item in items:
            if isinstance(item, Token) and item.type == "SCORE":  # crmsh property_parser takes no score
                raise self.fail(item, "unknown arguments", ["name=value", "rule"])
        nvset = self.attr_set(kind, items, tree)
        if set_id:
            nvset.id = set_id
            self.register_id(set_id, self.span(tree.children[1]))
        {"property": self.config.properties, "rsc_defaults": self.config.rsc_defaults,
         "op_defaults": self.config.op_defaults}[kind].append(nvset)

    def st_rsc_defaults(self, tree: Tree) -> None:
        self.st_property(tree, "rsc_defaults")

    def st_op_defaults(self, tree: Tree) -> None:
        self.st_property(tree, "op_defaults")

    # nodes
    def st_node(self, tree: Tree) -> None:
        kids = list(tree.children[1:])
        node_id = None
        if isinstance(kids[0], Token) and kids[0].type in ("SCORE", "NVPAIR"):
            tok = kids.pop(0)
            if tok.type == "SCORE":
                node_id = str(tok)[:-1]
            else:
                pair = self.nvpair(tok)
                if pair.name.lower() != "$id":
                    raise self.fail(tok, "expected $id=<id>", ["$id=", "<id>:", "<uname>"])
                node_id = pair.value
        uname_tok = kids.pop(0)
        uname, _, ntype = unquote(uname_tok).partition(":")
        if ntype and ntype.lower() not in NODE_TYPES:
            raise self.fail(uname_tok, "expected uname[:type]", NODE_TYPES)
        node = ClusterNode(span=self.span(tree), uname=uname, id=node_id, type=ntype or None)
        for part in kids:
            items = list(part.children if part.data == "implicit_list" else part.children[1:])
            kind = "attributes" if part.data == "implicit_list" else LIST_KINDS[str(part.children[0]).lower()]
            if part.data == "implicit_list" and self.nvpair(items[0]).name.lower() == "description":
                node.description = self.nvpair(items.pop(0)).value
            if items:
                node.attributes.append(self.attr_set(kind, items, part))
        self.config.nodes.append(node)

    # others
    def st_monitor(self, tree: Tree) -> None:
        self.monitors.append((tree.children[1], tree.children[2], self.span(tree)))

    def apply_monitor(self, target: Token, spec: Token, span: Span) -> None:
        rsc, _, role = unquote(target).partition(":")
        interval, _, timeout = unquote(spec).partition(":")
        op = Operation(span=span, name="monitor", interval=interval, timeout=timeout or None, role=role or None)
        op.attrs["interval"] = interval
        if timeout:
            op.attrs["timeout"] = timeout
            op.timeout_span = self.src.span(spec.end_pos - len(timeout), spec.end_pos)
        if role:
            op.attrs["role"] = role
            op.role_span = self.src.span(target.end_pos - len(role), target.end_pos)
        prim = self.config.resources.get(rsc)
        if isinstance(prim, Primitive):
            prim.ops.append(op)

    def st_tag(self, tree: Tree) -> None:
        ident = tree.children[1]
        name = unquote(ident).rstrip(":")
        tag = Tag(span=self.span(tree), id=name, refs=[unquote(t) for t in tree.children[2:]])
        self.register_id(name, self.span(ident))
        self.config.tags.append(tag)
        self.config.other_ids.add(name)

    def st_fencing_topology(self, tree: Tree) -> None:
        # one fencing-topology element per CIB: crmsh refuses a second statement
        self.register_id("fencing_topology", self.span(tree.children[0]))
        target: dict[str, str] = {}
        counts: dict[str, int] = {}
        for tok in tree.children[1:]:
            text = unquote(tok)
            if tok.type == "SCORE":
                target = {"target": text[:-1]}
            elif text.lower().startswith("attr:") and "=" in text:
                name, _, value = text[5:].partition("=")
                target = {"target_attribute": name, "target_value": value}
            elif text.lower().startswith("pattern:"):
                target = {"target_pattern": text[8:]}
            else:
                key = next(iter(target.values()), "")
                counts[key] = counts.get(key, 0) + 1
                self.config.fencing_levels.append(FencingLevel(
                    span=self.span(tok), index=str(counts[key]), devices=text.split(","), **target))

    def st_alert(self, tree: Tree) -> None:
        ident, path = tree.children[1], tree.children[2]
        alert = Alert(span=self.span(tree), id=unquote(ident), agent_path=unquote(path))
        self.register_id(alert.id, self.span(ident))
        _AlertBuilder(self, alert).run(list(tree.children[3:]))
        self.config.alerts.append(alert)
        self.config.other_ids.add(alert.id)

    def acl(self, tree: Tree, element: str) -> None:
        ident = tree.children[1]
        obj = AclObject(span=self.span(tree), id=unquote(ident), element=element)
        self.register_id(obj.id, self.span(ident))
        right = None
        for tok in tree.children[2:]:
            text = unquote(tok)
            if tok.type == "ACL_RIGHT":
                right = text.lower()
            elif element in ("acl_target", "acl_group"):
                obj.items.append(("role", text))
            elif element == "acl_user" and text.lower().startswith("role:"):
                obj.items.append(("role", text[5:]))
            elif text.lower().startswith("description="):
                obj.items.append(("description", text.partition("=")[2]))
            elif right is None:
                raise self.fail(tok, "expected read, write or deny", ["read", "write", "deny"])
            else:
                obj.items.append((right, text))
        self.config.acls.append(obj)
        self.config.other_ids.add(obj.id)

    def st_acl_role(self, tree: Tree) -> None:
        self.acl(tree, "acl_role")

    def st_acl_user(self, tree: Tree) -> None:
        self.acl(tree, "acl_user")

    def st_acl_target(self, tree: Tree) -> None:
        self.acl(tree, "acl_target")

    def st_acl_group(self, tree: Tree) -> None:
        self.acl(tree, "acl_group")

    def st_xml(self, tree: Tree) -> None:
        from sanlint.parsers import cib

        body = " ".join(_CONTINUATION.sub("", str(tree.children[1])).split())
        cib.add_xml_statement(self.config, body, self.span(tree), self.register_id)


class _AlertBuilder:
    """crmsh parse_alert: `[description=] [attributes ..] [meta ..]
    [select nodes|fencing|resources|attributes {..}] [to [{] <recipient> [attributes ..] [meta ..] [}]]`."""

    def __init__(self, owner: "BuilderBase", alert: Alert) -> None:
        self.owner, self.alert = owner, alert
        self.target: Alert | Recipient = alert
        self.list: NvSet | None = None
        self.mode = ""

    def run(self, items: list) -> None:
        for tok in items:
            text = unquote(tok)
            low = text.lower()
            if tok.type == "ALERT_KW":
                self.keyword(low, tok)
            elif tok.type in ("LBRACE", "RBRACE"):
                if tok.type == "RBRACE":
                    self.mode, self.list, self.target = "", None, self.alert
            elif self.mode == "to":
                self.target = Recipient(span=self.owner.span(tok), value=text)
                self.alert.recipients.append(self.target)
                self.mode = ""
            elif self.mode.startswith("select"):
                if self.mode == "select":
                    self.alert.select.append(low)
            elif self.list is not None and tok.type == "NVPAIR":
                self.list.pairs.append(self.owner.nvpair(tok))
            elif tok.type == "NVPAIR" and low.startswith("description="):
                continue
            else:
                raise self.owner.fail(tok, "unexpected word in alert", ["attributes", "meta", "select", "to"])

    def keyword(self, word: str, tok: Token) -> None:
        if word == "to":
            self.mode, self.list = "to", None
            return
        if word == "select":
            self.mode, self.list, self.target = "select", None, self.alert
            return
        if self.mode == "select" and word == "attributes":
            self.alert.select.append("attributes")
            self.mode = "select-attrs"
            return
        kind = "params" if word == "attributes" else "meta"
        self.list = NvSet(span=self.owner.span(tok), kind=kind)
        (self.target.meta if kind == "meta" else self.target.params).append(self.list)
        self.mode = ""
