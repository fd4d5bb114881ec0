"""Edits on CIB XML through the parser's positions (`sanlint.parsers.cib_positions.
Positions`): set, rename or remove an attribute in place, delete an
element with its line, add children in the file's indentation, escape
attribute values as libxml2 writes them.  Offsets are bytes.

Two ways in: a `CibEditor` for a whole file (migrators: they walk lxml
elements), and the span functions (`set_attr(span, ...)`, ...) for rule
fixes, which hold the model's spans: a span the CIB parser made knows its
element; any other span is looked up in the file's positions.

>>> from sanlint.source import SourceFile
>>> f = SourceFile.from_text("cib.xml", '<cib>\\n  <configuration>\\n    <resources>\\n'
...     '      <primitive id="p" class="ocf" provider="heartbeat" type="LVM"/>\\n'
...     '    </resources>\\n  </configuration>\\n</cib>\\n')
>>> ed = CibEditor(f)
>>> p = ed.root.find(".//primitive")
>>> ed.unit, ed.child_indent(ed.root.find(".//resources"))
('  ', '      ')
>>> e = ed.set_attr(p, "type", "LVM-activate"); f.data[e.start:e.end], e.replacement
(b'LVM', 'LVM-activate')
"""

from __future__ import annotations

from typing import Iterable

from sanlint.edit.text import alone_on_lines, blanks_before, indent_at, line_end, starts_line
from sanlint.rule import Edit
from sanlint.source import SourceFile, Span


def escape(value: str) -> str:
    """An attribute value as libxml2 (and so cibadmin and lxml) writes it:
    `& < > "` and the line breaks and tabs that attribute-value
    normalisation would otherwise turn into blanks.

    >>> escape('a<b & "c" > d\\n')
    'a&lt;b &amp; &quot;c&quot; &gt; d&#10;'
    """
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def attrs(pairs: Iterable[tuple[str, str | None]]) -> str:
    """` name="value"` for each pair with a value, escaped.

    >>> attrs([("id", "o1"), ("kind", None), ("first", "a&b")])
    ' id="o1" first="a&amp;b"'
    """
    return "".join(f' {n}="{escape(v)}"' for n, v in pairs if v is not None)


def nvpair(ident: str, name: str, value: str) -> str:
    """`<nvpair id= name= value=/>` in the attribute order Pacemaker's tools
    (crm_attribute, cibadmin) write.

    >>> nvpair("p-meta_attributes-promotable", "promotable", "true")
    '<nvpair id="p-meta_attributes-promotable" name="promotable" value="true"/>'
    """
    return f"<nvpair{attrs([('id', ident), ('name', name), ('value', value)])}/>"


