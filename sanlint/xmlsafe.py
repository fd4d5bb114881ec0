"""The one way sanlint reads XML (CIB, firewalld zones, crm `xml` statements).

lxml is told never to expand entities, load a DTD, touch the network or
build huge trees.  On top of that a document is refused when it could make
an entity matter at all:

* its DOCTYPE declares an entity or uses a parameter entity (found by a
  small lexer over the prolog that knows comments, processing instructions
  and quoted strings, so a `]` or `>` inside a comment does not end the
  internal subset early); the error points at the `<!ENTITY`;
* its DOCTYPE names an external DTD (entities it might declare are not
  loaded, so `&x;` would silently read as nothing);
* and, after parsing (the authority, whatever the encoding, e.g. UTF-16,
  that the lexer cannot read): the parsed DTD declares entities, or the
  tree holds an entity reference.

A real CIB or firewalld zone has no DOCTYPE, so nothing legitimate is lost.
"""

from __future__ import annotations

import re

from lxml import etree

from sanlint.source import ParseError, SourceFile

_NAME_END = re.compile(r"[\s\[>]")


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           attribute_defaults=False, huge_tree=False, remove_blank_text=False)


def _doctype(text: str) -> tuple[int, int | None, bool] | None:
    """(offset of `<!DOCTYPE`, offset of the first entity declaration or
    parameter-entity reference in it or None, names an external DTD) of the
    prolog's DOCTYPE, or None when there is none.  Linear; stops at the root
    element."""
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t\r\n\ufeff":
            i += 1
        elif text.startswith("<?", i):
            j = text.find("?>", i + 2)
            if j < 0:
                return None
            i = j + 2
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            if j < 0:
                return None
            i = j + 3
        elif text[i:i + 9].upper() == "<!DOCTYPE":
            return _scan_doctype(text, i)
        else:
            return None  # the root element (or junk the parser will report)
    return None


def _scan_doctype(text: str, start: int) -> tuple[int, int | None, bool]:
    i, n = start + 9, len(text)
    external = False
    # name and external id, up to `[` or `>`
    while i < n and text[i] not in "[>":
        c = text[i]
        if c in "\"'":
            j = text.find(c, i + 1)
            i = n if j < 0 else j + 1
            continue
        if text.startswith(("SYSTEM", "PUBLIC"), i) and text[i - 1].isspace():
            external = True
        i += 1
    if i >= n or text[i] == ">":
        return start, None, external
    i += 1  # the internal subset
    while i < n:
        c = text[i]
        if c == "]":
            return start, None, external
        if c in "\"'":
            j = text.find(c, i + 1)
            i = n if j < 0 else j + 1
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            i = n if j < 0 else j + 3
        elif text.startswith("<?", i):
            j = text.find("?>", i + 2)
            i = n if j < 0 else j + 2
        elif text.startswith("<!ENTITY", i) or (c == "%" and i + 1 < n and not text[i + 1].isspace()):
            return start, i, external
        else:
            i += 1
    return start, None, external


def load(src: SourceFile) -> etree._Element:
    """The root element of `src`, parsed safely; ParseError (with a position)
    on bad or unsafe XML."""
    text = src.text
    found = _doctype(text)
    doctype_at = 0
    if found is not None:
        doctype_at, entity_at, external = found
        if entity_at is not None:
            line, col = src.line_col(entity_at)
            raise ParseError("DOCTYPE with entity declarations is not allowed (entities are never expanded)", line, col,
                             found=repr(text[entity_at:entity_at + 8]), char_offset=entity_at)
        if external:
            line, col = src.line_col(doctype_at)
            raise ParseError("DOCTYPE naming an external DTD is not allowed (it is never loaded)", line, col,
                             found="<!DOCTYPE", char_offset=doctype_at)
    return _parse(src.data, lambda: src.line_col(doctype_at))


def load_bytes(data: bytes, line: int = 1, column: int = 1) -> etree._Element:
    """The same checks for a fragment held in memory (crm `xml` statements);
    errors are placed at `line:column`."""
    text = data.decode("utf-8", "surrogateescape")
    found = _doctype(text)
    if found is not None and (found[1] is not None or found[2]):
        raise ParseError("DOCTYPE with entity declarations or an external DTD is not allowed", line, column)
    try:
        return _parse(data, lambda: (line, column))
    except ParseError as e:
        raise ParseError(e.message, line, column, found=e.found) from None


def _parse(data: bytes, where) -> etree._Element:
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as e:
        line, col = e.position if e.position else (1, 1)
        message = (e.msg or "XML syntax error").split(", line ")[0]
        raise ParseError(message, max(line or 1, 1), max(col or 1, 1)) from None
    except ValueError as e:  # e.g. a str with an encoding declaration
        raise ParseError(f"not XML: {e}", *where()) from None
    tree = root.getroottree()
    info = tree.docinfo
    dtd = info.internalDTD
    if (dtd is not None and any(True for _ in dtd.iterentities())) or info.system_url or info.public_id:
        raise ParseError("DOCTYPE with entity declarations or an external DTD is not allowed", *where())
    for ent in root.iter(etree.Entity):
        raise ParseError(f"entity reference &{ent.name}; is not allowed (entities are never expanded)",
                         max(ent.sourceline or 1, 1), 1)
    return root
