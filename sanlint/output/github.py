"""`--format github`: GitHub Actions workflow commands, one annotation per
finding: `::error file=PATH,line=L,col=C,endLine=..,endColumn=..,title=CODE::message`.

Severities map to `error`, `warning` and `notice`.  Escaping follows the
runner's rules: in the message `%`, `\\r`, `\\n` become `%25`, `%0D`,
`%0A`; in property values `:` and `,` become `%3A` and `%2C` as well.
"""

from __future__ import annotations

from sanlint.output import cluster_suffix
from sanlint.output.secrets import Scrubber

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(f, scrub=None, cluster: str = "") -> str:
    scrub = scrub or (lambda s: s)
    props = []
    if f.path:
        props.append(("file", f.path))
        props.append(("line", str(f.line)))
        props.append(("col", str(f.column)))
        span = f.span
        if span is not None and span.end > span.start:
            try:
                end_line = span.file.line_of_byte(span.end - 1)
                if end_line > f.line:
                    props.append(("endLine", str(end_line)))
            except Exception:
                pass
    props.append(("title", f.code))
    host = f" ({f.host})" if f.host else ""
    message = f"{scrub(f.message)}{host}{cluster}"
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS.get(f.severity, 'warning')} {head}::{escape_data(message)}"


def render(result, summary: dict, **options) -> str:
    scrub = Scrubber.for_site(result.site)
    lines = [annotation(f, scrub, cluster_suffix(f, result)) for f in result.findings]
    return "".join(line + "\n" for line in lines)
