"""The audit report as Markdown for a pull-request comment (GitHub-flavoured:
tables, `<details>`): the executive summary and the top findings with their
remediation in full, everything else in collapsible sections.

A comment holds 65,536 characters, so the document is built against that
budget: the summary, the evidence facts and the sign-off always; then, in
order of importance, the top findings, what is new since the compared
audit, the other findings (worst first), the waivers, what was resolved,
the topology, the input files and the rules that fired, each as far as it
fits.  What did not fit is counted in the document ("12 findings not
shown"), and the JSON sidecar always has everything.  Site-derived text is
escaped (table pipes, HTML) and scrubbed of secrets."""

from __future__ import annotations

import re

from sanlint import __version__
from sanlint.report import SEVERITY_ORDER, ReportData
from sanlint.report.remediation import LABELS

LIMIT = 65_536  # characters in a GitHub pull-request comment; the document stays below
TOP_FINDINGS = 10
MAX_ITEM = 6_000  # no single finding, diff or row may take more than this
MAX_DIFF_LINES = 40

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


def _cap(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def _diff_block(diff: str) -> str:
    lines = diff.splitlines()
    cut = len(lines) - MAX_DIFF_LINES
    if cut > 0:
        lines = lines[:MAX_DIFF_LINES] + [f"# ... {cut} more diff lines (see the HTML report or the JSON sidecar)"]
    body = "\n".join(lines)
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}diff\n{body}\n{fence}"


def _remedy_md(r) -> str:
    m = r.remedy
    if m is None:
        return ""
    label = LABELS[m.kind]
    out = f"**{label}:** {text(m.text)}"
    if m.command:
        out += f" {code(m.command)}"
    if m.diff:
        out += "\n\n" + _diff_block(m.diff)
    return out


def _finding_md(r) -> str:
    new = " **new**" if r.new else ""
    where = code(r.location) + (f" on {text(r.host)}" if r.host else "")
    out = (f"#### {r.rank}. {r.severity} · {r.code} {text(r.name)}{new}\n\n"
           f"{text(r.message)}\n\n{where} · risk: {text(r.risk.label)}\n\n{_remedy_md(r)}\n")
    return _cap(out, MAX_ITEM) if len(out) <= MAX_ITEM else _finding_short(r) + "\n"


def _finding_short(r) -> str:
    """A finding as one paragraph, without its diff."""
    m = r.remedy
    return (f"#### {r.rank}. {r.severity} · {r.code} {text(r.name)}\n\n{text(_cap(r.message, 1500))}\n\n"
            f"{code(r.location)} · remediation: {text(_cap(m.text, 1500)) if m else ''} (diff in the HTML report)")


def _row(r) -> str:
    new = " **new**" if r.new else ""
    fix = f" *[{FIX_LABEL.get(r.fix, 'fix')}]*" if r.fix else ""
    host = f" ({text(r.host)})" if r.host else ""
    return _cap(f"| {r.rank} | **{r.severity}** | {r.code} {text(r.name)} | {code(r.location)}{host} | "
                f"{text(r.message)}{fix}{new} |", MAX_ITEM)


TABLE_HEAD = "| # | severity | rule | location | finding |\n|---:|---|---|---|---|"


class Block:
    """A part of the document: always-shown text, or a head, items (as many
    as the budget allows, in order) and a foot, with the noun counted when
    items are left out."""

    def __init__(self, head: str = "", items: list[str] | None = None, foot: str = "", noun: str = "",
                 priority: int = 0, sep: str = "\n") -> None:
        self.head, self.items, self.foot, self.noun, self.priority, self.sep = head, items or [], foot, noun, priority, sep
        self.shown = 0 if items else -1  # -1: a fixed block

    def render(self) -> str:
        if self.shown < 0:
            return self.head
        left = len(self.items) - self.shown
        note = f"\n\n*{left} {self.noun} not shown here (the JSON sidecar lists them all).*\n" if left else ""
        if self.shown == 0:
            return note.strip("\n") + "\n" if left else ""
        return self.head + self.sep.join(self.items[: self.shown]) + self.foot + note

    def left_out(self) -> int:
        return len(self.items) - self.shown if self.shown >= 0 else 0


