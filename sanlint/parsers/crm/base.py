"""The statement builder's core: positions, errors, ids, name=value pairs,
attribute lists, rules and expressions (shared by every statement kind)."""

from __future__ import annotations

import re
from typing import Iterable

from lark import Token, Tree

from sanlint.model.cluster import ClusterConfig, Expression, Group, NvPair, NvSet, Rule
from sanlint.source import ParseError, SourceFile, Span
from sanlint.parsers.crm.words import DATE_SPEC_NAMES, _NUMERIC_SCORE, _QUOTED, _split_at_equal, unquote


class BuilderBase:
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
