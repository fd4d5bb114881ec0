"""What to do about a finding, for the audit report.

* a fix sanlint can apply: its description and the change as a unified
  diff (built from the fix's byte edits, like `sanlint check --diff`), with
  the command that applies it (`--fix`, or `--unsafe-fixes` for a fix that
  changes behaviour);
* a fix that needs the admin's decision: the choices, from the fix's
  description and the rule's *Fix safety* section, and the diff with its
  placeholder;
* no fix: the rule's *Fix safety* section says why and what to decide,
  and *Use instead* shows the corrected configuration.

Diffs and texts go through the report's secret scrubber (a fix may touch a
line holding a secret).
"""

from __future__ import annotations

from dataclasses import dataclass

from sanlint.rule import doc_sections


LABELS = {"safe": "Fix", "unsafe": "Fix (changes behaviour)", "choice": "Your decision", "manual": "What to do"}


@dataclass
class Remediation:
    kind: str  # "safe" | "unsafe" | "choice" | "manual"
    text: str  # one paragraph (Markdown inline syntax)
    diff: str | None = None
    command: str | None = None


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split()) if text else ""


def fix_diff(fix) -> str:
    from sanlint.fixes import edits_diff

    by_file: dict[int, list] = {}
    files = {}
    for e in fix.edits:
        by_file.setdefault(id(e.file), []).append(e)
        files[id(e.file)] = e.file
    parts = []
    for key, edits in by_file.items():
        src = files[key]
        try:
            parts.append(edits_diff(src.data, edits, src.display, context=2))
        except Exception:  # overlapping edits of a broken fix: show none rather than fail the report
            continue
    return "".join(parts)


def remediation(finding, rule, scrub) -> Remediation:
    sections = doc_sections(rule.doc()) if rule is not None else {}
    safety = _first_paragraph(sections.get("Fix safety", ""))
    fix = finding.fix
    if fix is None:
        text = safety or "No automatic fix; see the rule's documentation."
        if rule is not None and rule.fix != "no":
            text = "sanlint offers no fix for this finding in this site. " + text
        return Remediation("manual", scrub(text))
    diff = scrub(fix_diff(fix)) or None
    if fix.needs_choice:
        text = f"Needs your decision: {fix.description}."
        if safety:
            text += " " + safety
        return Remediation("choice", scrub(_tidy(text)), diff, None)
    if fix.safe:
        return Remediation("safe", scrub(_tidy(fix.description + ".")), diff, "sanlint check --fix")
    text = fix.description + ". This fix changes behaviour: review it before applying."
    return Remediation("unsafe", scrub(_tidy(text)), diff, "sanlint check --fix --unsafe-fixes")


def _tidy(text: str) -> str:
    text = text.strip()
    while ".." in text:
        text = text.replace("..", ".")
    return text[0].upper() + text[1:] if text else text
