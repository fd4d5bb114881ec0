"""The audit report as one self-contained HTML file: inline CSS, inline SVG,
no scripts, no fonts or images fetched from anywhere.  Everything is
escaped; rule documentation (Markdown) is rendered by a deliberately small
converter (headings, paragraphs, lists, fenced code, inline code, bold and
italics)."""

from __future__ import annotations

import re
from html import escape

from sanlint import __version__
from sanlint.report import CLUSTER_WIDE, SEVERITY_ORDER, ReportData
from sanlint.report.remediation import LABELS
from sanlint.report.topology import svg as topology_svg

COLOURS = {"error": "#c62828", "warning": "#ef8f00", "info": "#1e88e5"}
FIX_LABEL = {"safe": "fix", "unsafe": "unsafe fix", "display-only": "fix needs a choice"}

CSS = """
:root { --fg:#1d2330; --muted:#5b6474; --line:#d9dee7; --bg:#f6f7fa; --card:#fff;
  --error:#c62828; --warning:#ef8f00; --info:#1e88e5; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color:var(--fg); background:var(--bg); }
header { background:#1d2330; color:#fff; padding:20px 32px; }
header h1 { margin:0 0 4px; font-size:22px; }
header .sub { color:#b9c1d0; font-size:13px; }
main { padding: 8px 32px 40px; max-width: 1800px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:16px 20px; margin:18px 0; }
h2 { font-size:18px; margin:0 0 12px; }
h3 { font-size:15px; margin:18px 0 8px; }
.cards { display:flex; gap:12px; flex-wrap:wrap; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 16px; min-width:120px; background:#fbfcfe; }
.card .n { font-size:24px; font-weight:bold; }
.card.error .n { color:var(--error); } .card.warning .n { color:var(--warning); } .card.info .n { color:var(--info); }
.muted { color:var(--muted); }
.charts { display:flex; gap:28px; flex-wrap:wrap; align-items:flex-start; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; vertical-align:top; padding:6px 8px; border-bottom:1px solid var(--line); }
th { background:#eef1f6; font-size:12px; text-transform:uppercase; letter-spacing:.03em; color:var(--muted); }
td.loc { font-family:"DejaVu Sans Mono", monospace; font-size:12px; white-space:nowrap; }
.sev { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-size:12px; font-weight:bold; }
.sev.error { background:var(--error); } .sev.warning { background:var(--warning); } .sev.info { background:var(--info); }
.fix { display:inline-block; margin-left:6px; padding:0 6px; border:1px solid #8a94a6; border-radius:8px; font-size:11px; color:var(--muted); }
pre { background:#f1f3f7; border:1px solid var(--line); border-radius:6px; padding:8px 10px; overflow-x:auto;
  font: 12px/1.4 "DejaVu Sans Mono", monospace; }
pre.src { margin:6px 0 0; padding:4px 8px; }
code { font: 12px "DejaVu Sans Mono", monospace; background:#f1f3f7; padding:0 3px; border-radius:3px; }
pre code { background:none; padding:0; }
.rule-doc { border-top:1px solid var(--line); padding-top:6px; }
.rule-doc h4 { margin:14px 0 4px; font-size:14px; }
.doc-file { font-size:11px; color:var(--muted); margin:6px 0 -4px; }
a { color:#1f5fbf; text-decoration:none; } a:hover { text-decoration:underline; }
svg text { font-family:"DejaVu Sans Mono", monospace; font-size:12px; fill:var(--fg); }
svg .box { fill:#fff; stroke:#8a94a6; stroke-width:1.2; }
svg .box.drbd { fill:#eef5ff; stroke:#4a78c2; } svg .box.vg { fill:#eefaf1; stroke:#3d9a57; }
svg .box.target { fill:#fff6ea; stroke:#d48a1c; } svg .box.resource { fill:#f5f0ff; stroke:#7a5cc4; }
svg .sev-error > .box { stroke:var(--error); stroke-width:2.5; }
svg .sev-warning > .box { stroke:var(--warning); stroke-width:2.5; }
svg .host-head { fill:#1d2330; } svg .host-name { fill:#fff; font-weight:bold; font-size:14px; }
svg .title { font-weight:bold; } svg .detail { fill:#39414f; } svg .empty { fill:var(--muted); font-style:italic; }
svg .cluster-box { fill:#fbfaff; stroke:#7a5cc4; stroke-dasharray:6 4; }
svg .cluster-name { font-weight:bold; font-size:13px; }
svg .edge { fill:none; stroke:#5b6474; stroke-width:1.5; }
svg .edge.replication { stroke:#4a78c2; stroke-width:3; stroke-dasharray:8 5; }
svg .edge.colocation { stroke-dasharray:5 4; stroke:#7a5cc4; }
svg .edge.order { stroke:#5b6474; }
svg .edge.sev-error { stroke:var(--error); } svg .edge.sev-warning { stroke:var(--warning); }
svg .constraint-line.sev-error text { fill:var(--error); }
svg .edge-label { font-size:11px; fill:#39414f; paint-order:stroke; stroke:#fff; stroke-width:4px; }
svg .arrow-head { fill:#5b6474; }
svg .bar.error { fill:var(--error); } svg .bar.warning { fill:var(--warning); } svg .bar.info { fill:var(--info); }
svg .axis { stroke:#8a94a6; } svg .chart-title { font-weight:bold; font-size:13px; }
.legend span { display:inline-block; margin-right:14px; font-size:12px; }
.legend i { display:inline-block; width:12px; height:12px; border-radius:2px; vertical-align:-1px; margin-right:4px; }
svg .box.ring { fill:#f3f6f9; stroke:#5b6474; } svg .box.cluster-node { fill:#1d2330; stroke:#1d2330; }
svg .cluster-node text.title { fill:#fff; }
svg .edge.membership { stroke:#8a94a6; stroke-dasharray:2 4; stroke-width:1.5; }
svg .edge.placement { stroke:#7a5cc4; stroke-width:1.5; } svg .edge.placement.avoids { stroke:#c62828; stroke-dasharray:3 3; }
.risks li { margin:0 0 8px; } .risks .what { font-weight:bold; }
.badge { display:inline-block; padding:0 6px; border-radius:8px; font-size:11px; font-weight:bold; background:#2e7d32; color:#fff; }
.risk { font-size:12px; color:var(--muted); white-space:nowrap; }
td.rank { color:var(--muted); font-size:12px; text-align:right; }
article.finding { border-top:1px solid var(--line); padding:10px 0 12px; }
article.finding .fhead { line-height:1.7; }
article.finding .rank { display:inline-block; min-width:2.2em; color:var(--muted); font-size:12px; }
article.finding .loc { font-family:"DejaVu Sans Mono", monospace; font-size:12px; word-break:break-all; }
article.finding p.msg { margin:4px 0; }
article.finding pre { white-space:pre-wrap; word-break:break-all; }
.remedy { margin-top:6px; padding:6px 8px; border-left:3px solid #8a94a6; background:#fafbfc; }
.remedy.safe { border-color:#2e7d32; } .remedy.unsafe { border-color:var(--warning); } .remedy.choice { border-color:#7a5cc4; }
pre.diff .add { color:#1b5e20; background:#e8f5e9; } pre.diff .del { color:#b71c1c; background:#ffebee; }
pre.diff .hunk { color:#6a4fb0; }
dl.facts { display:grid; grid-template-columns: max-content 1fr; gap:4px 16px; margin:0; }
dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; }
td.hash { font-family:"DejaVu Sans Mono", monospace; font-size:11px; word-break:break-all; }
table.signoff td { height:42px; } table.signoff td.blank { border-bottom:1px solid #1d2330; width:28%; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { background:#fff; font-size:10.5pt; }
  header { background:#fff; color:#000; border-bottom:2px solid #000; padding:0 0 8px; }
  header .sub { color:#333; }
  main { padding:0; max-width:none; }
  section { border:none; border-radius:0; padding:0; margin:0 0 14px; }
  h2 { break-after:avoid; border-bottom:1px solid #999; padding-bottom:2px; }
  h3, h4 { break-after:avoid; }
  tr, pre, .card, li, .fhead { break-inside:avoid; }
  .fhead, p.msg { break-after:avoid; }
  .scroll { overflow:visible; }
  svg.topology, svg.chart { max-width:100%; height:auto; }
  pre { white-space:pre-wrap; word-break:break-all; }
  a { color:inherit; }
  .sev { border:1px solid #000; }
  #rules { break-before:page; }
  #signoff { break-inside:avoid; }
  .noprint { display:none; }
}
"""


