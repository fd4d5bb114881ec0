"""Loading the Lark LALR grammars: compiled once, cached on disk, shared.

A grammar is compiled the first time it is needed in a process and kept in
memory; the compiled parse tables are also stored in a cache directory
(`$SANLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/sanlint`, else
`~/.cache/sanlint`) keyed by the grammar text and the Lark version, so later
runs (pre-commit!) skip grammar analysis entirely.  An unwritable cache is
not an error: the grammar is then compiled in memory.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sanlint.source import ParseError, SourceFile

if TYPE_CHECKING:
    from lark import Lark, Tree


def grammar_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    installed = here / "grammars"  # wheel layout: sanlint/grammars/*.lark
    if installed.is_dir() and any(installed.glob("*.lark")):
        return installed
    return here.parent / "grammars"  # source tree: <repo>/grammars/*.lark


def cache_dir() -> Path:
    env = os.environ.get("SANLINT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sanlint"


def _import_lark():
    """Import lark without the optional third-party `regex` module: lark
    uses it only for `regex=True` grammars (none here), but importing it
    costs ~25 ms of every pre-commit run."""
    import sys

    if "regex" not in sys.modules and "lark" not in sys.modules:
        sys.modules["regex"] = None  # type: ignore[assignment]  # makes `import regex` fail fast
        try:
            import lark
        finally:
            del sys.modules["regex"]
    import lark

    return lark


@cache
def get_parser(name: str, start: str = "start", positions: bool = True) -> "Lark":
    """The LALR parser for `grammars/<name>.lark` (compiled once per process).
    `positions=False`: no `meta` positions on subtrees (tokens still carry
    theirs; a parser that derives spans from tokens saves ~40% of Lark's time)."""
    lark = _import_lark()
    Lark = lark.Lark

    text = (grammar_dir() / f"{name}.lark").read_text()
    key = hashlib.sha256(f"{lark.__version__}\0{start}\0{positions}\0{text}".encode()).hexdigest()[:20]
    options = dict(parser="lalr", propagate_positions=positions, maybe_placeholders=False, start=start)
    cdir = cache_dir()
    try:
        cdir.mkdir(parents=True, exist_ok=True)
        return Lark(text, cache=str(cdir / f"{name}-{key}.lark.cache"), **options)
    except OSError:
        return Lark(text, **options)


def parse_with(name: str, src: SourceFile, text: str | None = None, start: str = "start",
               positions: bool = True) -> "Tree":
    """Parse `src` (or `text`, a preprocessed copy of it of the same length)
    with grammar `name`, turning Lark's errors into `ParseError`."""
    parser = get_parser(name, start, positions)
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, UnexpectedInput

    body = src.text if text is None else text
    try:
        return parser.parse(body)
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            line, col = src.line_col(len(body))
            raise ParseError("unexpected end of file", line, col, found="end of file",
                             expected=words(name, e.expected, parser), char_offset=len(body)) from None
        found = "end of line" if TERMINAL_WORDS.get(tok.type) == "end of line" or not str(tok).strip(" \t") \
            else repr(str(tok))
        raise ParseError("syntax error", e.line, e.column, found=found,
                         expected=words(name, e.expected, parser), char_offset=tok.start_pos) from None
    except UnexpectedCharacters as e:
        ch = body[e.pos_in_stream] if e.pos_in_stream < len(body) else ""
        raise ParseError("syntax error", e.line, e.column, found="end of line" if ch in "\r\n" else repr(ch),
                         expected=words(name, e.allowed or [], parser), char_offset=e.pos_in_stream) from None
    except UnexpectedEOF as e:
        line, col = src.line_col(len(body))
        raise ParseError("unexpected end of file", line, col, found="end of file",
                         expected=words(name, e.expected, parser), char_offset=len(body)) from None
    except UnexpectedInput as e:  # pragma: no cover - other Lark input errors
        raise ParseError(str(e).splitlines()[0], getattr(e, "line", 1), getattr(e, "column", 1)) from None


# What the grammars' terminals mean, in the admin's words: the one place
# that turns Lark's token names (RBRACE, __ANON_3, OPTVAL) into the
# "expected ..." of a parse error.  A keyword or a fixed string is shown
# quoted as written ('resource', '{'); a terminal that stands for a kind of
# text is described (the grammar's name as a key: (grammar, TERMINAL)
# first, then TERMINAL for every grammar).  A terminal missing here is
# shown as its name in lower case, which tests/test_cli_conventions.py
# forbids for every terminal of every grammar.
TERMINAL_WORDS: dict[str, str] = {
    "NAME": "a name", "VALUE": "a value", "WORD": "a word", "ANYWORD": "a word", "BARE": "a word",
    "NVPAIR": "name=value", "SCORE": "a score (inf:, 100:)", "RSC_PATTERN": "a /regular expression/",
    "BINOP": "a comparison (eq, ne, lt, lte, gt, gte)", "UNARYOP": "'defined' or 'not_defined'",
    "BOOLOP": "'and' or 'or'", "DATE_SIMPLE": "'lt' or 'gt'", "DATE_SET": "'in_range' or 'date_spec'",
    "ALERT_KW": "'attributes', 'meta', 'select' or 'to'", "ACL_RIGHT": "'read', 'write' or 'deny'",
    "XML_BODY": "an XML fragment", "KMODVERS": "a version such as 9.2.0", "INT": "a number", "FLOAT": "a number",
    "IPV4ADDR": "an IPv4 address", "IPV6ADDR": "an IPv6 address", "DQSTRING": "a quoted string",
    "STRING": "a quoted string", "SQSTRING": "a quoted string", "OTHER": "a value", "KEY": "a setting name",
    "OPTKEY": "an option name", "OPTVAL": "an option value", "USER": "'IncomingUser' or 'OutgoingUser'",
    "OPEN": "a <section ...> line", "CLOSE": "a </section> line", "OPTION": "a setting line",
    "COMMENT": "a comment", "_NL": "end of line", "NEWLINE": "end of line", "_NEWLINE": "end of line",
    "$END": "end of file", "MODULE_VERSION": "'require-drbd-module-version-eq' (or -ne, -gt, -ge, -lt, -le)",
}
GRAMMAR_WORDS: dict[tuple[str, str], str] = {
    ("corosync", "NAME"): "a section or option name",
    ("ietd", "NAME"): "a target name",
    ("tgt", "OPEN"): "a <target ...> line", ("tgt", "CLOSE"): "a </target> line", ("tgt", "OPTION"): "a directive line",
}
_KEYWORD = re.compile(r"^\(?:?(?:\?i:)?([A-Za-z_][A-Za-z0-9_-]*)\)?\(\?[!=]")  # /resource(?![...])/


def words(grammar: str, terminals, parser: "Lark | None" = None) -> list[str]:
    """The terminals a parser expected, as the admin reads them."""
    out: list[str] = []
    for t in terminals:
        word = _word(grammar, t, parser)
        if word and word not in out:
            out.append(word)
    return out


def _word(grammar: str, name: str, parser) -> str | None:
    if (grammar, name) in GRAMMAR_WORDS:
        return GRAMMAR_WORDS[(grammar, name)]
    if name in TERMINAL_WORDS:
        return TERMINAL_WORDS[name]
    pattern = _pattern(parser, name)
    if pattern is not None:
        kind, value = pattern
        if kind == "str":
            return repr(value) if value.strip() else None
        m = _KEYWORD.match(value)
        if m:
            return repr(m.group(1))
    if name.startswith("__ANON") or name.startswith("$") or name.startswith("_"):
        return None
    return name.lower().replace("_", "-")


def _pattern(parser, name: str) -> tuple[str, str] | None:
    if parser is None:
        return None
    try:
        p = parser.get_terminal(name).pattern
    except (KeyError, AttributeError):
        return None
    return ("str" if type(p).__name__ == "PatternStr" else "re", p.value)
