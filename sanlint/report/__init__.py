"""The audit report (`sanlint report`): one self-contained HTML file or a
Markdown document with the site's topology, the findings by severity and by
pack, a table per host and each rule's documentation.

`ReportData.collect(result, summary)` gathers what both renderers show,
with every site-derived string scrubbed of secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanlint.output.secrets import Scrubber

SEVERITY_ORDER = ("error", "warning", "info")
CLUSTER_WIDE = "cluster-wide"


@dataclass
class Row:
    code: str
    name: str
    severity: str
    pack: str
    path: str | None
    line: int
    column: int
    message: str
    source: str | None  # the offending line, redacted
    fix: str | None  # "safe" | "unsafe" | "display-only"
    finding: object = None


@dataclass
class ReportData:
    summary: dict
    rows_by_host: dict[str, list[Row]]
    by_severity: dict[str, int]
    by_pack: dict[str, dict[str, int]]
    rules: dict  # code -> Rule class, for the rules that fired (in code order)
    topology: object
    findings: list
    versions: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @classmethod
    def collect(cls, result, summary: dict) -> "ReportData":
        from sanlint.report.topology import topology
        from sanlint.runner import load_rules

        all_rules = load_rules()
        site = result.site
        scrub = Scrubber.for_site(site)
        rows: dict[str, list[Row]] = {}
        by_sev = {s: 0 for s in SEVERITY_ORDER}
        by_pack: dict[str, dict[str, int]] = {}
        fired = set()
        for f in result.findings:
            rule = all_rules.get(f.code)
            pack = rule.pack if rule is not None and rule.pack else "other"
            source = None
            if f.span is not None:
                text = f.span.file.line_text(f.line)
                if text.strip():
                    source = scrub.line(text.replace("\t", "    "))
            row = Row(code=f.code, name=(rule.name if rule else f.rule_name) or "", severity=f.severity, pack=pack,
                      path=scrub(f.path) if f.path else None, line=f.line, column=f.column,
                      message=scrub(f.message), source=source,
                      fix=f.fix.applicability if f.fix is not None else None, finding=f)
            rows.setdefault(scrub(f.host) if f.host else CLUSTER_WIDE, []).append(row)
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
            counts = by_pack.setdefault(pack, {s: 0 for s in SEVERITY_ORDER})
            counts[f.severity] = counts.get(f.severity, 0) + 1
            fired.add(f.code)
        hosts = sorted((h for h in rows if h != CLUSTER_WIDE))
        ordered = {h: rows[h] for h in ([CLUSTER_WIDE] if CLUSTER_WIDE in rows else []) + hosts}
        rules = {c: r for c, r in all_rules.items() if c in fired}  # load_rules() is in code order
        return cls(
            summary=summary, rows_by_host=ordered, by_severity=by_sev,
            by_pack=dict(sorted(by_pack.items())), rules=rules,
            topology=topology(site, scrub), findings=list(result.findings),
            versions={"DRBD": site.drbd_version, "Pacemaker": site.pacemaker_version},
            notes=[scrub(n) for n in site.notes], files=[scrub(f.display) for f in site.files],
        )
