"""Fence device with `action` set, or `method=cycle`: the warnings `pcs status` prints.

## What it checks

A fence device (a `stonith:` primitive) whose parameters set `action`,
or set `method=cycle` on an agent whose default is not already cycle
(`fence_sbd` and `fence_heuristics_ping` cycle by design), as pcs's
`get_misconfigured_resources` decides.

## Why it matters

`action` is a deprecated alias that changes meaning across releases.
Pacemaker 1.1.17 to 2.x map it, with a log warning that it "should never
be specified in configuration": `action=off` becomes
`pcmk_reboot_action=off` (every reboot request powers the node off, and
it never comes back by itself), `action=reboot` is ignored, any other
value replaces both off and reboot.  Pacemaker 3.0 ignores it altogether,
so the same configuration silently starts rebooting nodes it used to
power off.  `pcmk_reboot_action` / `pcmk_off_action` say the same thing
in a way every release reads alike.
`method=cycle` sends one "power cycle" command instead of off, confirm
off, on: the agent cannot confirm the node was ever off, and a BMC that
acknowledges a cycle it does not perform leaves the node running while
the cluster takes over its DRBD Primary and iSCSI target (pcs: "which is
potentially dangerous, please consider using 'onoff'").

## Example

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.9.1 username=admin password=secret pcmk_host_list=san-1 action=off op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.9.2 username=admin password=secret pcmk_host_list=san-2 method=cycle op monitor interval=60s
property stonith-enabled=true
```

## Use instead

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.9.1 username=admin password=secret pcmk_host_list=san-1 pcmk_reboot_action=off op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.9.2 username=admin password=secret pcmk_host_list=san-2 op monitor interval=60s
property stonith-enabled=true
```

## Fix safety

Unsafe fixes.  `action` is rewritten to what Pacemaker 2.x made of it:
`action=off` becomes `pcmk_reboot_action=off`, `action=reboot` is
removed (2.x ignores it), another value becomes `pcmk_off_action` and
`pcmk_reboot_action` (crm syntax only; in a CIB that needs two nvpairs and
is left to the admin).  Behaviour under 2.x stays the same; under 3.0 it
keeps what the admin meant.  `method=cycle` is removed, so the agent uses
its default `onoff` (powered off, confirmed off, then on).

## Source

pcs `pcs/lib/cib/resource/stonith.py` (`get_misconfigured_resources`,
`RESOURCE_TYPES_WITH_DEFAULT_CYCLE_METHOD`), `pcs/lib/commands/status.py`
(`_stonith_warnings`: "it is recommended to set pcmk_off_action,
pcmk_reboot_action instead"), `pcs/lib/cib/resource/primitive.py`
(`_validate_stonith_action`: pcs refuses `action` without --force);
Pacemaker `daemons/fenced/fenced_commands.c` before 3.0
(`xml2device_params`, `map_action`) and commit 48d539e846 ("Drop support
for "action" fencing param", Pacemaker 3.0.0);
Pacemaker Explained, `pcmk_reboot_action` / `pcmk_off_action`;
fence-agents `lib/fencing.py` (`method`: onoff / cycle).
"""

from __future__ import annotations

from sanlint.rule import Edit, Fix, Rule
from sanlint.edit.cib import set_attr
from sanlint.edit.cluster import delete_pair, syntax

DEFAULT_CYCLE = ("stonith:fence_sbd", "stonith:fence_heuristics_ping")


class FenceDeviceActionOrCycle(Rule):
    code = "PCMK123"
    name = "fence-device-action-or-cycle"
    severity = "warning"
    reads = ("cluster",)
    fix = "unsafe"

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            for d in c.primitives():
                agent = c.agent_of(d)
                if not agent.startswith("stonith:"):
                    continue
                action = d.param("action")
                if action is not None and action.value:
                    v = action.value.strip()
                    meaning = {"off": "Pacemaker 2.x turns every reboot into off",
                               "reboot": "Pacemaker 2.x ignores it"}.get(v, f"Pacemaker 2.x runs {v} for off and reboot")
                    fix = _action_fix(d, action, v)
                    yield self.finding(
                        f"fence device {d.id} sets action={v}: {meaning}, Pacemaker 3.0 ignores it; say it with "
                        f"pcmk_reboot_action / pcmk_off_action instead",
                        action.span, identity=f"fence device {d.id} / action",
                        fix=Fix(fix, "rewrite action as Pacemaker 2.x reads it", safe=False) if fix else None)
                method = d.param("method")
                if method is not None and (method.value or "").strip() == "cycle" and agent not in DEFAULT_CYCLE:
                    edit = delete_pair(method)
                    yield self.finding(
                        f"fence device {d.id} uses method=cycle: one power-cycle command the agent cannot confirm "
                        f"(the node is never seen off); use the default onoff",
                        method.span, identity=f"fence device {d.id} / method",
                        fix=Fix([edit], "remove method=cycle (the agent's default onoff)", safe=False) if edit else None)


def _action_fix(device, pair, value: str) -> list | None:
    """Edits giving `action=VALUE` the meaning Pacemaker 2.x gave it."""
    if value == "reboot":
        edit = delete_pair(pair)
        return [edit] if edit else None
    taken = {n for s in device.params for n in (p.name for p in s.pairs)}
    names = ["pcmk_reboot_action"] if value == "off" else ["pcmk_off_action", "pcmk_reboot_action"]
    if any(n in taken for n in names):
        return None  # 2.x then ignored action for that mapping: leave the choice to the admin
    if syntax(pair.span) == "cib":
        if len(names) > 1:
            return None
        edit = set_attr(pair.span, "name", names[0])
        return [edit] if edit else None
    return [Edit.replace(pair.span, " ".join(f"{n}={value}" for n in names))]
