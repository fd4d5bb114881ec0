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
    return importlib.import_module(FORMATS[fmt]).render(result, summary, **options)
