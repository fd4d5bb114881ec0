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
                             expected=_names(e.expected), char_offset=len(body)) from None
        raise ParseError("syntax error", e.line, e.column, found=repr(str(tok)),
                         expected=_names(e.expected), char_offset=tok.start_pos) from None
    except UnexpectedCharacters as e:
        ch = body[e.pos_in_stream] if e.pos_in_stream < len(body) else ""
        raise ParseError("syntax error", e.line, e.column, found=repr(ch),
                         expected=_names(e.allowed or []), char_offset=e.pos_in_stream) from None
    except UnexpectedEOF as e:
        line, col = src.line_col(len(body))
        raise ParseError("unexpected end of file", line, col, found="end of file",
                         expected=_names(e.expected), char_offset=len(body)) from None
    except UnexpectedInput as e:  # pragma: no cover - other Lark input errors
        raise ParseError(str(e).splitlines()[0], getattr(e, "line", 1), getattr(e, "column", 1)) from None


# Readable names for terminals in "expected ..." messages.
_PUNCT = {"LBRACE": "'{'", "RBRACE": "'}'", "SEMICOLON": "';'", "COLON": "':'", "EQUAL": "'='",
          "LSQB": "'['", "RSQB": "']'", "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "_NL": "end of line",
          "NEWLINE": "end of line", "_NEWLINE": "end of line"}


def _names(terminals) -> list[str]:
    out = []
    for t in terminals:
        if t in _PUNCT:
            out.append(_PUNCT[t])
        elif t.startswith("__ANON") or t.startswith("$"):
            continue
        else:
            out.append(t.lower().lstrip("_").replace("_", "-"))
    return out
