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


def _sev(sev: str) -> str:
    return f'<span class="sev {escape(sev)}">{escape(sev)}</span>'


def _host_id(host: str) -> str:
    return "host-" + re.sub(r"[^A-Za-z0-9_-]", "-", host)


def render(data: ReportData, title: str = "sanlint audit report") -> str:
    s = data.summary
    total = sum(data.by_severity.values())
    versions = ", ".join(f"{k} {v}" for k, v in data.versions.items() if v) or "not determined"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f'<meta name="generator" content="sanlint {escape(__version__)}">',
        f"<style>{CSS}</style></head><body>",
        f'<header><h1>{escape(title)}</h1><div class="sub">sanlint {escape(__version__)} &middot; '
        f'{s.get("files", 0)} files on {s.get("hosts", 0)} hosts &middot; versions: {escape(versions)}</div></header>',
        "<main>",
        '<section id="summary"><h2>Summary</h2><div class="cards">',
        f'<div class="card total"><div class="n">{total}</div>findings</div>',
    ]
    for sev in SEVERITY_ORDER:
        out.append(f'<div class="card {sev}"><div class="n">{data.by_severity.get(sev, 0)}</div>{sev}</div>')
    out.append(f'<div class="card"><div class="n">{s.get("files", 0)}</div>files</div>')
    out.append(f'<div class="card"><div class="n">{s.get("hosts", 0)}</div>hosts</div></div>')
    if data.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in data.notes) + "</ul>")
    out.append("</section>")

    out.append('<section id="charts"><h2>Findings</h2><div class="charts">')
    out.append(severity_chart(data))
    out.append(pack_chart(data))
    out.append('</div><div class="legend">' + "".join(
        f'<span><i style="background:{COLOURS[s_]}"></i>{s_}</span>' for s_ in SEVERITY_ORDER) + "</div></section>")

    out.append('<section id="topology-section"><h2>Topology</h2>')
    out.append('<p class="muted">Hosts with their DRBD resources, the volume groups on them and the iSCSI '
               'targets exporting the LVs; dashed blue lines are DRBD replication links; below, the cluster\'s '
               'resources with order (arrows) and colocation (dashed) constraints. Boxes outlined in red or orange '
               'hold findings.</p>')
    out.append('<div class="scroll">' + topology_svg(data.topology, data.findings) + "</div></section>")

    out.append('<section id="findings"><h2>Findings by host</h2>')
    if not data.rows_by_host:
        out.append("<p>No problems found.</p>")
    if len(data.rows_by_host) > 1:
        out.append("<p>" + " &middot; ".join(
            f'<a href="#{_host_id(h)}">{escape(h)} ({len(rows)})</a>' for h, rows in data.rows_by_host.items()) + "</p>")
    for host, rows in data.rows_by_host.items():
        label = "Cluster-wide files" if host == CLUSTER_WIDE else f"Host {host}"
        out.append(f'<h3 id="{_host_id(host)}">{escape(label)} <span class="muted">({len(rows)})</span></h3>')
        out.append(f'<table class="findings" data-host="{escape(host)}"><thead><tr><th>severity</th><th>rule</th>'
                   "<th>location</th><th>finding</th></tr></thead><tbody>")
        for r in rows:
            rule = data.rules.get(r.code)
            loc = f"{r.path}:{r.line}:{r.column}" if r.path else "(site)"
            fix = f'<span class="fix">{FIX_LABEL.get(r.fix, "fix")}</span>' if r.fix else ""
            src = f'<pre class="src">{r.line:>5} | {escape(r.source)}</pre>' if r.source else ""
            summary = (f'<div class="muted">{_inline(rule.summary())} '
                       f'<a href="#rule-{escape(r.code)}">documentation</a></div>') if rule else ""
            out.append(f'<tr class="finding {escape(r.severity)}"><td>{_sev(r.severity)}</td>'
                       f'<td><a href="#rule-{escape(r.code)}"><b>{escape(r.code)}</b></a><br>'
                       f'<span class="muted">{escape(r.name)}</span></td>'
                       f'<td class="loc">{escape(loc)}</td>'
                       f"<td>{_inline(r.message)}{fix}{src}{summary}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")

    if data.rules:
        out.append('<section id="rules"><h2>Rule documentation</h2>')
        for code, rule in data.rules.items():
            out.append(f'<article class="rule-doc" id="rule-{escape(code)}"><h3>{escape(code)} {escape(rule.name)} '
                       f'<span class="muted">({escape(rule.severity)}, pack {escape(rule.pack)}, fix: {escape(rule.fix)})'
                       f"</span></h3>")
            out.append(markdown_html(rule.doc()))
            out.append("</article>")
        out.append("</section>")
    if data.files:
        out.append('<section id="files"><h2>Files read</h2><details><summary>'
                   f"{len(data.files)} files</summary><ul>" +
                   "".join(f"<li><code>{escape(f)}</code></li>" for f in data.files) + "</ul></details></section>")
    out.append(f'</main><footer class="muted" style="padding:0 32px 24px">Generated by sanlint {escape(__version__)}. '
               "Secrets (shared secrets, CHAP and fence passwords) are redacted.</footer></body></html>")
    return "\n".join(out) + "\n"
