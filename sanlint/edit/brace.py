"""Layout-preserving edits for the brace-and-semicolon formats (DRBD,
corosync, tgt, LVM): indentation as the file writes it, delete a statement
with its line, insert statements into a `{ }` body or a new section in the
style of the file.  All offsets are byte offsets into `SourceFile.data`.

The section helpers (`add_options`, `add_section`, `put_options`,
`remove_statement`) work on any parsed section that has `span`,
`body_span`, `options` and `sections` (the DRBD model's sections and
resources; `protocol` where a resource has one).

>>> from sanlint.source import SourceFile
>>> f = SourceFile.from_text("r.res", "resource r0 {\\n    net {\\n        protocol C;\\n    }\\n}\\n")
>>> indent_unit(f)
'    '
>>> f = SourceFile.from_text("r.res", "resource r0 { net { protocol C; } }\\n")
>>> indent_unit(f)
'\\t'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from sanlint.edit.text import (BLANKS, blanks_after, ends_line, indent_at, line_end, line_start, starts_line,
                               trailing_comment_end)
from sanlint.rule import Edit
from sanlint.source import SourceFile, Span

if TYPE_CHECKING:
    from sanlint.model import Setting

DEFAULT_UNIT = "\t"  # drbd-utils', corosync's and lvm2's shipped examples indent with tabs


def indent_unit(file: SourceFile) -> str:
    """One level of indentation as the file writes it.

    The difference between a statement inside a section and the section's
    own indentation (the first such pair); else the indentation of the
    first indented line; else a tab.

    >>> indent_unit(SourceFile.from_text("x", "a {\\n\\tb {\\n\\t\\tc;\\n\\t}\\n}\\n"))
    '\\t'
    >>> indent_unit(SourceFile.from_text("x", "a { b; }\\n  # two\\n"))
    '  '
    """
    prev: bytes | None = None
    first: bytes | None = None
    for line in file.data.split(b"\n"):
        stripped = line.strip()
        if not stripped:
            continue
        ind = line[:len(line) - len(line.lstrip(BLANKS))]
        if ind and first is None:
            first = ind
        if stripped.startswith(b"#"):
            continue
        if prev is not None and prev.rstrip().endswith(b"{") and ind:
            pind = prev[:len(prev) - len(prev.lstrip(BLANKS))]
            if ind.startswith(pind) and len(ind) > len(pind):
                return ind[len(pind):].decode()
        prev = line
    return first.decode() if first else DEFAULT_UNIT


def statement_text(span: Span, comment: bytes = b"#") -> str:
    """The statement with its same-line trailing comment, as written."""
    data = span.file.data
    return data[span.start:trailing_comment_end(data, span.end, comment)].decode("utf-8", "surrogateescape")


def delete_statement(span: Span, comment: bytes = b"#") -> Edit:
    """Delete a statement: its whole line(s), with a trailing comment, when
    it is alone there; else the statement and the blanks that separate it
    from its neighbour (before it, or after it when it starts its line).

    >>> f = SourceFile.from_text("x", "a {\\n  x 1;  # old\\n  y 2;\\n}\\n")
    >>> e = delete_statement(f.span(6, 10)); (e.start, e.end)
    (4, 18)
    >>> f = SourceFile.from_text("x", "a { x 1; y 2; }")
    >>> e = delete_statement(f.span(9, 13)); f.data[:e.start] + f.data[e.end:]
    b'a { x 1; }'
    >>> e = delete_statement(f.span(4, 8)); f.data[:e.start] + f.data[e.end:]
    b'a { y 2; }'
    """
    data = span.file.data
    start = line_start(data, span.start)
    end = trailing_comment_end(data, span.end, comment)
    stop = line_end(data, end)
    if not data[start:span.start].strip(BLANKS) and not data[end:stop].strip(BLANKS + b"\r"):
        return Edit(span.file, start, min(stop + 1, len(data)), "")
    s = span.start
    if data[start:s].strip(BLANKS):  # something before it on the line: take the blanks before
        while s > start and data[s - 1:s] in (b" ", b"\t"):
            s -= 1
        return Edit(span.file, s, span.end, "")
    return Edit(span.file, s, blanks_after(data, span.end, stop), "")


def is_multiline(body: Span) -> bool:
    return b"\n" in body.file.data[body.start:body.end]


def body_end_insert(file: SourceFile, body: Span, statement: str, indent: str) -> Edit:
    """Append `statement` to a `{ }` body: on its own line before the line
    of the closing brace when the body spans lines, else before the brace."""
    data = file.data
    if is_multiline(body):
        close_line = line_start(data, body.end)
        if not data[close_line:body.end].strip(BLANKS):
            return Edit(file, close_line, close_line, f"{indent}{statement}\n")
        return Edit(file, body.end, body.end, f"\n{indent}{statement}\n{indent_at(data, body.end)}")
    end = body.end
    while end > body.start and data[end - 1:end] in (b" ", b"\t"):
        end -= 1
    if end == body.start:  # empty body `{}` / `{ }`
        return Edit(file, body.start, body.end, f" {statement} ")
    return Edit(file, end, end, f" {statement}")


def body_start_insert(file: SourceFile, body: Span, statement: str, indent: str) -> Edit:
    """Insert `statement` as the first statement of a `{ }` body."""
    data = file.data
    i = body.start
    while i < body.end:
        ch = data[i:i + 1]
        if ch in (b" ", b"\t", b"\r", b"\n"):
            i += 1
        elif ch == b"#":  # a comment (after the brace or on its own line) stays where it is
            i = line_end(data, i)
        else:
            break
    if i >= body.end:  # empty body (or comments only)
        return body_end_insert(file, body, statement, indent)
    if starts_line(data, i) and is_multiline(body):
        ls = line_start(data, i)
        return Edit(file, ls, ls, f"{indent}{statement}\n")
    return Edit(file, i, i, f"{statement} ")


def statement_indent(file: SourceFile, body: Span, default: str) -> str:
    """Indentation of the statements inside a body (the first one that starts a line)."""
    data = file.data
    pos = body.start
    while True:
        nl = data.find(b"\n", pos, body.end)
        if nl < 0:
            return default
        i = nl + 1
        while i < body.end and data[i:i + 1] in (b" ", b"\t"):
            i += 1
        if i < body.end and data[i:i + 1] not in (b"\n", b"\r", b"#", b"}"):
            return data[nl + 1:i].decode()
        pos = nl + 1


def after_statement(data: bytes, end: int) -> int:
    """Where to insert after a statement ending at `end`: past a trailing
    comment on the same line, if that is all that follows."""
    return line_end(data, end) if ends_line(data, end) else end


def quote(value: str) -> str:
    """A value as drbdadm reads it back: quoted when it holds blanks, a
    `#`, `;`, braces or quotes, or starts with `/` (paths are quoted by
    convention in drbd.conf), backslash-escaping `"` and `\\\\`.

    >>> quote("yes"), quote("/usr/lib/drbd/crm-fence-peer.sh"), quote('a "b"')
    ('yes', '"/usr/lib/drbd/crm-fence-peer.sh"', '"a \\\\"b\\\\""')
    """
    if value and not value.startswith("/") and not any(c in value for c in ' \t#;{}"\\\''):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stmt(name: str, value: str | None) -> str:
    """`name value;` (a bare `name;` for a flag), the value quoted if it must be.

    >>> stmt("fence-peer", "/usr/lib/drbd/crm-fence-peer.9.sh"), stmt("disk-flushes", None)
    ('fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";', 'disk-flushes;')
    """
    return f"{name};" if value is None else f"{name} {quote(value)};"


# -- sections -----------------------------------------------------------------------

def add_options(sec: Any, stmts: list[str]) -> Edit:
    """Insert statements at the end of an existing section, matching the
    indentation of its statements (or one level deeper than the section)."""
    file = sec.span.file
    data = file.data
    if sec.options:
        last = sec.options[-1].span
        if starts_line(data, last.start) and ends_line(data, last.end):
            ind = indent_at(data, last.start)
            return Edit.insert(file, after_statement(data, last.end), "".join(f"\n{ind}{s}" for s in stmts))
        return Edit.insert(file, last.end, "".join(f" {s}" for s in stmts))
    body = sec.body_span
    assert body is not None
    if is_multiline(body):
        ind = indent_at(data, sec.span.start) + indent_unit(file)
        return Edit.insert(file, body.start, "".join(f"\n{ind}{s}" for s in stmts))
    return Edit.replace(body, " " + " ".join(stmts) + " ")


def add_section(container: Any, kind: str, stmts: list[str], exclude: Iterable[object] = ()) -> Edit:
    """Insert a new `kind { stmts }` section into a container (a DRBD
    resource or `common`), after its last section (not one of `exclude`,
    which another edit deletes), as the surrounding text is laid out."""
    file = container.span.file
    data = file.data
    skip = {id(x) for x in exclude}
    anchors: list[Span] = [s.span for s in container.sections if id(s) not in skip]
    protocol = getattr(container, "protocol", None)
    if protocol is not None and id(protocol) not in skip:
        anchors.append(protocol.span)
    anchors = [a for a in anchors if a.file is file]
    unit = indent_unit(file)
    if anchors:
        last = max(anchors, key=lambda a: a.end)
        if starts_line(data, last.start) and ends_line(data, last.end):
            ind = indent_at(data, last.start)
            text = f"\n{ind}{kind} {{" + "".join(f"\n{ind}{unit}{s}" for s in stmts) + f"\n{ind}}}"
            return Edit.insert(file, after_statement(data, last.end), text)
        return Edit.insert(file, last.end, f" {kind} {{ " + " ".join(stmts) + " }")
    body = container.body_span
    assert body is not None
    if is_multiline(body):
        ind = indent_at(data, container.span.start) + unit
        text = f"\n{ind}{kind} {{" + "".join(f"\n{ind}{unit}{s}" for s in stmts) + f"\n{ind}}}"
        return Edit.insert(file, body.start, text)
    return Edit.insert(file, body.start, f" {kind} {{ " + " ".join(stmts) + " }")


def put_options(container: Any, kind: str, stmts: list[str], exclude: Iterable[object] = ()) -> Edit:
    """Add statements to the container's first `kind` section (not one of
    `exclude`), or to a new one."""
    exclude = list(exclude)
    skip = {id(x) for x in exclude}
    for sec in container.sections:
        if sec.kind == kind and id(sec) not in skip and sec.body_span is not None:
            return add_options(sec, stmts)
    return add_section(container, kind, stmts, exclude)


def add_first_statement(container: Any, text: str) -> Edit:
    """Insert a statement at the top of a container's body (8.x `protocol C;`)."""
    file = container.span.file
    body = container.body_span
    assert body is not None
    if is_multiline(body):
        ind = indent_at(file.data, container.span.start) + indent_unit(file)
        return Edit.insert(file, body.start, f"\n{ind}{text}")
    return Edit.insert(file, body.start, f" {text}")


def remove_statement(setting: "Setting", sec: Any, also_removed: Iterable["Setting"] = ()) -> Edit:
    """Delete a statement; when nothing else is left in its section, delete
    the whole section instead."""
    gone = {id(setting)} | {id(s) for s in also_removed}
    if all(id(o) in gone for o in sec.options) and not sec.sections:
        return delete_statement(sec.span)
    return delete_statement(setting.span)