# -- minimal Markdown --------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^```\s*([\w-]*)((?:[ \t]+\S+)*)\s*$")


def _inline(text: str) -> str:
    """Escape, then inline code, bold and italics (never inside code)."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2 == 1:
            out.append(f"<code>{escape(part[1:-1])}</code>")
            continue
        p = escape(part)
        p = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", p)
        p = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", p)
        out.append(p)
    return "".join(out)


def markdown_html(doc: str, heading_base: int = 4) -> str:
    lines = doc.splitlines()
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    list_tag = None

    def flush() -> None:
        nonlocal list_tag
        if para:
            out.append(f"<p>{_inline(' '.join(x.strip() for x in para))}</p>")
            para.clear()
        if items:
            out.append(f"<{list_tag}>" + "".join(f"<li>{_inline(it)}</li>" for it in items) + f"</{list_tag}>")
            items.clear()
            list_tag = None

    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE_OPEN.match(line)
        if m:
            flush()
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            info = " ".join(x for x in (m.group(1), m.group(2).strip()) if x)
            if info:
                out.append(f'<div class="doc-file">{escape(info)}</div>')
            lang = f' class="language-{escape(m.group(1))}"' if m.group(1) else ""
            out.append(f"<pre><code{lang}>{escape(chr(10).join(body))}</code></pre>")
            i += 1
            continue
        h = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if h:
            flush()
            level = min(heading_base + len(h.group(1)) - 2, 6)
            out.append(f"<h{level}>{_inline(h.group(2))}</h{level}>")
        elif not line.strip():
            flush()
        elif (li := re.match(r"^\s*([-*+]|\d+[.)])\s+(.*)$", line)) and (items or not para or not li.group(1)[0].isdigit()):
            tag = "ol" if li.group(1)[0].isdigit() else "ul"
            if items and tag != list_tag:
                flush()
            if para:
                flush()
            list_tag = tag
            items.append(li.group(2))
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()
        else:
            if items:
                flush()
            para.append(line)
        i += 1
    flush()
    return "\n".join(out)


# -- charts ------------------------------------------------------------------------


def severity_chart(data: ReportData) -> str:
    counts = [(s, data.by_severity.get(s, 0)) for s in SEVERITY_ORDER]
    top = max([c for _, c in counts] + [1])
    w, h, base = 320, 230, 190
    bw, gap, x0 = 60, 34, 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="chart-severity" class="chart" role="img" '
             f'aria-label="Findings by severity" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
             '<text x="10" y="18" class="chart-title">Findings by severity</text>',
             f'<line x1="{x0 - 10}" y1="{base}" x2="{w - 10}" y2="{base}" class="axis"/>']
    for k, (sev, n) in enumerate(counts):
        bh = 0 if not n else max(round(140 * n / top), 3)
        x = x0 + k * (bw + gap)
        parts.append(f'<rect x="{x}" y="{base - bh}" width="{bw}" height="{bh}" class="bar {sev}" '
                     f'data-severity="{sev}" data-count="{n}"><title>{n} {sev}</title></rect>')
        parts.append(f'<text x="{x + bw / 2:.0f}" y="{base - bh - 6}" text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + bw / 2:.0f}" y="{base + 18}" text-anchor="middle">{sev}</text>')
    parts.append("</svg>")
    return "".join(parts)


def pack_chart(data: ReportData) -> str:
    packs = list(data.by_pack.items())
    top = max([sum(c.values()) for _, c in packs] + [1])
    label_w, bar_w, row_h = 70, 380, 26
    w = label_w + bar_w + 60
    h = 40 + row_h * max(len(packs), 1) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="chart-packs" class="chart" role="img" '
             f'aria-label="Findings by rule pack" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
             '<text x="10" y="18" class="chart-title">Findings by rule pack</text>']
    if not packs:
        parts.append('<text x="10" y="50" class="empty">no findings</text>')
    for k, (pack, counts) in enumerate(packs):
        y = 34 + k * row_h
        parts.append(f'<g class="pack" data-pack="{escape(pack)}">')
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(pack)}</text>')
        x = float(label_w)
        total = 0
        for sev in SEVERITY_ORDER:
            n = counts.get(sev, 0)
            if not n:
                continue
            total += n
            seg = bar_w * n / top
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{seg:.1f}" height="{row_h - 8}" class="bar {sev}">'
                         f'<title>{escape(pack)}: {n} {sev}</title></rect>')
            x += seg
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}">{total}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


# -- page ----------------------------------------------------------------------------

RISK_LABEL = {"data": "data", "outage": "outage", "exposure": "exposure", "resilience": "resilience",
              "hygiene": "hygiene"}


def _sev(sev: str) -> str:
    return f'<span class="sev {escape(sev)}">{escape(sev)}</span>'


def _host_id(host: str) -> str:
    return "host-" + re.sub(r"[^A-Za-z0-9_-]", "-", host)


def _diff(diff: str) -> str:
    out = []
    for line in diff.splitlines():
        cls = ("add" if line.startswith("+") and not line.startswith("+++") else
               "del" if line.startswith("-") and not line.startswith("---") else
               "hunk" if line.startswith("@@") else "")
        out.append(f'<span class="{cls}">{escape(line)}</span>' if cls else escape(line))
    return '<pre class="diff">' + "\n".join(out) + "</pre>"


def _remedy(r) -> str:
    m = r.remedy
    if m is None:
        return ""
    label = LABELS[m.kind]
    out = [f'<div class="remedy {m.kind}"><b>{label}:</b> {_inline(m.text)}']
    if m.command:
        out.append(f" <code>{escape(m.command)}</code>")
    if m.diff:
        out.append(_diff(m.diff))
    out.append("</div>")
    return "".join(out)


def _where(r) -> str:
    loc = escape(r.location)
    return loc + (f'<br><span class="muted">{escape(r.host)}</span>' if r.host else "")


def _risk_paragraph(group) -> str:
    """One short paragraph of the executive summary: a rule that fired."""
    r = group[0]
    hosts = sorted({x.host for x in group if x.host})
    where = (f"on {', '.join(hosts)}" if hosts else "in the cluster configuration")
    n = len(group)
    more = f" ({n} findings {where})" if n > 1 else f" ({where})"
    remedy = {"safe": "sanlint can fix it (<code>sanlint check --fix</code>).",
              "unsafe": "sanlint offers a fix that changes behaviour; review it (<code>--unsafe-fixes</code>).",
              "choice": "The fix needs your decision; see the finding.",
              "manual": _inline(r.remedy.text) if r.remedy else ""}[r.remedy.kind if r.remedy else "manual"]
    return (f'<li><span class="what">{escape(r.title or r.code)}</span> {_sev(r.severity)} '
            f'<span class="risk">risk: {escape(r.risk.label)}</span><br>'
            f'<a href="#f{r.rank}">{escape(r.code)}</a>{escape(more)}: {_inline(r.message)}. {remedy}</li>')


def render(data: ReportData, title: str = "sanlint audit report") -> str:
    s = data.summary
    ev = data.evidence
    total = sum(data.by_severity.values())
    site_label = ("cluster " + ", ".join(ev.cluster_names)) if ev and ev.cluster_names else "cluster (no name configured)"
    nodes = ", ".join(ev.nodes) if ev and ev.nodes else ", ".join(ev.hosts) if ev else ""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        """<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">""",
        f"<title>{escape(title)}</title>",
        f'<meta name="generator" content="sanlint {escape(__version__)}">',
        f"<style>{CSS}</style></head><body>",
        f'<header><h1>{escape(title)}</h1><div class="sub">{escape(site_label)}'
        + (f" &middot; nodes {escape(nodes)}" if nodes else "")
        + (f' &middot; generated <time>{escape(ev.generated)}</time>' if ev else "")
        + f' &middot; sanlint {escape(__version__)} &middot; {s.get("files", 0)} files on {s.get("hosts", 0)} hosts</div></header>',
        "<main>",
        '<section id="summary"><h2>Executive summary</h2><div class="cards">',
        f'<div class="card total"><div class="n">{total}</div>findings</div>',
    ]
    for sev in SEVERITY_ORDER:
        out.append(f'<div class="card {sev}"><div class="n">{data.by_severity.get(sev, 0)}</div>{sev}</div>')
    cmp = data.comparison
    if cmp is not None:
        out.append(f'<div class="card new"><div class="n">{len(cmp.new)}</div>new since last audit</div>')
        out.append(f'<div class="card resolved"><div class="n">{len(cmp.resolved)}</div>resolved</div>')
    if ev is not None and ev.waivers:
        out.append(f'<div class="card"><div class="n">{len(ev.waivers)}</div>waived</div>')
    out.append("</div>")
    if data.ranked:
        out.append("<h3>Top risks</h3><ol class=\"risks\">" + "".join(_risk_paragraph(g) for g in data.top) + "</ol>")
    else:
        out.append("<p>No problems found.</p>")
    if data.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in data.notes) + "</ul>")
    out.append('<div class="charts">' + severity_chart(data) + pack_chart(data) + '</div><div class="legend">'
               + "".join(f'<span><i style="background:{COLOURS[s_]}"></i>{s_}</span>' for s_ in SEVERITY_ORDER)
               + "</div></section>")

    if cmp is not None:
        out.append(f'<section id="changes"><h2>Changes since the last audit</h2><p class="muted">Compared with '
                   f'<code>{escape(cmp.previous)}</code> ({escape(cmp.previous_kind)}'
                   + (f", generated {escape(cmp.previous_generated)}" if cmp.previous_generated else "")
                   + f"): {len(cmp.new)} new, {len(cmp.resolved)} resolved, {cmp.unchanged} unchanged.</p>")
        if cmp.new:
            out.append("<h3>New</h3><table><thead><tr><th>#</th><th>severity</th><th>rule</th><th>location</th>"
                       "<th>finding</th></tr></thead><tbody>")
            for r in cmp.new:
                out.append(f'<tr><td class="rank"><a href="#f{r.rank}">{r.rank}</a></td><td>{_sev(r.severity)}</td>'
                           f"<td>{escape(r.code)}</td><td class=\"loc\">{_where(r)}</td><td>{_inline(r.message)}</td></tr>")
            out.append("</tbody></table>")
        if cmp.resolved:
            out.append("<h3>Resolved</h3><table><thead><tr><th>severity</th><th>rule</th><th>location</th>"
                       "<th>finding</th></tr></thead><tbody>")
            for e in cmp.resolved:
                loc = f"{e.get('path')}:{e.get('line')}" if e.get("path") and e.get("line") else (e.get("path") or "(site)")
                out.append(f"<tr><td>{_sev(str(e.get('severity') or 'info'))}</td><td>{escape(str(e.get('code')))}</td>"
                           f'<td class="loc">{escape(str(loc))}</td><td>{_inline(str(e.get("message") or ""))}</td></tr>')
            out.append("</tbody></table>")
        out.append("</section>")

    out.append('<section id="findings"><h2>Findings by severity and risk</h2>')
    if not data.ranked:
        out.append("<p>No problems found.</p>")
    else:
        for r in data.ranked:
            rule = data.rules.get(r.code)
            src = f'<pre class="src">{r.line:>5} | {escape(r.source)}</pre>' if r.source else ""
            summary = (f'<div class="muted">{_inline(rule.summary())} '
                       f'<a href="#rule-{escape(r.code)}">documentation</a></div>') if rule else ""
            new = ' <span class="badge">new</span>' if r.new else ""
            host = f' <span class="muted">on {escape(r.host)}</span>' if r.host else ""
            out.append(f'<article class="finding {escape(r.severity)}" id="f{r.rank}" '
                       f'data-host="{escape(r.host or CLUSTER_WIDE)}"><div class="fhead">'
                       f'<span class="rank">{r.rank}</span> {_sev(r.severity)} '
                       f'<a href="#rule-{escape(r.code)}"><b>{escape(r.code)}</b></a> '
                       f'<span class="muted">{escape(r.name)}</span> <span class="risk">risk: {escape(r.risk.name)}</span>'
                       f'{new}<br><span class="loc">{escape(r.location)}</span>{host}</div>'
                       f'<p class="msg">{_inline(r.message)}</p>{src}{summary}{_remedy(r)}</article>')
    out.append("</section>")

    out.append('<section id="topology-section"><h2>Topology</h2>')
    out.append('<p class="muted">Hosts with their DRBD resources, the volume groups on them, the iSCSI targets '
               'exporting the LVs (and who may log in) and their corosync rings; dashed blue lines are DRBD '
               'replication links. Below, the cluster: its nodes (dotted lines up to the hosts they are), its '
               'resources with the nodes they run on or prefer (purple arrows; red dashes: avoids), order (arrows) '
               'and colocation (dashed) constraints. Boxes outlined in red or orange hold findings.</p>')
    out.append('<div class="scroll">' + topology_svg(data.topology, data.findings) + "</div>")
    topo = data.topology
    if topo.networks:
        out.append('<h3>Networks</h3><table class="networks"><thead><tr><th>network</th><th>used by</th></tr></thead><tbody>')
        for n in topo.networks:
            out.append(f'<tr><td class="loc">{escape(n.cidr)}</td><td>' + "<br>".join(escape(u) for u in n.uses) + "</td></tr>")
        out.append("</tbody></table>")
    services = [(c, r) for c in topo.clusters for r in c.resources if r.service_ips or r.initiators or r.placement]
    targets = [(h, t) for h in topo.hosts for t in h.targets]
    if services or targets:
        out.append('<h3>Services and access</h3><table class="services"><thead><tr><th>object</th>'
                   "<th>runs on / prefers</th><th>service IPs</th><th>allowed initiators</th></tr></thead><tbody>")
        for c, r in services:
            where = "<br>".join(f"{escape(p.relation)} {escape(p.node)} <span class=\"muted\">{escape(p.detail)}</span>"
                                for p in r.placement) or escape(r.placement_note)
            out.append(f"<tr><td>{escape(r.kind)} <code>{escape(r.id)}</code></td><td>{where}</td>"
                       f"<td>{'<br>'.join(escape(x) for x in r.service_ips)}</td>"
                       f"<td>{'<br>'.join(escape(x) for x in r.initiators)}</td></tr>")
        for h, t in targets:
            out.append(f"<tr><td>target <code>{escape(t.iqn)}</code> ({escape(t.stack)})</td><td>{escape(h.name)}</td>"
                       f"<td></td><td>{'<br>'.join(escape(x) for x in t.initiators)}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")

    if ev is not None:
        out.append('<section id="waivers"><h2>Waiver register</h2>')
        if ev.waivers:
            out.append('<p class="muted">Findings not counted above, with the reason recorded for each.</p>'
                       "<table><thead><tr><th>how</th><th>severity</th><th>rule</th><th>location</th><th>finding</th>"
                       "<th>reason</th></tr></thead><tbody>")
            for w in ev.waivers:
                loc = f"{w.path}:{w.line}" if w.path else "(site)"
                out.append(f"<tr><td>{escape(w.kind)}</td><td>{_sev(w.severity)}</td><td>{escape(w.code)}</td>"
                           f'<td class="loc">{escape(loc)}' + (f'<br><span class="muted">{escape(w.host)}</span>' if w.host else "")
                           + f"</td><td>{_inline(w.message)}</td><td>{escape(w.reason)}</td></tr>")
            out.append("</tbody></table>")
        else:
            out.append("<p>No finding was suppressed or baselined.</p>")
        out.append("</section>")
        out.append(_evidence_html(ev))

    if data.rules:
        out.append('<section id="rules"><h2>Rule documentation</h2>')
        for code, rule in data.rules.items():
            out.append(f'<article class="rule-doc" id="rule-{escape(code)}"><h3>{escape(code)} {escape(rule.name)} '
                       f'<span class="muted">({escape(rule.severity)}, pack {escape(rule.pack)}, fix: {escape(rule.fix)})'
                       f"</span></h3>")
            out.append(markdown_html(rule.doc()))
            out.append("</article>")
        out.append("</section>")
    out.append(SIGNOFF_HTML)
    out.append(f'</main><footer class="muted" style="padding:0 32px 24px">Generated by sanlint {escape(__version__)}. '
               "Secrets (shared secrets, CHAP and fence passwords) are redacted.</footer></body></html>")
    return "\n".join(out) + "\n"


