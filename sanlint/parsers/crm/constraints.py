"""crm constraint statements: order, colocation, rsc_ticket, location and
their resource sets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import re

from lark import Token, Tree

from sanlint.model.cluster import Colocation, Constraint, Location, NvPair, Order, ResourceRef, Ticket

if TYPE_CHECKING:
    from sanlint.parsers.crm.base import BuilderBase
from sanlint.parsers.crm.words import ACTIONS, BOOLEANS, ORDER_KINDS, ROLES, _NUMERIC_SCORE, unquote


class ConstraintStatements:
    def constraint_head(self, tree: Tree, cls: type, kind: str) -> Constraint:
        ident = tree.children[1]
        con = cls(span=self.span(tree), id=unquote(ident), kind=kind)
        self.register_id(con.id, self.span(ident))
        self.config.constraints.append(con)
        return con

    def st_order(self, tree: Tree) -> None:
        order: Order = self.constraint_head(tree, Order, "order")  # type: ignore[assignment]
        items = list(tree.children[2:])
        if isinstance(items[0], Token) and items[0].type == "SCORE":
            self.order_score(order, items.pop(0))
        tail = self.pop_tail(items, r"symmetrical=(true|false|yes|no|on|off)")
        if tail:
            order.symmetrical = tail.value
        self.resource_sets(order, items, "action", 2)

    def order_score(self, order: Order, tok: Token) -> None:
        text = str(tok)[:-1]
        order.score_span = self.src.span(tok.start_pos, tok.end_pos - 1)
        kind = next((k for k in ORDER_KINDS if k.lower() == text.lower()), None)
        if kind:
            order.order_kind = text
        elif _NUMERIC_SCORE.match(text):
            order.score = text
        else:
            raise self.fail(tok, f"invalid kind: {text}", [*ORDER_KINDS, "<score>"])

    def st_colocation(self, tree: Tree) -> None:
        colo = self.constraint_head(tree, Colocation, "colocation")
        score = tree.children[2]
        colo.score, colo.score_span = str(score)[:-1], self.src.span(score.start_pos, score.end_pos - 1)
        items = list(tree.children[3:])
        tail = self.pop_tail(items, r"node-attribute=(.+)")
        if tail:
            colo.node_attribute = tail.value  # type: ignore[attr-defined]
        self.resource_sets(colo, items, "role", 2)

    def st_rsc_ticket(self, tree: Tree) -> None:
        ticket: Ticket = self.constraint_head(tree, Ticket, "ticket")  # type: ignore[assignment]
        ticket.ticket = str(tree.children[2])[:-1]
        items = list(tree.children[3:])
        tail = self.pop_tail(items, r"loss-policy=(stop|demote|fence|freeze)")
        if tail:
            ticket.loss_policy = tail.value
        self.resource_sets(ticket, items, "role", 1)

    def pop_tail(self, items: list, pattern: str) -> NvPair | None:
        """crmsh try_match_tail: a trailing name=value is taken off the end."""
        last = items[-1] if items else None
        if isinstance(last, Token) and last.type == "NVPAIR":
            pair = self.nvpair(last)
            if re.fullmatch(pattern, f"{pair.name}={pair.value}"):
                items.pop()
                return pair
        return None

    def st_location(self, tree: Tree) -> None:
        loc: Location = self.constraint_head(tree, Location, "location")  # type: ignore[assignment]
        kids = list(tree.children[2:])
        first = kids.pop(0)
        if first.type == "RSC_PATTERN":
            loc.rsc_pattern = str(first)[1:-1]
        elif first.type == "WORD":
            loc.resources.append(ResourceRef(span=self.span(first), id=unquote(first)))
        else:  # `{ resource set }`
            close = next(i for i, k in enumerate(kids) if isinstance(k, Token) and k.type == "RBRACE")
            self.resource_sets(loc, kids[:close], "role", 0)
            kids = kids[close + 1:]
        while kids and isinstance(kids[0], Token) and kids[0].type == "NVPAIR":
            self.location_attr(loc, kids.pop(0))
        if kids and isinstance(kids[0], Token):  # `<score>: <node> [role=..]`
            score = kids.pop(0)
            loc.score, loc.score_span = str(score)[:-1], self.src.span(score.start_pos, score.end_pos - 1)
            loc.node = unquote(kids.pop(0))
            if kids:
                self.location_attr(loc, kids.pop(0))
        for rule_tree in kids:
            rule = self.rule(rule_tree)
            if self.spilled:
                raise self.fail(self.spilled[0], "unknown arguments")
            loc.rule_list.append(rule)
            loc.rules.append(rule.text())
        if loc.role and len(loc.resources) == 1:
            loc.resources[0].role = loc.role

    def location_attr(self, loc: Location, tok: Token) -> None:
        pair = self.nvpair(tok)
        name = pair.name.lstrip("$").lower()
        if name == "role":
            loc.role = pair.value
        elif name == "resource-discovery":
            loc.resource_discovery = pair.value
        else:
            raise self.fail(tok, f"unknown location attribute {pair.name}", ["role=", "resource-discovery="])

    def resource_sets(self, con: Constraint, items: list, qualifier: str, simple_count: int) -> None:
        """crmsh match_resource_set: exactly `simple_count` plain words make the
        simple form; anything else is resource sets (crmsh ResourceSet)."""
        words = [i for i in items if isinstance(i, Token) and i.type == "WORD"]
        if simple_count and len(items) == simple_count and len(words) == simple_count:
            for tok in words:
                con.resources.append(self.resource_ref(tok, qualifier, simple=True))
            return
        _SetBuilder(self, con, qualifier).run(items)

    def resource_ref(self, tok: Token, qualifier: str, simple: bool = False,
                     set_index: int | None = None) -> ResourceRef:
        text = unquote(tok)
        rsc, _, suffix = text.partition(":")
        ref = ResourceRef(span=self.span(tok), id=rsc, set_index=set_index)
        if ":" in suffix:
            raise self.fail(tok, "expected value[:value]")
        if not suffix:
            return ref
        valid = ROLES if qualifier == "role" else ACTIONS
        if suffix.lower() in (v.lower() for v in valid):
            setattr(ref, qualifier, suffix)
        elif not (simple and suffix.isdigit()):  # a digit is a clone instance (rsc-instance)
            raise self.fail(tok, f"invalid {qualifier} '{suffix}' for '{rsc}'", valid)
        return ref

    # options


class _SetBuilder:
    """crmsh ResourceSet.parse: a new <resource_set> at every bracket and at
    every change of role/action; `( )` is sequential=false, `[ ]` also
    require-all=false, `sequential=`/`require-all=` override."""

    def __init__(self, owner: "BuilderBase", con: Constraint, qualifier: str) -> None:
        self.owner, self.con, self.qualifier = owner, con, qualifier
        self.sequential = self.require_all = True
        self.opened: str | None = None
        self.refs: list[ResourceRef] = []
        self.prev_q = ""

    def run(self, items: list) -> None:
        for item in items:
            if isinstance(item, Tree):
                self.bracket(item)
            else:
                self.token(item)
        self.save()

    def bracket(self, tree: Tree) -> None:
        self.save()
        bracket = str(tree.children[0])
        self.opened, self.sequential = bracket, False
        self.require_all = bracket != "["
        for tok in tree.children[1:-1]:
            self.token(tok)
        self.save()
        self.sequential = self.require_all = True
        self.opened = None

    def token(self, tok: Token) -> None:
        if tok.type == "NVPAIR":
            pair = self.owner.nvpair(tok)
            if pair.name not in ("sequential", "require-all"):
                raise self.owner.fail(tok, "unknown attribute", ["sequential=", "require-all="])
            if (pair.value or "").lower() not in BOOLEANS:
                raise self.owner.fail(tok, f"not a boolean: {pair.value}")
            flag = (pair.value or "").lower() in ("true", "yes", "on", "y", "1")
            setattr(self, "sequential" if pair.name == "sequential" else "require_all", flag)
            return
        ref = self.owner.resource_ref(tok, self.qualifier, set_index=len(self.con.sets))
        q = getattr(ref, self.qualifier) or ""
        if q != self.prev_q:
            self.save()
            self.prev_q = q
            ref.set_index = len(self.con.sets)
        self.refs.append(ref)

    def save(self) -> None:
        if not self.refs:
            return
        attrs: dict[str, str] = {}
        if not self.require_all:
            attrs["require-all"] = "false"
        if not self.sequential:
            attrs["sequential"] = "false"
        if self.prev_q:
            attrs[self.qualifier] = self.prev_q
        self.con.sets.append(attrs)
        self.con.resources.extend(self.refs)
        self.refs = []
