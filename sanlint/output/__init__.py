"""Output formats: text (default), json, sarif, junit, github."""

from __future__ import annotations

import importlib

FORMATS = {
    "text": "sanlint.output.text",
    "json": "sanlint.output.json_out",
    "sarif": "sanlint.output.sarif",
    "junit": "sanlint.output.junit",
    "github": "sanlint.output.github",
}


def render(fmt: str, result, summary: dict, **options) -> str:
    """The report in format `fmt`, every secret of the site scrubbed from it
    (the one pass over every byte, whatever a format quoted)."""
    from sanlint.output.secrets import Scrubber

    text = importlib.import_module(FORMATS[fmt]).render(result, summary, **options)
    return Scrubber.for_site(result.site)(text) if getattr(result, "site", None) is not None else text


_CONTROL = None


def one_line(text: str | None) -> str:
    """`text` on one line: newlines and other control characters (in a path,
    a host name) written as escapes, so they cannot split a record."""
    global _CONTROL
    if not text:
        return text or ""
    if _CONTROL is None:
        import re

        _CONTROL = re.compile(r"[\x00-\x1f\x7f]")
    return _CONTROL.sub(lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(m.group(), f"\\x{ord(m.group()):02x}"),
                        text)


def json_safe(text: str) -> str:
    """JSON text whose strings may hold lone surrogates (bytes of a file or
    directory name that are not UTF-8): each written as a `\\udcXX` escape,
    so the document is valid UTF-8 and reads back to the same string."""
    import re

    return re.sub(r"[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def rule_codes(result) -> list[str]:
    """The codes a report covers: every rule that ran (in order), then any
    code that only appears in the findings."""
    codes = list(getattr(result, "rules_run", None) or [])
    for f in result.findings:
        if f.code not in codes:
            codes.append(f.code)
    return codes


def clusters(result) -> list:
    """The clusters of a report with several (each a Site with a `name`), else []."""
    site = getattr(result, "site", None)
    return [part for part, _problems in site.parts] if site is not None and site.parts else []


def cluster_name(name: str | None) -> str:
    """How a cluster is named in a report: its directory, or what the hosts
    and files given one by one on the command line are."""
    return name if name is not None else "(hosts and files given one by one)"


def cluster_suffix(f, result) -> str:
    """` [cluster NAME]` after a finding's message when the report covers
    several clusters, else ''."""
    return f" [cluster {one_line(cluster_name(f.cluster))}]" if clusters(result) else ""