def _details(summary: str, inner_head: str = "") -> tuple[str, str]:
    return f"<details><summary>{summary}</summary>\n\n{inner_head}", "\n\n</details>\n"


def render(data: ReportData, title: str = "sanlint audit report") -> str:
    s = data.summary
    ev = data.evidence
    cmp = data.comparison
    total = sum(data.by_severity.values())
    blocks: list[Block] = []

    # -- always shown: header, executive summary ----------------------------------------
    site = ("cluster " + ", ".join(code(n) for n in ev.cluster_names[:5])) if ev and ev.cluster_names \
        else "cluster (no name configured)"
    nodes = ", ".join(code(n) for n in (ev.nodes[:12] if ev else [])) + (" …" if ev and len(ev.nodes) > 12 else "")
    top = [f"# {text(_cap(title, 200))}", "",
           f"{site}" + (f" · nodes {nodes}" if nodes else "")
           + (f" · generated {ev.generated}" if ev else "") + f" · sanlint {__version__}"
           + f" · {s.get('files', 0)} files on {s.get('hosts', 0)} hosts", "", "## Executive summary", ""]
    cols = [*SEVERITY_ORDER, "total"] + (["new", "resolved"] if cmp else [])
    vals = [str(data.by_severity.get(x, 0)) for x in SEVERITY_ORDER] + [f"**{total}**"] \
        + ([str(len(cmp.new)), str(len(cmp.resolved))] if cmp else [])
    top += ["| " + " | ".join(cols) + " |", "|" + "---:|" * len(cols), "| " + " | ".join(vals) + " |", ""]
    if cmp:
        top += [f"Compared with {code(cmp.previous)} ({cmp.previous_kind}"
                + (f", generated {cmp.previous_generated}" if cmp.previous_generated else "")
                + f"): {len(cmp.new)} new, {len(cmp.resolved)} resolved, {cmp.unchanged} unchanged.", ""]
    if data.ranked:
        top += ["**Top risks**", ""]
        for k, g in enumerate(data.top, 1):
            r = g[0]
            hosts = sorted({x.host for x in g if x.host})
            where = f"on {', '.join(hosts)}" if hosts else "in the cluster configuration"
            n = f"{len(g)} findings {where}" if len(g) > 1 else where
            remedy = {"safe": "sanlint can fix it (`sanlint check --fix`).",
                      "unsafe": "sanlint offers a fix that changes behaviour; review it (`--unsafe-fixes`).",
                      "choice": "The fix needs your decision.",
                      "manual": _cap(r.remedy.text, 400) if r.remedy else ""}[r.remedy.kind if r.remedy else "manual"]
            top.append(_cap(f"{k}. **{text(r.title or r.code)}** ({r.code}, {r.severity}; {text(n)}; risk: "
                            f"{text(r.risk.label)}). {text(_cap(r.message, 600))}. {text(remedy)}", 1800))
        top.append("")
    else:
        top += ["No problems found.", ""]
    for v in (ev.versions if ev else []):
        top.append(f"- {v['component']} {text(v['version'] or 'not determined')}: {text(_cap(v['reason'], 300))}")
    top.append("")
    blocks.append(Block("\n".join(top)))

    ranked = data.ranked
    first, rest = ranked[:TOP_FINDINGS], ranked[TOP_FINDINGS:]
    if first:
        blocks.append(Block("## Top findings\n\n", [_finding_md(r) for r in first], "\n", "of the top findings",
                            priority=1))
    if cmp and cmp.new:
        h, f = _details(f"New since the last audit ({len(cmp.new)})", TABLE_HEAD + "\n")
        blocks.append(Block("## Changes since the last audit\n\n" + h, [_row(r) for r in cmp.new], f,
                            "new findings", priority=2))
    if rest:
        for sev in SEVERITY_ORDER:
            rows = [r for r in rest if r.severity == sev]
            if rows:
                h, f = _details(f"{len(rows)} more {sev} finding{'s' if len(rows) != 1 else ''}", TABLE_HEAD + "\n")
                blocks.append(Block(("## Other findings\n\n" if sev == rest[0].severity else "") + h,
                                    [_row(r) for r in rows], f, f"{sev} findings", priority=3))
    if cmp and cmp.resolved:
        h, f = _details(f"Resolved since the last audit ({len(cmp.resolved)})",
                        "| severity | rule | location | finding |\n|---|---|---|---|\n")
        items = [_cap(f"| {text(str(e.get('severity')))} | {text(str(e.get('code')))} | "
                      f"{code(str(e.get('path') or '(site)'))} | {text(str(e.get('message') or ''))} |", MAX_ITEM)
                 for e in cmp.resolved]
        blocks.append(Block(("" if cmp.new else "## Changes since the last audit\n\n") + h, items, f,
                            "resolved findings", priority=5))
    if ev is not None:
        if ev.waivers:
            h, f = _details(f"Waiver register ({len(ev.waivers)} suppressed or baselined)",
                            "| how | rule | location | finding | reason |\n|---|---|---|---|---|\n")
            items = [_cap(f"| {w.kind} | {w.code} ({w.severity}) | {code(f'{w.path}:{w.line}' if w.path else '(site)')} | "
                          f"{text(w.message)} | {text(w.reason)} |", MAX_ITEM) for w in ev.waivers]
            blocks.append(Block("## Waivers\n\n" + h, items, f, "waivers", priority=4))
        else:
            blocks.append(Block("## Waivers\n\nNo finding was suppressed or baselined.\n"))
    topo_items = _topology_items(data)
    if topo_items:
        h, f = _details("Hosts, cluster resources and networks")
        blocks.append(Block("## Topology\n\n" + h, topo_items, f, "topology entries", priority=6))
    if ev is not None:
        facts = ["## Evidence", "",
                 f"- run at (UTC): {ev.generated}",
                 f"- sanlint {ev.sanlint}; rule set of {ev.rules_run} rules, SHA-256 {code(ev.ruleset_hash)}",
                 f"- command: {code(_cap(ev.command, 1000))}",
                 f"- cluster: {text(', '.join(ev.cluster_names[:10]) or 'no cluster name configured')}; "
                 f"nodes: {text(_cap(', '.join(ev.nodes) or '(none declared)', 1000))}",
                 f"- {len(ev.inputs)} input files", ""]
        blocks.append(Block("\n".join(facts)))
        h, f = _details(f"Input files ({len(ev.inputs)}) with SHA-256, size and modification time",
                        "| file | host | size | modified (UTC) | SHA-256 |\n|---|---|---:|---|---|\n")
        items = [_cap(f"| {code(x.path)}{'' if x.status == 'checked' else ' ' + text(x.status)} | "
                      f"{text(x.host or '')} | {'' if x.size is None else x.size} | {x.mtime or ''} | "
                      f"{code(x.sha256) if x.sha256 else 'unreadable'} |", MAX_ITEM) for x in ev.inputs]
        blocks.append(Block(h, items, f, "input files", priority=7))
    if data.rules:
        h, f = _details(f"Rules that fired ({len(data.rules)}); `sanlint explain CODE` prints each page",
                        "| rule | summary |\n|---|---|\n")
        items = [_cap(f"| {c} {text(r.name)} | {text(r.summary())} |", 1000) for c, r in data.rules.items()]
        blocks.append(Block(h, items, f, "rule summaries", priority=8))
    blocks.append(Block(SIGNOFF_MD))

    _fit(blocks)
    while True:
        doc = "\n".join(b.render() for b in blocks if b.render())
        omitted = sum(b.left_out() for b in blocks)
        tail = ("\n---\n" + (f"*{omitted} entries were left out to keep this comment under {LIMIT:,} characters; "
                             "the HTML report and the JSON sidecar have everything.* " if omitted else "")
                + "*Secrets (shared secrets, CHAP and fence passwords) are redacted.*\n")
        shrinkable = [b for b in blocks if b.shown > 0]
        if len(doc) + len(tail) < LIMIT or not shrinkable:
            return doc + tail
        # the estimate was short (never seen): give up the least important item shown
        max(shrinkable, key=lambda b: b.priority).shown -= 1


