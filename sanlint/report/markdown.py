"""The audit report as Markdown (GitHub-flavoured: tables, `<details>`), for
pull-request comments: summary, findings by pack, the topology as nested
lists, a table per host and the documentation of every rule that fired.
Site-derived text is escaped (table pipes, HTML) and scrubbed of secrets."""

from __future__ import annotations

import re
from html import escape

from sanlint import __version__
from sanlint.report import CLUSTER_WIDE, SEVERITY_ORDER, ReportData

FIX_LABEL = {"safe": "fix", "unsafe": "unsafe fix", "display-only": "fix needs a choice"}


def code(text: str) -> str:
    """`text` as inline code, whatever backticks it holds (pipes escaped for tables)."""
    text = text.replace("|", "\\|").replace("\n", " ")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def text(s: str) -> str:
    """Plain text for a table cell or a list item: code spans kept, HTML and
    pipes escaped everywhere else."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`\n]*`)", s.replace("\r", " ").replace("\n", " "))):
        if i % 2 == 1:
            out.append(part.replace("|", "\\|"))
        else:
            out.append(part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                       .replace("|", "\\|"))
    return "".join(out)


def _shift_headings(doc: str, by: int = 2) -> str:
    out, fenced = [], False
    for line in doc.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"^#{1,6}\s", line):
            line = "#" * by + line
        out.append(line)
    return "\n".join(out)


def render(data: ReportData, title: str = "sanlint audit report") -> str:
    s = data.summary
    total = sum(data.by_severity.values())
    versions = ", ".join(f"{k} {v}" for k, v in data.versions.items() if v) or "not determined"
    out = [f"# {title}", "",
           f"sanlint {__version__} · {s.get('files', 0)} files on {s.get('hosts', 0)} hosts · versions: {text(versions)}",
           "", "## Summary", "", "| severity | findings |", "|---|---:|"]
    for sev in SEVERITY_ORDER:
        out.append(f"| {sev} | {data.by_severity.get(sev, 0)} |")
    out.append(f"| **total** | **{total}** |")
    if data.by_pack:
        out += ["", "### By rule pack", "", "| pack | " + " | ".join(SEVERITY_ORDER) + " | total |",
                "|---|" + "---:|" * (len(SEVERITY_ORDER) + 1)]
        for pack, counts in data.by_pack.items():
            out.append(f"| {text(pack)} | " + " | ".join(str(counts.get(x, 0)) for x in SEVERITY_ORDER)
                       + f" | {sum(counts.values())} |")
    if data.notes:
        out += [""] + [f"- {text(n)}" for n in data.notes]

    out += ["", "## Topology", ""]
    topo = data.topology
    for h in topo.hosts:
        out += [f"### Host {text(h.name)}", ""]
        if not (h.drbd or h.vgs or h.targets):
            out += ["- no DRBD, LVM or iSCSI configuration", ""]
            continue
        for d in h.drbd:
            bits = []
            if d.devices:
                bits.append("device " + ", ".join(code(x) for x in d.devices))
            if d.disks:
                bits.append("disk " + ", ".join(code(x) for x in d.disks))
            if d.address:
                bits.append("address " + code(d.address))
            line = f"- DRBD resource {code(d.name)}" + (": " + "; ".join(bits) if bits else "")
            out.append(line)
            for p in d.peers:
                out.append(f"  - peer {code(p.host)}" + (f" at {code(p.address)}" if p.address else ""))
        for v in h.vgs:
            where = f" on DRBD {', '.join(code(r) for r in v.on_drbd)}" if v.on_drbd else ""
            out.append(f"- volume group {code(v.name)}{where}"
                       + (": PV " + ", ".join(code(p) for p in v.pvs) if v.pvs else "")
                       + ("; LV " + ", ".join(code(x) for x in v.lvs) if v.lvs else ""))
        for t in h.targets:
            out.append(f"- iSCSI target ({text(t.stack)}) {code(t.iqn)}")
            for num, path in t.luns:
                out.append(f"  - LUN {text(num)}: {code(path)}")
        out.append("")
    for c in topo.clusters:
        out += [f"### Pacemaker cluster ({code(c.source)})", ""]
        if c.nodes:
            out.append("- nodes: " + ", ".join(code(n) for n in c.nodes))
        if c.resources:
            out.append("- resources:")
            for r in c.resources:
                head = f"  - {text(r.kind)} {code(r.id)}" + (f" ({code(r.agent)})" if r.agent else "")
                out.append(head)
                for mid, agent in r.members:
                    out.append(f"    - {code(mid)} ({code(agent)})")
        if c.constraints:
            out.append("- constraints:")
            for e in c.constraints:
                out.append(f"  - {code(e.text)}")
        out.append("")

    out += ["## Findings", ""]
    if not data.rows_by_host:
        out += ["No problems found.", ""]
    for host, rows in data.rows_by_host.items():
        label = "Cluster-wide files" if host == CLUSTER_WIDE else f"Host {text(host)}"
        out += [f"### {label} ({len(rows)})", "", "| severity | rule | location | finding |", "|---|---|---|---|"]
        for r in rows:
            loc = code(f"{r.path}:{r.line}:{r.column}") if r.path else "(site)"
            fix = f" *[{FIX_LABEL.get(r.fix, 'fix')}]*" if r.fix else ""
            out.append(f"| **{r.severity}** | [{r.code}](#{r.code.lower()}) {text(r.name)} | {loc} | {text(r.message)}{fix} |")
        out.append("")

    if data.rules:
        out += ["## Rule documentation", ""]
        for c, rule in data.rules.items():
            out += [f"### {c}", "", f"<details><summary>{c} {escape(rule.name)}: {escape(rule.summary())}</summary>", "",
                    f"*{rule.severity}, pack {rule.pack}, fix: {rule.fix}*", "",
                    _shift_headings(rule.doc()), "", "</details>", ""]
    out.append("Secrets (shared secrets, CHAP and fence passwords) are redacted.")
    return "\n".join(out) + "\n"
