"""The report's JSON sidecar, and `--compare PREVIOUS`.

Every report writes `NAME.json` beside `NAME.html` / `NAME.md`: the
evidence, every finding with its baseline fingerprint, rank and risk, the
waiver register and the summary, all scrubbed of secrets.  It is what the
next audit compares against.

`--compare PREVIOUS` takes such a sidecar or a baseline file
(`sanlint check --write-baseline`): findings are matched by fingerprint
(host, path, rule, the object the finding is about; never the line), as a
multiset, exactly like `--baseline`.  New = findings now that PREVIOUS does
not account for; resolved = PREVIOUS's findings that are gone.  Paths are
compared as written, so run both audits from the same directory.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

SIDECAR_VERSION = 1


class CompareError(Exception):
    """PREVIOUS cannot be read or is neither a report sidecar nor a baseline."""


@dataclass
class Comparison:
    previous: str  # the path given
    previous_kind: str  # "report" | "baseline"
    previous_generated: str | None
    new: list = field(default_factory=list)  # Rows of this report
    resolved: list[dict] = field(default_factory=list)  # entries of PREVIOUS
    unchanged: int = 0

    def to_json(self) -> dict:
        return {"previous": self.previous, "previous_kind": self.previous_kind,
                "previous_generated": self.previous_generated,
                "new": [r.fingerprint for r in self.new],
                "resolved": self.resolved, "unchanged": self.unchanged}


def sidecar_path(output: str) -> str:
    import os

    root, ext = os.path.splitext(output)
    return (root if ext else output) + ".json"


def load_previous(path: str) -> tuple[str, str | None, list[dict]]:
    from sanlint.baseline import read_json

    doc = read_json(path, CompareError, path, missing=f"{path}: no such file")
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise CompareError(f"{path}: neither a sanlint report sidecar nor a baseline (no \"findings\" list)")
    if "sanlint-report" in doc:
        kind, generated = "report", (doc.get("evidence") or {}).get("generated")
    elif "sanlint-baseline" in doc:
        kind, generated = "baseline", None
    else:
        raise CompareError(f"{path}: neither a sanlint report sidecar nor a baseline "
                           "(no \"sanlint-report\" or \"sanlint-baseline\" key)")
    entries = []
    for i, e in enumerate(doc["findings"]):
        if not isinstance(e, dict) or not isinstance(e.get("fingerprint"), str):
            raise CompareError(f"{path}: finding {i + 1} has no fingerprint")
        entries.append(e)
    return kind, generated, entries


def compare(path: str, rows: list) -> Comparison:
    kind, generated, entries = load_previous(path)
    remaining = Counter(e["fingerprint"] for e in entries)
    cmp = Comparison(path, kind, generated)
    for r in rows:
        if remaining[r.fingerprint] > 0:
            remaining[r.fingerprint] -= 1
            cmp.unchanged += 1
        else:
            cmp.new.append(r)
    for e in entries:
        if remaining[e["fingerprint"]] > 0:
            remaining[e["fingerprint"]] -= 1
            cmp.resolved.append({k: e.get(k) for k in ("fingerprint", "code", "severity", "host", "path", "line",
                                                        "message")})
    return cmp


def render(data) -> str:
    """The sidecar document of a `ReportData`."""
    doc = {
        "sanlint-report": SIDECAR_VERSION,
        "title": data.title,
        "evidence": data.evidence.to_json() if data.evidence else None,
        "summary": data.summary,
        "findings": [row_json(r) for r in data.ranked],
        "compare": data.comparison.to_json() if data.comparison else None,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def row_json(r) -> dict:
    return {"rank": r.rank, "fingerprint": r.fingerprint, "code": r.code, "name": r.name, "severity": r.severity,
            "risk": r.risk.name, "host": r.host, "path": r.path, "line": r.line, "column": r.column,
            "message": r.message, "fix": r.fix,
            "remediation": {"kind": r.remedy.kind, "text": r.remedy.text, "diff": r.remedy.diff,
                            "command": r.remedy.command} if r.remedy else None}