class CibEditor:
    """Edits on one CIB file, addressed by lxml element."""

    def __init__(self, src: SourceFile, positions=None, root=None) -> None:
        from sanlint.parsers import cib, cib_positions

        self.src = src
        self.data = src.data
        if positions is None:
            root = cib.parse_xml(src) if root is None else root
            positions = cib_positions.Positions(src, root)
        self.positions = positions
        self.root = positions.root
        self._unit: str | None = None

    # -- positions ---------------------------------------------------------------
    def located(self, elem) -> bool:
        return self.positions.element_range(elem) is not None

    def range(self, elem) -> tuple[int, int, int]:
        """(start, end of the start tag, end) in bytes; LookupError if unknown."""
        r = self.positions.element_range(elem)
        if r is None:
            raise LookupError(f"cannot locate <{elem.tag}> in {self.src.display}")
        return r

    def span(self, elem) -> Span:
        return self.positions.span(elem)

    def tag_span(self, elem) -> Span:
        return self.positions.tag_span(elem)

    def attr_span(self, elem, name: str) -> Span | None:
        """The value of attribute `name`, inside its quotes."""
        r = self.positions.attr_value_range(elem, name)
        return Span(self.src, *r) if r is not None else None

    def attr_full(self, elem, name: str) -> Span | None:
        """The whole `name="value"` of attribute `name`."""
        r = self.positions.attr_range(elem, name)
        return Span(self.src, *r) if r is not None else None

    # -- layout -------------------------------------------------------------------
    @property
    def unit(self) -> str:
        """One level of indentation: between the first element and its parent
        that both start their lines (two spaces, as cibadmin writes, else)."""
        if self._unit is None:
            self._unit = "  "
            from lxml import etree

            for e in self.root.iter(etree.Element):
                parent = e.getparent()
                if parent is None:
                    continue
                r, pr = self.positions.element_range(e), self.positions.element_range(parent)
                if r is None or pr is None:
                    continue
                if starts_line(self.data, r[0]) and starts_line(self.data, pr[0]):
                    a, b = indent_at(self.data, r[0]), indent_at(self.data, pr[0])
                    if a.startswith(b) and len(a) > len(b):
                        self._unit = a[len(b):]
                        break
        return self._unit

    def child_indent(self, parent) -> str:
        """The indentation of `parent`'s children (one level deeper if it has none on lines of their own)."""
        for c in parent:
            if isinstance(c.tag, str):
                r = self.positions.element_range(c)
                if r is not None and starts_line(self.data, r[0]):
                    return indent_at(self.data, r[0])
        return indent_at(self.data, self.range(parent)[0]) + self.unit

    # -- attributes ------------------------------------------------------------
    def set_attr(self, elem, name: str, value: str, after: str | None = None) -> Edit:
        """Set attribute `name`: replace its value, or add it (after attribute
        `after` when given, else at the end of the start tag)."""
        found = self.positions.attr_value_range(elem, name)
        if found is not None:
            return Edit(self.src, found[0], found[1], escape(value))
        pos = None
        if after:
            a = self.positions.attr_range(elem, after)
            if a is not None:
                pos = a[1]
        if pos is None:
            start, tag_end, _ = self.range(elem)
            end = tag_end - 1
            if self.data[end - 1:end] == b"/":
                end -= 1
            pos = blanks_before(self.data, end, newlines=True)
        return Edit.insert(self.src, pos, f' {name}="{escape(value)}"')

    def remove_attr(self, elem, name: str) -> Edit | None:
        """Remove ` name="value"` with the blanks before it."""
        r = self.positions.attr_range(elem, name)
        if r is None:
            return None
        return Edit(self.src, blanks_before(self.data, r[0], newlines=True), r[1], "")

    # -- elements ------------------------------------------------------------------
    def delete(self, elem) -> Edit:
        """Delete an element: its lines when it is alone on them, else the element."""
        start, _, end = self.range(elem)
        lines = alone_on_lines(self.data, start, end)
        if lines is not None:
            return Edit(self.src, *lines, "")
        return Edit(self.src, start, end, "")

    def insert_after(self, elem, xml: str | list[str]) -> Edit:
        """Insert elements after `elem`: each on a line of its own, in its
        indentation, when `elem` ends its line; else right after it."""
        lines = [xml] if isinstance(xml, str) else xml
        start, _, end = self.range(elem)
        le = line_end(self.data, end)
        if le < len(self.data) and not self.data[end:le].strip():
            ind = indent_at(self.data, start)
            return Edit.insert(self.src, le + 1, "".join(f"{ind}{x}\n" for x in lines))
        return Edit.insert(self.src, end, "".join(lines))

    def append_child(self, parent, xml_lines: list[str]) -> Edit:
        """Insert lines (each may start with extra relative indentation) as
        the last children of `parent`; `<x/>` becomes `<x>...</x>`."""
        start, tag_end, end = self.range(parent)
        ind = self.child_indent(parent)
        data = self.data
        if data[tag_end - 2:tag_end] == b"/>":
            from lxml import etree

            head = data[start:tag_end - 2].rstrip().decode("utf-8", "surrogateescape")
            body = "".join(f"\n{ind}{line}" for line in xml_lines)
            return Edit(self.src, start, tag_end,
                        f"{head}>{body}\n{indent_at(data, start)}</{etree.QName(parent).localname}>")
        close = data.rfind(b"</", start, end)
        if starts_line(data, close):
            ls = data.rfind(b"\n", 0, close) + 1
            return Edit.insert(self.src, ls, "".join(f"{ind}{line}\n" for line in xml_lines))
        return Edit.insert(self.src, close, "".join(f"\n{ind}{line}" for line in xml_lines))

    def prepend_child(self, parent, xml_lines: list[str]) -> Edit:
        """Insert lines as the first children of `parent` (which has an end tag)."""
        _, tag_end, _ = self.range(parent)
        ind = self.child_indent(parent)
        return Edit.insert(self.src, tag_end, "".join(f"\n{ind}{line}" for line in xml_lines))


# -- span functions (rule fixes) ------------------------------------------------------

_EDITORS: dict[int, tuple[SourceFile, CibEditor]] = {}


def editor_for(span: Span) -> tuple[CibEditor, object] | None:
    """The editor of a span's file and the element the span stands for."""
    from sanlint.parsers.cib_positions import located

    found = located(span)
    if found is not None:
        positions, elem = found
        return CibEditor(span.file, positions), elem
    key = id(span.file)
    cached = _EDITORS.get(key)
    if cached is None or cached[0] is not span.file:
        try:
            cached = (span.file, CibEditor(span.file))
        except Exception:  # not XML (a ParseError): nothing to edit
            return None
        if len(_EDITORS) > 64:
            _EDITORS.clear()
        _EDITORS[key] = cached
    ed = cached[1]
    elem = ed.positions.element_at(span.start)
    return (ed, elem) if elem is not None else None


def element_range(span: Span) -> tuple[int, int, int] | None:
    """(start, end of the start tag, end) of the element at `span`, in bytes."""
    found = editor_for(span)
    return found[0].positions.element_range(found[1]) if found else None


def attr_range(span: Span, name: str) -> tuple[int, int, int, int] | None:
    """(attr start, attr end, value start, value end) of attribute `name` of the element at `span`."""
    found = editor_for(span)
    if not found:
        return None
    ed, elem = found
    full, value = ed.positions.attr_range(elem, name), ed.positions.attr_value_range(elem, name)
    if full is None or value is None:
        return None
    return full[0], full[1], value[0], value[1]


def set_attr(span: Span, name: str, value: str, after: str | None = None) -> Edit | None:
    found = editor_for(span)
    return found[0].set_attr(found[1], name, value, after) if found else None


def remove_attr(span: Span, name: str) -> Edit | None:
    found = editor_for(span)
    return found[0].remove_attr(found[1], name) if found else None


def delete_element(span: Span) -> Edit | None:
    found = editor_for(span)
    return found[0].delete(found[1]) if found else None


def insert_after_element(span: Span, xml: str) -> Edit | None:
    found = editor_for(span)
    return found[0].insert_after(found[1], xml) if found else None


def indent_of(span: Span) -> str:
    """The indentation of the line the element at `span` starts on."""
    r = element_range(span)
    return indent_at(span.file.data, r[0] if r else span.start)