SIGNOFF_MD = """## Sign-off

I have reviewed the findings above, the remediation decided for each and the waivers recorded.

| role | name | date | signature |
|---|---|---|---|
| Audited by | | | |
| Reviewed by | | | |
| Accepted by (system owner) | | | |
"""

RESERVE = 600  # the closing line and the "not shown" notes' share


def _fit(blocks: list[Block]) -> None:
    """Decide how many items of each block are shown: fixed blocks always,
    then items by block priority while the document stays under LIMIT."""
    size = sum(len(b.head) + 1 for b in blocks if b.shown < 0) + RESERVE
    for b in blocks:
        if b.shown >= 0:
            size += 120  # its "not shown" note, if it gets one
    for b in sorted((b for b in blocks if b.shown >= 0), key=lambda b: b.priority):
        cost = len(b.head) + len(b.foot) + 1
        if size + cost >= LIMIT:
            continue
        n = 0
        for item in b.items:
            if size + cost + len(item) + len(b.sep) >= LIMIT:
                break
            cost += len(item) + len(b.sep)
            n += 1
        if n:
            b.shown = n
            size += cost


def _topology_items(data: ReportData) -> list[str]:
    topo = data.topology
    out = []
    for h in topo.hosts:
        lines = [f"- **host {text(h.name)}**"]
        for d in h.drbd:
            bits = []
            if d.devices:
                bits.append("device " + ", ".join(code(x) for x in d.devices))
            if d.disks:
                bits.append("disk " + ", ".join(code(x) for x in d.disks))
            if d.address:
                bits.append("address " + code(d.address))
            lines.append(f"  - DRBD resource {code(d.name)}" + (": " + "; ".join(bits) if bits else ""))
            for p in d.peers:
                lines.append(f"    - peer {code(p.host)}" + (f" at {code(p.address)}" if p.address else ""))
        for v in h.vgs:
            where = f" on DRBD {', '.join(code(r) for r in v.on_drbd)}" if v.on_drbd else ""
            lines.append(f"  - volume group {code(v.name)}{where}"
                         + (": PV " + ", ".join(code(p) for p in v.pvs) if v.pvs else "")
                         + ("; LV " + ", ".join(code(x) for x in v.lvs) if v.lvs else ""))
        for t in h.targets:
            lines.append(f"  - iSCSI target ({text(t.stack)}) {code(t.iqn)}; initiators: "
                         + (", ".join(code(x) for x in t.initiators) or "none"))
            for num, path in t.luns:
                lines.append(f"    - LUN {text(num)}: {code(path)}")
        for ring, addr in h.rings:
            lines.append(f"  - corosync {text(ring)}: {code(addr)}")
        if len(lines) == 1:
            lines.append("  - no DRBD, LVM or iSCSI configuration")
        out.append(_cap("\n".join(lines), MAX_ITEM))
    for c in topo.clusters:
        label = f"Pacemaker cluster {code(c.name)}" if c.name else "Pacemaker cluster"
        lines = [f"- **{label}** ({code(c.source)}); nodes: " + ", ".join(code(n) for n in c.nodes)]
        for r in c.resources:
            lines.append(f"  - {text(r.kind)} {code(r.id)}" + (f" ({code(r.agent)})" if r.agent else ""))
            for mid, agent in r.members:
                lines.append(f"    - {code(mid)} ({code(agent)})")
            for p in r.placement:
                lines.append(f"    - {text(p.relation)} {code(p.node)} {text(p.detail)}")
            if r.placement_note:
                lines.append(f"    - {text(r.placement_note)}")
            for ip in r.service_ips:
                lines.append(f"    - service IP {code(ip)}")
            if r.initiators:
                lines.append("    - allowed initiators: " + ", ".join(code(x) for x in r.initiators))
        for e in c.constraints:
            lines.append(f"  - {code(e.text)}")
        out.append(_cap("\n".join(lines), MAX_ITEM))
    for n in topo.networks:
        out.append(_cap(f"- network {code(n.cidr)}: " + "; ".join(text(u) for u in n.uses), MAX_ITEM))
    return out
