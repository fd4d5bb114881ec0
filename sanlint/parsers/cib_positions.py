"""Element and attribute positions in CIB XML text: lxml knows only an
element's line, so a scan of the text finds each element's byte range and
its attributes' value ranges, on demand (`Positions`).  This is the public
positions API the CIB editor (`sanlint.edit.cib`) builds on; the CIB parser
gives every model object a lazy span into it."""

from __future__ import annotations

import re

from lxml import etree

from sanlint.source import SourceFile, Span

_MARKUP = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    r"|</[^>]*>|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S)
_ATTR = re.compile(r"([^\s=/<>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# elements whose `id` refers to another object instead of defining one


class Positions:
    """Element and attribute positions, found when something asks for them
    (the public positions API the CIB editor, `sanlint.edit.cib`, builds on).

    Parsing builds no positions: every span is a `LazySpan` that resolves
    on first use.  An element is found from lxml's `sourceline` and a scan
    of just that line (matched to the elements lxml puts on the line, in
    document order); its end from a forward scan of its own text.  Only if a
    line's markup does not match lxml's elements (e.g. a multi-line comment
    holding tags) is the whole document scanned, once.  A check that reports
    a few findings on a 10,000-resource CIB therefore reads a few lines, not
    the whole file.
    """

    def __init__(self, src: SourceFile, root: etree._Element, fixed: Span | None = None) -> None:
        self.src = src
        self.root = root
        self.fixed = fixed
        self._index: dict[etree._Element, tuple[int, int, int]] | None = None
        self._by_line: dict[int, list[etree._Element]] | None = None
        self._line_tags: dict[int, list[tuple[int, int]] | None] = {}
        self._starts: dict[etree._Element, tuple[int, int] | None] = {}
        self._ends: dict[etree._Element, int] = {}
        self._ordinals: dict[int, dict[etree._Element, int]] = {}
        self.attrs: dict[etree._Element, dict[str, tuple[int, int]]] = {}

    # -- whole-document index (migrators and the fallback) ---------------------------
    @property
    def index(self) -> dict[etree._Element, tuple[int, int, int]]:
        """element -> (start, start-tag end, end) for every element (one scan)."""
        if self._index is None:
            self._index = {}
            self._scan(self.root)
        return self._index

    def _scan(self, root: etree._Element) -> None:
        elements = list(root.iter(etree.Element))
        found: list[list[int]] = []  # [start, start-tag end, end] per element, document order
        stack: list[list[int]] = []
        text = self.src.text
        for m in _MARKUP.finditer(text):
            start, end = m.span()
            second = text[start + 1]
            if second == "!" or second == "?":
                continue
            if second == "/":
                if stack:
                    stack.pop()[2] = end
                continue
            item = [start, end, end]
            found.append(item)
            if text[end - 2] != "/":
                stack.append(item)
        if len(found) != len(elements):
            return  # unexpected markup: fall back to line spans
        index = self._index if self._index is not None else {}
        for elem, (start, tag_end, end) in zip(elements, found):
            if not self._tag_at(elem, start):
                index.clear()
                return
            index[elem] = (start, tag_end, end)

    def _tag_at(self, elem: etree._Element, start: int) -> bool:
        text = self.src.text
        name = _local(elem.tag)
        return text.startswith(name, start + 1) or text.startswith(name, start + 1 + _prefix_len(text, start))

    # -- one element -------------------------------------------------------------------
    def start_tag(self, elem: etree._Element) -> tuple[int, int] | None:
        """(start, end of the start tag) in characters, or None if unknown."""
        if elem in self._starts:
            return self._starts[elem]
        pos = None
        if self._index is not None:
            full = self._index.get(elem)
            pos = (full[0], full[1]) if full else None
        else:
            pos = self._from_line(elem)
            if pos is None:
                full = self.index.get(elem)
                pos = (full[0], full[1]) if full else None
        self._starts[elem] = pos
        return pos

    def _from_line(self, elem: etree._Element) -> tuple[int, int] | None:
        line = elem.sourceline
        if not line:
            return None
        if line not in self._line_tags:
            self._line_tags[line] = self._tags_starting_on(line)
        tags = self._line_tags[line]
        if tags is not None and len(tags) == 1 and self._tag_at(elem, tags[0][0]) \
                and (self._by_line is None or len(self._by_line.get(line, ())) == 1):
            # the usual cib.xml layout: one start tag per line, and it is this element's
            # (an element whose tag lxml puts on this line but that is not alone here
            # fails the tag check or is caught by the count check below)
            if self._only_element_on(elem, line):
                return tags[0]
        if self._by_line is None:
            by_line: dict[int, list[etree._Element]] = {}
            for e in self.root.iter(etree.Element):
                by_line.setdefault(e.sourceline or 0, []).append(e)
            self._by_line = by_line
        if line not in self._line_tags:
            self._line_tags[line] = self._tags_starting_on(line)
        tags = self._line_tags[line]
        elems = self._by_line.get(line, [])
        if tags is None or len(tags) != len(elems):
            return None
        if len(elems) == 1:
            pos = tags[0]
        else:
            ordinal = self._ordinals.get(line)
            if ordinal is None:  # many elements on one line (unindented XML): index them once
                ordinal = self._ordinals[line] = {e: i for i, e in enumerate(elems)}
            pos = tags[ordinal[elem]]
        return pos if self._tag_at(elem, pos[0]) else None

    @staticmethod
    def _only_element_on(elem: etree._Element, line: int) -> bool:
        """No other element starts on `line`: neither the element just
        before `elem` in document order nor the one just after it."""
        prev = elem.getprevious()
        while prev is not None and not isinstance(prev.tag, str):
            prev = prev.getprevious()
        if prev is not None:
            before = prev  # its last descendant precedes elem: walk down the last element children
            while True:
                kids = [k for k in before.iterchildren(reversed=True, tag=etree.Element)][:1]
                if not kids:
                    break
                before = kids[0]
        else:
            before = elem.getparent()
        if before is not None and before.sourceline == line:
            return False
        nxt = None
        for nxt in elem.iterdescendants(etree.Element):
            break
        else:
            nxt = elem.getnext()
            while nxt is not None and not isinstance(nxt.tag, str):
                nxt = nxt.getnext()
        return nxt is None or nxt is elem or nxt.sourceline != line

    def _tags_starting_on(self, line: int) -> list[tuple[int, int]] | None:
        text = self.src.text
        begin = self.src.line_start_char(line)
        stop = text.find("\n", begin)
        stop = len(text) if stop < 0 else stop
        out = []
        for m in _MARKUP.finditer(text, begin):
            if m.start() >= stop:
                break
            second = text[m.start() + 1]
            if second not in "!?/":
                out.append(m.span())
        return out

    def end_of(self, elem: etree._Element) -> int | None:
        if elem in self._ends:
            return self._ends[elem]
        if self._index is not None and elem in self._index:
            return self._index[elem][2]
        pos = self.start_tag(elem)
        if pos is None:
            return None
        text = self.src.text
        end = pos[1]
        if text[pos[1] - 2] != "/":  # find the matching end tag
            depth = 0
            for m in _MARKUP.finditer(text, pos[1]):
                second = text[m.start() + 1]
                if second in "!?":
                    continue
                if second == "/":
                    if depth == 0:
                        end = m.end()
                        break
                    depth -= 1
                elif text[m.end() - 2] != "/":
                    depth += 1
        self._ends[elem] = end
        return end

    def resolve(self, elem: etree._Element, what: str | None) -> tuple[int, int] | None:
        """Character range of the element (what=None), its tag name ("<tag>")
        or an attribute's value (inside the quotes)."""
        pos = self.start_tag(elem)
        if pos is None:
            return None
        if what is None:
            end = self.end_of(elem)
            return (pos[0], end) if end is not None else None
        if what == "<tag>":
            return (pos[0] + 1, pos[0] + 1 + len(elem.tag))
        text = self.src.text
        # fast path: ` name="value"` written the usual way (one C-level find, no regex)
        i = text.find(f'{what}="', pos[0], pos[1])
        while i > 0 and not text[i - 1].isspace():
            i = text.find(f'{what}="', i + 1, pos[1])
        if i > 0:
            start = i + len(what) + 2
            end = text.find('"', start, pos[1])
            if end >= 0:
                return (start, end)
        found = self.attrs.get(elem)
        if found is None:
            found = self.attrs[elem] = {
                m.group(1): m.span(2) if m.group(2) is not None else m.span(3)
                for m in _ATTR.finditer(text, pos[0], pos[1])}
        return found.get(what)

    # -- byte ranges (for editors) ----------------------------------------------------
    def bytes_of(self, found: tuple[int, int] | None) -> tuple[int, int] | None:
        if found is None:
            return None
        return self.src.byte_offset(found[0]), self.src.byte_offset(found[1])

    def element_range(self, elem: etree._Element) -> tuple[int, int, int] | None:
        """(start, end of the start tag, end) of the element, in bytes."""
        pos = self.start_tag(elem)
        end = self.end_of(elem) if pos is not None else None
        if pos is None or end is None:
            return None
        b = self.src.byte_offset
        return b(pos[0]), b(pos[1]), b(end)

    def attr_value_range(self, elem: etree._Element, name: str) -> tuple[int, int] | None:
        """Byte range of attribute `name`'s value (inside its quotes)."""
        return self.bytes_of(self.resolve(elem, name)) if elem.get(name) is not None else None

    def attr_range(self, elem: etree._Element, name: str) -> tuple[int, int] | None:
        """Byte range of the whole ` name="value"`'s `name="value"`."""
        pos = self.start_tag(elem)
        if pos is None or elem.get(name) is None:
            return None
        for m in _ATTR.finditer(self.src.text, pos[0], pos[1]):
            if m.group(1) == name:
                return self.bytes_of(m.span())
        return None

    def element_at(self, offset: int) -> etree._Element | None:
        """The innermost element whose start tag holds byte `offset`."""
        best = None
        for elem, (start, tag_end, _end) in self.index.items():
            if self.src.byte_offset(start) <= offset < self.src.byte_offset(tag_end):
                best = elem
        return best

    # -- spans -----------------------------------------------------------------------
    def span(self, elem: etree._Element) -> Span:
        if self.fixed is not None:
            return self.fixed
        return LazySpan(self, elem, None)

    def tag_span(self, elem: etree._Element) -> Span:
        """The tag name after `<` (where `master` would become `clone`)."""
        if self.fixed is not None:
            return self.fixed
        return LazySpan(self, elem, "<tag>")

    def attr_span(self, elem: etree._Element, name: str) -> Span | None:
        """The value of attribute `name`, inside its quotes."""
        if elem.get(name) is None:
            return None
        if self.fixed is not None:
            return self.fixed
        return LazySpan(self, elem, name)


class LazySpan(Span):
    """A span whose byte range is looked up on first use (see `Positions`)."""

    __slots__ = ("_doc", "_elem", "_what", "_range")

    def __init__(self, doc: Positions, elem: etree._Element, what: str | None) -> None:
        self.file = doc.src
        self._doc, self._elem, self._what, self._range = doc, elem, what, None

    def _resolve(self) -> tuple[int, int]:
        if self._range is None:
            src = self._doc.src
            found = self._doc.resolve(self._elem, self._what)
            if found is None:  # position unknown: the element's line
                line = src.span_of_line(self._elem.sourceline or 1)
                self._range = (line.start, line.end)
            else:
                self._range = (src.byte_offset(found[0]), src.byte_offset(found[1]))
        return self._range

    @property  # type: ignore[override]
    def start(self) -> int:
        return self._resolve()[0]

    @property  # type: ignore[override]
    def end(self) -> int:
        return self._resolve()[1]


def located(span: Span) -> tuple[Positions, etree._Element] | None:
    """The positions and element a CIB span was made for, or None for a span
    the CIB parser did not make (then `Positions.element_at` finds it)."""
    if isinstance(span, LazySpan) and span._doc.fixed is None:
        return span._doc, span._elem
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _prefix_len(text: str, start: int) -> int:
    """Length of a `prefix:` before the tag name at `<` (namespaced CIBs are rare)."""
    m = re.match(r"<([\w.-]+:)?", text[start:start + 80])
    return len(m.group(1) or "") if m else 0
