"""`--format json`: one object with findings and a summary (spec/cli.md)."""

from __future__ import annotations

import json

from sanlint import __version__
from sanlint.model.base import REDACTED
from sanlint.output import json_safe


def finding_json(f) -> dict:
    return {
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "host": f.host,
        # the cluster (site directory as reached from the PATH) the finding belongs to; null for the
        # hosts and files given one by one
        "cluster": f.cluster,
        "fixable": f.fixable,
        # as ruff's JSON: how the fix may be applied (safe: --fix; unsafe: --unsafe-fixes;
        # display-only: listed by --diff, needs the admin's choice), or null
        "fix": {"applicability": f.fix.applicability, "message": f.fix.description} if f.fix is not None else None,
    }


def render(result, summary: dict, **options) -> str:
    doc = {
        "sanlint": __version__,
        "findings": [finding_json(f) for f in result.findings],
        "summary": summary,
    }
    if options.get("verbose"):
        doc["notes"] = list(result.site.notes)
    return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


__all__ = ["render", "finding_json", "REDACTED"]
