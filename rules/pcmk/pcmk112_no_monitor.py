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

from sanlint.edit.cib import attrs, editor_for
from sanlint.edit.ids import IdStore
from sanlint.edit.cluster import syntax
from sanlint.edit.crm import continuation_indent
from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.pcmk._common import agent_meta, duration_ms, role_name


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


def ed_ids(ed) -> IdStore:
    """The ids of the edited CIB (crmsh's scheme for the new op ids)."""
    return IdStore(e.get("id") for e in ed.root.iter() if isinstance(e.tag, str) and e.get("id"))


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
        if syntax(p.span) == "cib":
            found = editor_for(p.span)
            if found is None:
                return None
            ed, elem = found
            _, tag_end, _ = ed.range(elem)
            if p.span.file.data[tag_end - 2:tag_end] == b"/>":
                return None
            ops, ids = [], ed_ids(ed)
            for iv, to, role in mons:
                ops.append("<op" + attrs([("id", ids.new("op", p.id, "monitor", iv)), ("name", "monitor"),
                                          ("interval", iv), ("timeout", to),
                                          ("role", role_name(role, version) if role else None)]) + "/>")
            operations = elem.find("operations")
            if operations is not None:
                return Fix([ed.append_child(operations, ops)], "add a monitor operation", safe=False)
            lines = ["<operations>"] + [ed.unit + o for o in ops] + ["</operations>"]
            return Fix([ed.append_child(elem, lines)], "add a monitor operation", safe=False)
        ind = continuation_indent(p.span)
        text = "".join(f" \\\n{ind}op monitor interval={iv} timeout={to}" + (f" role={role_name(role, version)}" if role else "")
                       for iv, to, role in mons)
        return Fix([Edit.insert(p.span.file, p.span.end, text)], "add a monitor operation", safe=False)
