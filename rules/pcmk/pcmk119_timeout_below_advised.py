"""Short operation timeout: an operation's timeout is below what its agent advises.

## What it checks

Each operation of a primitive whose agent's meta-data ships with sanlint:
its timeout (the op's own, else `op_defaults timeout`, else Pacemaker's
20s default) must not be below the timeout the agent's meta-data advises
for that action (for monitors: the advised monitor of the same role).
Agents without meta-data (`lsb:`, `systemd:`) are skipped, and so are
fence devices' start/stop (handled by the fencer, as crmsh does).

A DRBD primitive (`ocf:linbit:drbd`) without a `start` or `stop` operation
is an error when the timeout it then gets (op_defaults, else 20s) is
below the agent's advised 240s start / 100s stop: a start that times out
sets the fail count to INFINITY on that node (`start-failure-is-fatal`),
a stop that times out gets the node fenced.

## Why it matters

A timeout shorter than the agent needs turns a slow but healthy action
into a failure: a DRBD promote that waits for the peer, an LVM-activate
monitor on a busy VG or a stop that flushes the page cache times out, and
Pacemaker recovers by restarting the resource or, for a failed stop, by
fencing the node.  `crm configure verify` warns "specified timeout ... is
smaller than the advised".

## Example

```crm path=@cluster.crm
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=30s
```

## Use instead

```crm path=@cluster.crm
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
```

## Fix safety

Safe: the fix raises the timeout to the advised value (adding `timeout=`
when the op had none); a longer timeout only delays the detection of a
hung action.

## Source

The agents' meta-data `<actions>` (shipped as `sanlint/data/agents/*.json`);
crmsh `ra.py` `sanity_check_ops` ("smaller than the advised"); Pacemaker
Explained, operation `timeout` (default 20s), `start-failure-is-fatal`,
`on-fail` (stop failures fence); drbd-utils `scripts/drbd.ocf` meta-data
(`<action name="start" timeout="240" />`, `stop` 100).
"""

from __future__ import annotations

from sanlint.edit.cib import set_attr
from sanlint.edit.cluster import syntax
from sanlint.model.cluster import Primitive
from sanlint.rule import Edit, Fix, Rule
from sanlint.views import DRBD_AGENTS
from sanlint_rules.pcmk._common import agent_meta, duration_ms, fmt_ms, norm_role

DEFAULT_TIMEOUT = "20s"


class TimeoutBelowAdvised(Rule):
    code = "PCMK119"
    name = "timeout-below-advised"
    severity = "warning"
    reads = ("cluster",)
    fix = "safe"

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            default = None
            for s in c.op_defaults:
                pair = s.get("timeout")
                if pair is not None and not s.has_rule:
                    default = pair.value
                    break
            for p in c.primitives():
                agent = c.agent_of(p)
                meta = agent_meta(agent)
                if meta is None:
                    continue
                seen: dict[tuple, int] = {}
                for op in p.ops:
                    key = (op.name, norm_role(op.role))
                    seen[key] = seen.get(key, 0) + 1
                    if agent.startswith("stonith:") and op.name in ("start", "stop"):
                        continue
                    adv = meta.action(op.name, op.role)
                    if adv is None or not adv.timeout:
                        continue
                    adv_ms = duration_ms(adv.timeout)
                    value = op.timeout or default or DEFAULT_TIMEOUT
                    got = duration_ms(value)
                    if adv_ms is None or got is None or got >= adv_ms:
                        continue
                    advised = adv.timeout if not adv.timeout.isdigit() else fmt_ms(adv_ms)
                    if op.timeout and op.timeout_span is not None:
                        fix = Fix([Edit.replace(op.timeout_span, advised)], f"raise the timeout to {advised}")
                    elif op.timeout is None:
                        fix = self._add_timeout(op, advised)
                    else:
                        fix = None
                    how = "timeout" if op.timeout else ("op_defaults timeout" if default else "default timeout")
                    role = f" ({norm_role(op.role)})" if op.role else ""
                    yield self.finding(
                        f"primitive {p.id}: {op.name}{role} {how} {value} is below the {advised} that {agent} advises: "
                        f"a slow but healthy {op.name} fails and triggers recovery",
                        op.timeout_span or op.span,
                        identity=f"resource {p.id} / op {op.name} {norm_role(op.role) or ''} #{seen[key]}",
                        fix=fix)
                if agent in DRBD_AGENTS and not p.operations_ref:
                    yield from self._missing(c, p, agent, meta, default)

    def _missing(self, c, p, agent, meta, default):
        """DRBD's start and stop without an op: Pacemaker gives them the
        op_defaults timeout or 20s, far below the 240s/100s the agent needs
        to attach, connect and wait for its peer, or to demote and detach."""
        ops = list(p.ops)
        tpl = c.resources.get(p.template or "")
        if isinstance(tpl, Primitive):
            ops += tpl.ops
        for action in ("start", "stop"):
            if any(op.name == action for op in ops):
                continue
            adv = meta.action(action)
            adv_ms = duration_ms(adv.timeout) if adv is not None and adv.timeout else None
            value = default or DEFAULT_TIMEOUT
            got = duration_ms(value)
            if adv_ms is None or got is None or got >= adv_ms:
                continue
            advised = fmt_ms(adv_ms)
            fix = None
            if syntax(p.span) == "crm":
                fix = Fix([Edit.insert(p.span.file, p.span.end, f" op {action} timeout={advised} interval=0s")],
                          f"add op {action} timeout={advised}")
            how = "op_defaults timeout" if default else "default timeout"
            yield self.finding(
                f"primitive {p.id} ({agent}) has no {action} operation, so its {action} gets the {how} {value}, "
                f"below the {advised} the agent advises: "
                + ("a start that waits for the peer fails and the node is barred from running DRBD"
                   if action == "start" else "a stop that times out gets the node fenced"),
                p.agent_span or p.id_span or p.span, identity=f"resource {p.id} / op {action} missing",
                fix=fix, severity="error")

    @staticmethod
    def _add_timeout(op, advised):
        if syntax(op.span) == "cib":
            e = set_attr(op.span, "timeout", advised, after="interval")
            return Fix([e], f"set timeout={advised}") if e else None
        return Fix([Edit.insert(op.span.file, op.span.end, f" timeout={advised}")], f"set timeout={advised}")
