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


def rule_codes(result) -> list[str]:
    """The codes a report covers: every rule that ran (in order), then any
    code that only appears in the findings."""
    codes = list(getattr(result, "rules_run", None) or [])
    for f in result.findings:
        if f.code not in codes:
            codes.append(f.code)
    return codes
