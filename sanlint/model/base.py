"""Shared pieces of the site model."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from sanlint.source import Span


@dataclass(eq=False)
class Located:
    """Base of every model object: where it was defined."""

    span: Span = field(repr=False, kw_only=True)
    # (no convenience properties here: subclasses have fields named path, host, ...)


@dataclass(eq=False)
class Setting(Located):
    """One `name value` / `name = value` / `name: value` statement.

    `value_span` covers just the value (without quotes where the format
    quotes it), so a fix can rewrite the value alone; `span` covers the
    whole statement including its terminator.
    """

    name: str
    value: str | None
    value_span: Span | None = field(default=None, repr=False, kw_only=True)


SECRET_NAMES = frozenset({
    "shared-secret", "password", "passwd", "incoming_password", "outgoing_password",
    "chap_password", "chap_mutual_password", "mutual_password", "secret", "key", "crypto_key",
})


def is_secret(name: str) -> bool:
    n = name.lower()
    return n in SECRET_NAMES or n.endswith("password") or n.endswith("passwd") or n.endswith("secret")


REDACTED = "********"


def to_json(obj: Any) -> Any:
    """Plain-data view of a model object (spans become path/line/column),
    secrets redacted."""
    if isinstance(obj, Span):
        return {"path": obj.path, "line": obj.line, "column": obj.column, "bytes": [obj.start, obj.end]}
    if is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        name = getattr(obj, "name", None)
        secret = isinstance(name, str) and is_secret(name)
        for f in fields(obj):
            if f.name.startswith("_") or f.metadata.get("skip_json"):
                continue
            v = getattr(obj, f.name)
            if f.name == "value_span":
                continue
            if f.name == "span":
                out["source"] = to_json(v)
                continue
            if (secret and f.name == "value" and v is not None) or (is_secret(f.name) and isinstance(v, str)):
                out[f.name] = REDACTED  # a secret setting's value, or a field such as ChapUser.password
                continue
            out[f.name] = to_json(v)
        return out
    if isinstance(obj, dict):
        return {str(k): (REDACTED if isinstance(k, str) and is_secret(k) and isinstance(v, str) else to_json(v))
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(to_json(v) for v in obj)
    return obj


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, spans left out (computed once per class)."""
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = _CHILD_FIELDS[cls] = tuple(f.name for f in fields(cls)
                                           if f.name != "span" and not f.name.endswith("_span"))
    return names


_LEAVES = (str, int, float, bool, type(None), Span, bytes)
# what `walk` does with an object, by its type (decided once per type)
_LEAF, _SEQ, _MAP, _LOCATED, _DATA, _OTHER = range(6)
_KIND: dict[type, int] = {}


def _kind(t: type) -> int:
    if issubclass(t, _LEAVES):
        return _LEAF
    if issubclass(t, (list, tuple)):
        return _SEQ
    if issubclass(t, dict):
        return _MAP
    if issubclass(t, type) or not is_dataclass(t):
        return _OTHER  # a class (even a dataclass' own class), or anything else
    return _LOCATED if issubclass(t, Located) else _DATA


def walk(obj: Any, _seen: set[int] | None = None):
    """Every `Located` object reachable from `obj` (depth-first, in field
    order, each once); iterative, with field names and each type's handling
    decided once per class (a site model has hundreds of thousands of objects)."""
    seen = _seen if _seen is not None else set()
    stack = [obj]
    pop, extend, kinds = stack.pop, stack.extend, _KIND
    while stack:
        cur = pop()
        t = type(cur)
        k = kinds.get(t)
        if k is None:
            k = kinds[t] = _kind(t)
        if k == _LEAF or k == _OTHER:
            continue
        if k == _SEQ:
            extend(reversed(cur))
            continue
        if k == _MAP:
            extend(reversed(list(cur.values())))
            continue
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if k == _LOCATED:
            yield cur
        extend([getattr(cur, name) for name in reversed(_child_fields(t))])
