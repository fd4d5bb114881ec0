"""`--format sarif`: SARIF 2.1.0 for code-scanning upload.

One run; `tool.driver.rules` describes every rule that ran (and any other
rule a result names), with its documentation page as `help`.  Results carry
a relative `artifactLocation.uri`, a region (line/column in Unicode code
points: `columnKind`), the fix as byte-offset replacements, and a
`partialFingerprints` entry from `sanlint.baseline.fingerprint` (host, path,
code, identity: never the line), so a finding keeps its identity when lines
move.  Nothing from the site that is a secret gets in: messages are
scrubbed and a fix whose text would carry a secret is left out.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from sanlint import __version__
from sanlint.baseline import FINGERPRINT_KEY, fingerprint
from sanlint.output import cluster_suffix, json_safe, rule_codes
from sanlint.output.secrets import Scrubber
from sanlint.rule import doc_sections

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(path: str) -> str:
    """A relative URI reference for a relative path, a file: URI otherwise."""
    p = os.path.normpath(path).replace(os.sep, "/")
    raw = p.encode("utf-8", "surrogateescape")  # a name that is not UTF-8: its bytes, percent-encoded
    if os.path.isabs(path):
        return "file://" + quote(raw)
    return quote(raw)


def _location(path: str) -> dict:
    loc = {"uri": artifact_uri(path)}
    if not os.path.isabs(path):
        loc["uriBaseId"] = "%SRCROOT%"
    return loc


def rule_descriptor(rule) -> dict:
    doc = rule.doc()
    sections = doc_sections(doc)
    full = " ".join(sections.get("What it checks", "").split()) or rule.summary()
    d = {
        "id": rule.code,
        "name": rule.name or rule.code,
        "shortDescription": {"text": rule.summary() or rule.code},
        "fullDescription": {"text": full or rule.code},
        "help": {"text": doc or rule.summary() or rule.code, "markdown": doc or rule.summary() or rule.code},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"tags": [t for t in (rule.pack, rule.severity) if t], "fix": rule.fix},
    }
    return d


def _region(f) -> dict:
    region = {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)}
    span = f.span
    if span is not None and span.end > span.start:
        try:
            end_line = span.file.line_of_byte(max(span.end - 1, span.start))
            # endColumn: the column just after the last character, in code points
            src = span.file
            end_char = span.end if src._ascii else len(src.data[: span.end].decode("utf-8", "surrogateescape"))
            end_col = end_char - src.line_start_char(end_line) + 1
            if end_line > region["startLine"] or end_col > region["startColumn"]:
                region["endLine"] = end_line
                region["endColumn"] = end_col
        except Exception:  # a region is a nicety: never fail the output on it
            pass
    return region


def _fix(f, scrub: Scrubber) -> dict | None:
    fix = f.fix
    if fix is None or fix.needs_choice:  # placeholders: not something a tool may apply
        return None
    by_file: dict[str, list[dict]] = {}
    for e in fix.edits:
        if scrub.contains_secret(e.replacement) or scrub.line(e.replacement) != e.replacement:
            return None
        by_file.setdefault(e.file.display, []).append({
            "deletedRegion": {"byteOffset": e.start, "byteLength": e.end - e.start},
            **({"insertedContent": {"text": e.replacement}} if e.replacement else {}),
        })
    return {
        "description": {"text": scrub(fix.description) or f"fix {f.code}"},
        "artifactChanges": [{"artifactLocation": _location(path), "replacements": reps}
                            for path, reps in by_file.items()],
        "properties": {"applicability": fix.applicability},
    }


def build(result, summary: dict | None = None) -> dict:
    from sanlint.runner import load_rules

    rules = load_rules()
    scrub = Scrubber.for_site(result.site)
    codes = rule_codes(result)
    descriptors, index = [], {}
    for code in codes:
        rule = rules.get(code)
        if rule is None:
            continue
        index[code] = len(descriptors)
        descriptors.append(rule_descriptor(rule))
    results = []
    for f in result.findings:
        r: dict = {"ruleId": f.code}
        if f.code in index:
            r["ruleIndex"] = index[f.code]
        r["level"] = LEVELS.get(f.severity, "warning")
        r["message"] = {"text": (scrub(f.message) or f.code) + cluster_suffix(f, result)}
        if f.path:
            r["locations"] = [{"physicalLocation": {"artifactLocation": _location(f.path), "region": _region(f)}}]
        r["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(f)}
        fix = _fix(f, scrub)
        if fix is not None:
            r["fixes"] = [fix]
        props = {}
        if f.host:
            props["host"] = f.host
        if f.cluster is not None:
            props["cluster"] = f.cluster  # the site directory the finding belongs to (spec/cli.md)
        if f.rule_name:
            props["ruleName"] = f.rule_name
        if props:
            r["properties"] = props
        results.append(r)
    run = {
        "tool": {"driver": {
            "name": "sanlint",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": descriptors,
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if summary:
        run["properties"] = {"summary": summary}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result, summary: dict, **options) -> str:
    return json_safe(json.dumps(build(result, summary), indent=2, ensure_ascii=False)) + "\n"
