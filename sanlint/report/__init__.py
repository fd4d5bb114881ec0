"""The audit report (`sanlint report`): evidence an auditor can file.

One self-contained HTML file (prints cleanly; `-o x.pdf` through headless
Chromium) or a Markdown document bounded for a pull-request comment, and
always a JSON sidecar beside it.  Modules, one concern each:

* `evidence`: when, by which sanlint and rule set, on which site and input
  files (SHA-256, size, mtime), versions assumed, the waiver register;
* `ranking`: severity, then risk; the executive summary's top risks;
* `remediation`: per finding the fix as a diff, or the admin's choices;
* `sidecar`: the JSON sidecar and `--compare PREVIOUS`;
* `topology`: hosts, cluster resources and where they run, networks;
* `html`, `markdown`, `pdf`: the renderers; `natsort`: r2 before r10.

`ReportData.collect(...)` gathers what every renderer shows, with every
site-derived string scrubbed of secrets (`sanlint.output.secrets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanlint.output.secrets import Scrubber
from sanlint.report.natsort import natural_key

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
    host: str | None = None
    fingerprint: str = ""
    risk: object = None  # ranking.RiskClass
    remedy: object = None  # remediation.Remediation
    rank: int = 0
    title: str = ""  # the rule's one-sentence title
    new: bool = False  # new since the compared audit

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}" if self.path else "(site)"


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
    ranked: list[Row] = field(default_factory=list)
    evidence: object = None  # evidence.Evidence
    comparison: object = None  # sidecar.Comparison
    title: str = "sanlint audit report"

    @property
    def top(self) -> list[list[Row]]:
        from sanlint.report.ranking import top_risks

        return top_risks(self.ranked)

    @classmethod
    def collect(cls, result, summary: dict, *, settings=None, problems=(), command: str = "sanlint report",
                baselined=(), baseline_path: str | None = None, baseline_reasons: dict | None = None,
                compare: str | None = None, title: str = "sanlint audit report") -> "ReportData":
        """Everything the renderers show.  `baselined`: findings a baseline
        hid (listed in the waiver register); `compare`: a previous sidecar
        or baseline (raises `sidecar.CompareError` when unreadable)."""
        from sanlint.baseline import fingerprint
        from sanlint.config import Settings
        from sanlint.report import evidence as ev
        from sanlint.report.ranking import rank, risk_of
        from sanlint.report.remediation import remediation
        from sanlint.report.topology import topology
        from sanlint.rule import doc_sections
        from sanlint.runner import load_rules

        settings = settings if settings is not None else Settings()
        all_rules = load_rules()
        site = result.site
        scrub = Scrubber.for_site(site)
        all_rows: list[Row] = []
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
            heading = doc_sections(rule.doc()).get("_title", "") if rule is not None else ""
            row = Row(code=f.code, name=(rule.name if rule else f.rule_name) or "", severity=f.severity, pack=pack,
                      path=scrub(f.path) if f.path else None, line=f.line, column=f.column,
                      message=scrub(f.message), source=source,
                      fix=f.fix.applicability if f.fix is not None else None, finding=f,
                      host=scrub(f.host) if f.host else None, fingerprint=fingerprint(f),
                      risk=risk_of(f.code, f.severity, rule), remedy=remediation(f, rule, scrub),
                      title=scrub(" ".join(heading.split())))
            all_rows.append(row)
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
            counts = by_pack.setdefault(pack, {s: 0 for s in SEVERITY_ORDER})
            counts[f.severity] = counts.get(f.severity, 0) + 1
            fired.add(f.code)
        ranked = rank(all_rows)
        for i, r in enumerate(ranked, 1):
            r.rank = i
        rows: dict[str, list[Row]] = {}
        for r in ranked:
            rows.setdefault(r.host or CLUSTER_WIDE, []).append(r)
        hosts = sorted((h for h in rows if h != CLUSTER_WIDE), key=natural_key)
        ordered = {h: rows[h] for h in ([CLUSTER_WIDE] if CLUSTER_WIDE in rows else []) + hosts}
        rules = {c: r for c, r in all_rules.items() if c in fired}  # load_rules() is in code order
        comparison = None
        if compare:
            from sanlint.report.sidecar import compare as do_compare

            comparison = do_compare(compare, ranked)
            for r in comparison.new:
                r.new = True
        evidence = ev.collect(result, settings, problems, command=command, scrub=scrub, baselined=baselined,
                              baseline_path=baseline_path, baseline_reasons=baseline_reasons)
        return cls(
            summary=summary, rows_by_host=ordered, by_severity=by_sev,
            by_pack=dict(sorted(by_pack.items())), rules=rules,
            topology=topology(site, scrub), findings=list(result.findings),
            versions={"DRBD": site.drbd_version, "Pacemaker": site.pacemaker_version},
            notes=[scrub(n) for n in site.notes],
            files=[scrub(f.display) for f in sorted(site.files, key=lambda f: natural_key(f.display))],
            ranked=ranked, evidence=evidence, comparison=comparison, title=title,
        )
