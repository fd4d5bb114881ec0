"""crmsh `configure` syntax (`crm configure show` output, `crm configure load`
input) -> ClusterConfig.

`grammars/crm.lark` splits the file into statements and their parts; this
module gives the shell words their crmsh meaning, following crmsh 4.4.1
`crmsh/parse.py` (the function named in a comment is the one mirrored).
"""

from __future__ import annotations

import re
import shlex
from typing import Iterable

from lark import Token, Tree

from sanlint.model.agents import resolve
from sanlint.model.cluster import (
    AclObject, Alert, Bundle, Clone, ClusterConfig, ClusterNode, ClusterResource, Colocation, Constraint,
    Expression, FencingLevel, Group, Location, NvPair, NvSet, Operation, Order, Primitive, Recipient,
    ResourceRef, Rule, Tag, Ticket,
)
from sanlint.parsers.grammar import parse_with
from sanlint.source import ParseError, SourceFile, Span

# <op> attributes in the pacemaker RNG (crmsh Validation.op_attributes); any
# other `op` name=value becomes an op instance attribute
OP_ATTRIBUTES = frozenset({"id", "name", "interval", "description", "start-delay", "interval-origin",
                           "timeout", "enabled", "record-pending", "role", "on-fail", "requires"})
ROLES = ("Stopped", "Started", "Promoted", "Unpromoted", "Master", "Slave")
ACTIONS = ("start", "promote", "demote", "stop")
ORDER_KINDS = ("Mandatory", "Optional", "Serialize")
NODE_TYPES = ("normal", "member", "ping", "remote")
BOOLEANS = ("true", "false", "yes", "no", "on", "off", "y", "n", "1", "0")
DATE_SPEC_NAMES = ("hours", "monthdays", "weekdays", "yearsdays", "months", "weeks", "years", "weekyears", "moon")
LIST_KINDS = {"params": "params", "meta": "meta", "utilization": "utilization", "attributes": "attributes",
              "op_params": "params", "op_meta": "meta"}

_CONTINUATION = re.compile(r"\\+[ \t\r]*\n[ \t]*")
_QUOTED = re.compile(r'"(?:[^"\\]|\\[\s\S])*"|\'[^\']*\'')
_NUMERIC_SCORE = re.compile(r"^[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)$")


def parse(src: SourceFile) -> ClusterConfig:
    tree = parse_with("crm", src, positions=False)  # spans come from tokens (see _Builder.span)
    builder = _Builder(src)
    for item in tree.children:
        if isinstance(item, Tree):
            builder.statement(item)
    builder.finish()
    return builder.config


# ---- words -------------------------------------------------------------

def unquote(raw: str) -> str:
    """The shell word as crmsh sees it: continuations joined, quotes removed."""
    text = _CONTINUATION.sub("", raw) if "\\" in raw else str(raw)
    if not any(c in text for c in "\"'\\"):
        return text
    if "\\" not in text:  # one kind of balanced quotes, no escapes: the shell just drops the quotes
        if "'" not in text and text.count('"') % 2 == 0:
            return text.replace('"', "")
        if '"' not in text and text.count("'") % 2 == 0:
            return text.replace("'", "")
    try:
        return "".join(shlex.split(text))
    except ValueError:  # the grammar only lets closed quotes through
        return text


def _split_at_equal(raw: str) -> int:
    """Index of the first `=` outside quotes in a raw word (-1 if none)."""
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "=":
            return i
        if c in "\"'":
            m = _QUOTED.match(raw, i)
            i = m.end() if m else i + 1
            continue
        i += 2 if c == "\\" else 1
    return -1


