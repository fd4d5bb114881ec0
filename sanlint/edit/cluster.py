"""Edits on a cluster configuration's objects, whichever syntax holds them
(crm text or CIB XML): the operations rule fixes and migrators share.
"""

from __future__ import annotations

from typing import Any

from sanlint.edit import cib, crm
from sanlint.edit.text import indent_at, line_start
from sanlint.rule import Edit
from sanlint.source import Span


def syntax(span: Span) -> str:
    """"cib" or "crm": which editor a span's file needs."""
    return "cib" if span.file.format == "cib" or span.file.data.lstrip()[:1] == b"<" else "crm"


def delete_pair(pair: Any) -> Edit | None:
    """Delete an nvpair: a crm `name=value` token or a CIB `<nvpair/>` element."""
    if syntax(pair.span) == "cib":
        return cib.delete_element(pair.span)
    return crm.delete_token(pair.span)


def delete_object(span: Span) -> Edit | None:
    """Delete a whole object (a crm statement or a CIB element)."""
    if syntax(span) == "cib":
        return cib.delete_element(span)
    return crm.delete_statement(span)


def set_param(prim: Any, name: str, value: str | None) -> Edit | None:
    """Set (`value`) or remove (None) an instance attribute of a primitive.
    A new one goes before the first existing one (crm: `name=value `; CIB:
    an `<nvpair>` with crmsh's id, on its own line when the first one is)."""
    pair = prim.param(name)
    if pair is not None:
        if value is None:
            return delete_pair(pair)
        if pair.value == value or pair.value_span is None:
            return None
        if syntax(pair.span) == "cib":
            return Edit.replace(pair.value_span, cib.escape(value))
        vs = pair.value_span
        if vs.file.data[vs.start - 1:vs.start] in (b'"', b"'"):  # inside quotes: keep them
            return Edit.replace(vs, value.replace("\\", "\\\\").replace('"', '\\"'))
        return Edit.replace(vs, crm.quote(value))
    if value is None:
        return None
    pairs = [q for s in prim.params for q in s.pairs]
    if not pairs:
        return None
    first = pairs[0]
    file, data = first.span.file, first.span.file.data
    if syntax(first.span) == "crm":
        return Edit.insert(file, first.span.start, f"{crm.pair(name, value)} ")
    found = cib.editor_for(first.span)
    start = found[0].range(found[1])[0] if found else first.span.start
    set_id = prim.params[0].id or f"{prim.id}-instance_attributes"
    lead = data[line_start(data, start):start]
    sep = "\n" + indent_at(data, start) if not lead.strip() else " "
    return Edit.insert(file, start, cib.nvpair(f"{set_id}-{name}", name, value) + sep)


def add_pair(nvset: Any, name: str, value: str, set_id: str) -> Edit | None:
    """Add `name=value` to an attribute set that has pairs: after its last
    pair (crm: on a continuation line of its own when the set spans lines),
    or as its last `<nvpair>` (CIB, with crmsh's id `SETID-NAME`; `set_id`
    when the set has no id)."""
    if not nvset.pairs:
        return None
    last = nvset.pairs[-1]
    if syntax(last.span) == "crm":
        sep = " \\\n" + crm.continuation_indent(nvset.span) if b"\n" in nvset.span.bytes else " "
        return Edit.insert(last.span.file, last.span.end, sep + crm.pair(name, value))
    found = cib.editor_for(nvset.span)
    if found is None:
        return None
    ed, elem = found
    sid = nvset.id or set_id
    return ed.append_child(elem, [cib.nvpair(f"{sid}-{name}", name, value)])