SIGNOFF_HTML = """<section id="signoff"><h2>Sign-off</h2>
<p>I have reviewed the findings above, the remediation decided for each and the waivers recorded.</p>
<table class="signoff"><thead><tr><th>role</th><th>name</th><th>date</th><th>signature</th></tr></thead><tbody>
<tr><td>Audited by</td><td class="blank"></td><td class="blank"></td><td class="blank"></td></tr>
<tr><td>Reviewed by</td><td class="blank"></td><td class="blank"></td><td class="blank"></td></tr>
<tr><td>Accepted by (system owner)</td><td class="blank"></td><td class="blank"></td><td class="blank"></td></tr>
</tbody></table></section>"""


def _evidence_html(ev) -> str:
    out = ['<section id="evidence"><h2>Evidence</h2><dl class="facts">',
           f"<dt>run at (UTC)</dt><dd><time>{escape(ev.generated)}</time></dd>",
           f"<dt>sanlint</dt><dd>{escape(ev.sanlint)}</dd>",
           f'<dt>rule set</dt><dd>{ev.rules_run} rules, SHA-256 <code>{escape(ev.ruleset_hash)}</code></dd>',
           f"<dt>command</dt><dd><code>{escape(ev.command)}</code></dd>",
           f"<dt>cluster</dt><dd>{escape(', '.join(ev.cluster_names) or 'no cluster name configured')}</dd>",
           f"<dt>nodes</dt><dd>{escape(', '.join(ev.nodes) or '(none declared)')}</dd>",
           f"<dt>hosts read</dt><dd>{escape(', '.join(ev.hosts) or '(single host)')}</dd>",
           "</dl><h3>Versions assumed</h3><table><thead><tr><th>component</th><th>version</th><th>why</th></tr></thead><tbody>"]
    for v in ev.versions:
        out.append(f"<tr><td>{escape(v['component'])}</td><td>{escape(v['version'] or 'not determined')}</td>"
                   f"<td>{escape(v['reason'])}</td></tr>")
    out.append(f'</tbody></table><h3>Input files ({len(ev.inputs)})</h3><table class="inputs"><thead><tr><th>file</th>'
               "<th>host</th><th>format</th><th>size</th><th>modified (UTC)</th><th>SHA-256</th></tr></thead><tbody>")
    for f in ev.inputs:
        status = "" if f.status == "checked" else f'<br><span class="muted">{escape(f.status)}</span>'
        out.append(f'<tr class="input"><td class="loc">{escape(f.path)}{status}</td><td>{escape(f.host or "")}</td>'
                   f'<td>{escape(f.format or "")}</td><td>{"" if f.size is None else f.size}</td>'
                   f'<td>{escape(f.mtime or "")}</td><td class="hash">{escape(f.sha256 or "unreadable")}</td></tr>')
    out.append("</tbody></table></section>")
    return "".join(out)