class _Builder:
    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.config = ClusterConfig(span=src.whole(), source_kind="crm")
        self.ids: dict[str, Span] = {}
        self.monitors: list[tuple[Token, Token, Span]] = []
        self.spilled: list[Token] = []  # name=value after a date expression that is not a date field

    # -- positions and errors ---------------------------------------------
    def span(self, node: Token | Tree) -> Span:
        if isinstance(node, Token):
            return self.src.span(node.start_pos, node.end_pos)
        # the grammar is parsed without `meta` positions: a subtree runs from
        # its first token to its last (what Lark's propagate_positions computes)
        first, last = node, node
        while isinstance(first, Tree) and first.children:
            first = first.children[0]
        while isinstance(last, Tree) and last.children:
            last = last.children[-1]
        if not isinstance(first, Token) or not isinstance(last, Token):
            raise ValueError("span of an empty subtree")
        return self.src.span(first.start_pos, last.end_pos)

    def fail(self, tok: Token, message: str, expected: Iterable[str] = ()) -> ParseError:
        return ParseError(message, tok.line, tok.column, found=repr(str(tok)), expected=list(expected),
                          char_offset=tok.start_pos)

    def register_id(self, ident: str, span: Span) -> None:
        if ident in self.ids:
            self.config.duplicate_ids.append((ident, span))
        else:
            self.ids[ident] = span

    def nvpair(self, tok: Token) -> NvPair:
        raw = str(tok)
        eq = _split_at_equal(raw)
        if eq < 0:  # a bare name: nvpair without a value (crmsh _NVPAIR_KEY_RE)
            return NvPair(span=self.span(tok), name=unquote(raw), value=None)
        name, raw_value = unquote(raw[:eq]), raw[eq + 1:]
        start = tok.start_pos + eq + 1
        end = tok.end_pos
        if len(raw_value) >= 2 and _QUOTED.fullmatch(raw_value):
            start, end = start + 1, end - 1
        pair = NvPair(span=self.span(tok), name=name, value=unquote(raw_value),
                      value_span=self.src.span(start, end))
        m = re.match(r"\$([^:=]+):(.+)$", name)  # `$id:name=value` (crmsh _NVPAIR_ID_RE)
        if m:
            pair.id, pair.name = m.group(1), m.group(2)
        return pair

    # -- statements ----------------------------------------------------------
    def statement(self, tree: Tree) -> None:
        getattr(self, "st_" + tree.data)(tree)

    def finish(self) -> None:
        for target, spec, span in self.monitors:
            self.apply_monitor(target, spec, span)
        for res in list(self.config.resources.values()):  # children may be defined after their parent
            children = res.children if isinstance(res, Group) else [getattr(res, "child", None)]
            self.set_parents(res.id, [c for c in children if c])

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

    def attr_set(self, kind: str, items: list, where: Tree) -> NvSet:
        """`[$id=<id>|$id-ref=<id>] [<score>:] [rule ...] n=v ...` (crmsh match_attr_list)."""
        nvset = NvSet(span=self.span(where), kind=kind)
        items = list(items)
        if items and isinstance(items[0], Token) and items[0].type == "NVPAIR":
            first = self.nvpair(items[0])
            if first.name.lower() in ("$id", "$id-ref"):
                items.pop(0)
                if first.name.lower() == "$id":
                    nvset.id = first.value
                    self.register_id(first.value or "", first.span)
                else:
                    nvset.id_ref = first.value
        if items and isinstance(items[0], Token) and items[0].type == "SCORE":
            nvset.score = str(items.pop(0))[:-1]
        while items and isinstance(items[0], Tree):
            nvset.rules.append(self.rule(items.pop(0)))
            items[:0], self.spilled = self.spilled, []
        nvset.has_rule = bool(nvset.rules)
        for item in items:
            if isinstance(item, Tree) or item.type == "SCORE":
                raise self.fail(item if isinstance(item, Token) else item.children[0],
                                "expected name=value", ["name=value"])
            nvset.pairs.append(self.nvpair(item))
        return nvset

    # rules
    def rule(self, tree: Tree) -> Rule:
        rule = Rule(span=self.span(tree))
        items = list(tree.children[1:])
        while items and isinstance(items[0], Token) and items[0].type == "NVPAIR":
            pair = self.nvpair(items.pop(0))
            key = pair.name.lower().lstrip("$")
            if key == "id":
                rule.id = pair.value
            elif key == "id-ref":
                rule.id_ref = pair.value
            elif key == "role":
                rule.role = pair.value
            else:
                raise self.fail(tree.children[0], f"unexpected {pair.name} in rule")
        if items and isinstance(items[0], Token) and items[0].type == "SCORE":
            self.rule_score(rule, str(items.pop(0))[:-1])
        else:
            rule.score = "INFINITY"  # crmsh: a rule without a score gets INFINITY
        for item in items:
            if isinstance(item, Token):  # BOOLOP
                op = str(item).lower()
                if rule.boolean_op and rule.boolean_op != op:
                    raise self.fail(item, f"mixing bool ops not allowed: {rule.boolean_op} != {op}")
                rule.boolean_op = op
            else:
                rule.expressions.append(self.expression(item))
        return rule

    def rule_score(self, rule: Rule, score: str) -> None:
        lowered = score.lower()
        if lowered in ("advisory", "mandatory"):  # crmsh constants.score_types
            rule.score = "0" if lowered == "advisory" else "INFINITY"
        elif _NUMERIC_SCORE.match(score):
            rule.score = score
        else:
            rule.score_attribute = score

    def expression(self, tree: Tree) -> Expression:
        kids = tree.children
        span = self.span(tree)
        if tree.data == "unary_expr":
            return Expression(span=span, operation=str(kids[0]).lower(), attribute=unquote(kids[1]))
        if tree.data == "binary_expr":
            typ, _, op = str(kids[1]).lower().rpartition(":")
            value = unquote(kids[2])
            m = re.match(r"^(?P<src>[^\s{}]+)\{(?P<val>\S+)\}$", value)  # value-source syntax: param{value}
            expr = Expression(span=span, operation=op, attribute=unquote(kids[0]), type=typ or None, value=value)
            if m:
                expr.value, expr.value_source = m.group("val"), m.group("src")
            return expr
        op = str(kids[1]).lower()
        op = {"in": "in_range", "spec": "date_spec"}.get(op, op)
        expr = Expression(span=span, operation=op, date=True)
        if op in ("lt", "gt"):
            expr.values["end" if op == "lt" else "start"] = unquote(kids[2])
            return expr
            return expr
        # crmsh match_nvpairs_bykey: only date fields belong to the expression
        keys = DATE_SPEC_NAMES + (("start", "end") if op == "in_range" else ())
        for i, tok in enumerate(kids[2:]):
            pair = self.nvpair(tok)
            if pair.name not in keys:
                self.spilled = list(kids[2 + i:])
                break
            expr.values[pair.name] = pair.value or ""
        if not expr.values:
            raise self.fail(kids[1], "expected date fields", keys)
        return expr

    # constraints
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

    def st_xml(self, tree: Tree) -> None:
        from sanlint.parsers import cib

        body = " ".join(_CONTINUATION.sub("", str(tree.children[1])).split())
        cib.add_xml_statement(self.config, body, self.span(tree), self.register_id)


class _SetBuilder:
    """crmsh ResourceSet.parse: a new <resource_set> at every bracket and at
    every change of role/action; `( )` is sequential=false, `[ ]` also
    require-all=false, `sequential=`/`require-all=` override."""

    def __init__(self, owner: _Builder, con: Constraint, qualifier: str) -> None:
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


class _AlertBuilder:
    """crmsh parse_alert: `[description=] [attributes ..] [meta ..]
    [select nodes|fencing|resources|attributes {..}] [to [{] <recipient> [attributes ..] [meta ..] [}]]`."""

    def __init__(self, owner: _Builder, alert: Alert) -> None:
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
