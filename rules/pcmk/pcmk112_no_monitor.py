"""No monitor: a primitive has no monitor operation.

## What it checks

A primitive (including fence devices) without any `op monitor` with a
non-zero interval, and no template providing one.

## Why it matters

Without a recurring monitor Pacemaker only learns about a failure when it
next starts or stops the resource: a crashed iSCSI target, a vanished
service IP or a DRBD resource that lost its disk stays "Started" in
`crm_mon` while initiators get I/O errors, and no failover happens.

## Example

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 cidr_netmask=24
```

## Use instead

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 cidr_netmask=24 op monitor interval=10s timeout=20s
```

## Fix safety

Unsafe (monitor failures trigger recovery): the fix adds the monitor
operation(s) the agent's meta-data advises (interval, timeout and, for
promotable agents such as ocf:linbit:drbd, one per role), or
`interval=30s timeout=20s` for agents without meta-data.

## Source

Pacemaker Explained, "Monitoring Resources for Failure"; the agents'
meta-data `<actions>` (advised monitor interval and timeout).
"""

from __future__ import annotations

from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.pcmk._common import (agent_meta, continuation_indent, duration_ms, fmt, indent_of,
                                        role_name)


def advised_monitors(agent: str) -> list[tuple[str, str, str | None]]:
    meta = agent_meta(agent)
    out = []
    if meta:
        for a in meta.actions:
            if a.name == "monitor":
                out.append((a.interval or "30s", a.timeout or "20s", a.role))
    if not out or agent.startswith("stonith:"):
        out = [("60s" if agent.startswith("stonith:") else "30s", "20s", None)]
    return out


class NoMonitor(Rule):
    code = "PCMK112"
    name = "no-monitor"
    severity = "warning"
    reads = ("cluster",)
    fix = "unsafe"

    def check(self, ctx):
        version = ctx.site.pacemaker_version
        for c in ctx.site.all_clusters():
            proms = {cl.child for cl in c.clones() if cl.promotable}
            for p in c.primitives():
                if any(o.name == "monitor" and (duration_ms(o.interval) or 0) > 0 for o in p.ops):
                    continue
                if p.template:
                    tpl = c.resources.get(p.template)
                    if tpl is not None and any(o.name == "monitor" for o in getattr(tpl, "ops", [])):
                        continue
                if p.operations_ref:
                    continue
                agent = c.agent_of(p)
                mons = advised_monitors(agent)
                if p.id not in proms:
                    mons = [m for m in mons if m[2] is None] or [(mons[0][0], mons[0][1], None)]
                yield self.finding(
                    f"primitive {p.id} ({agent}) has no monitor operation: Pacemaker will not notice when it fails, "
                    f"and no failover happens",
                    p.id_span or p.span, identity=f"resource {p.id} / monitor", fix=self._fix(p, mons, version))

    @staticmethod
    def _fix(p, mons, version):
        if fmt(p.span) == "cib":
            from sanlint_rules.pcmk._common import cib_element_end, cib_start_tag
            data = p.span.file.data
            tag = cib_start_tag(p.span)
            end = cib_element_end(p.span)
            if tag is None or end is None or data[tag[1] - 2:tag[1]] == b"/>":
                return None
            ind = indent_of(data, tag[0])
            body = data[tag[1]:end]
            ops = []
            for iv, to, role in mons:
                r = f' role="{role_name(role, version)}"' if role else ""
                ops.append(f'<op id="{p.id}-monitor-{iv}" name="monitor" interval="{iv}" timeout="{to}"{r}/>')
            close = body.rfind(b"</operations>")
            if close >= 0:
                pos = tag[1] + close
                text = "".join(f"  {o}\n{ind}  " for o in ops)
                return Fix([Edit.insert(p.span.file, pos, text)], "add a monitor operation", safe=False)
            if body.find(b"<operations") >= 0:
                return None
            endtag = tag[1] + body.rfind(b"</")
            text = "  <operations>\n" + "".join(f"{ind}    {o}\n" for o in ops) + f"{ind}  </operations>\n{ind}"
            return Fix([Edit.insert(p.span.file, endtag, text)], "add a monitor operation", safe=False)
        ind = continuation_indent(p.span)
        text = "".join(f" \\\n{ind}op monitor interval={iv} timeout={to}" + (f" role={role_name(role, version)}" if role else "")
                       for iv, to, role in mons)
        return Fix([Edit.insert(p.span.file, p.span.end, text)], "add a monitor operation", safe=False)
