"""Fencing timeout too short for the fence device: the agent's own delay and time limits, or SBD's msgwait, do not fit.

## What it checks

For every fence device, the time the fencer gives one action
(`pcmk_reboot_timeout` / `pcmk_off_timeout` of the device for the
cluster's `stonith-action`, else `stonith-timeout`, default 60s) against
the time the device may legitimately need:

* the fence agent's own `delay` parameter (the agent sleeps inside the
  action, so the sleep counts against the timeout);
* for `fence_sbd` / `external/sbd`: SBD's `msgwait` (from `sbd dump`
  output collected from a host, else estimated as 2 ×
  `SBD_WATCHDOG_TIMEOUT`), since the agent reports success only after
  msgwait has passed;
* for power fence agents: `login_timeout` + `power_timeout` (twice for a
  reboot done as off + on) + `power_wait`, the limits within which the
  agent still waits for the power state to change;
* under Pacemaker 1.1/2.0, a `pcmk_delay_base` without `pcmk_delay_max`
  (Pacemaker adds `pcmk_delay_max` to the timeout since 1.1.13 and
  `pcmk_delay_base` only since 2.1.6; sanlint's "2.1" does not tell
  2.1.0-2.1.5 apart and is taken as 2.1.6 or later).

## Why it matters

When the timeout runs out first, the fencer kills the agent and reports
the fencing as failed, even though the node may be about to power off or
read the poison pill.  Pacemaker retries and eventually blocks every
resource of the lost node: the DRBD Primary and the iSCSI target stay
down.  With SBD a timeout below msgwait can never succeed ("this will
create a fencing loop", sbd(8)).

## Example

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.9.1 username=admin password=secret pcmk_host_list=san-1 delay=15 op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.9.2 username=admin password=secret pcmk_host_list=san-2 op monitor interval=60s
property stonith-enabled=true stonith-timeout=30s
```

## Use instead

```crm path=@cluster.crm
node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.9.1 username=admin password=secret pcmk_host_list=san-1 delay=15 op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.9.2 username=admin password=secret pcmk_host_list=san-2 op monitor interval=60s
property stonith-enabled=true stonith-timeout=90s
```

## Fix safety

No automatic fix: raising `stonith-timeout` (or the device's
`pcmk_reboot_timeout`) lengthens every failover, and which value fits the
hardware is the admin's call.

## Source

Pacemaker `daemons/fenced/fenced_commands.c` (`get_action_timeout`:
`pcmk_<action>_timeout`, else the cluster's timeout),
`daemons/fenced/fenced_remote.c` (`get_device_timeout` adds
`pcmk_delay_max`, and `pcmk_delay_base` since 2.1.6, commit d2123dac84);
Pacemaker Explained, `stonith-timeout` (default 60s) and the fencing
device options; fence-agents `lib/fencing.py` (`delay`, `login_timeout`,
`power_timeout`, `power_wait`; reboot = off then on); sbd(8) "General
cluster properties" (stonith-timeout and msgwait); crmsh `crmsh/sbd.py`
(`get_fencing_timeout_expected`: 1.2 × msgwait + token + consensus);
SUSE Trento 373DB8 (fencing timeout).  Oracle: `crm_verify` accepts these
configurations (tests/test_oracle_fencing.py): nothing else reports them.
"""

from __future__ import annotations

from sanlint.rule import Rule
from sanlint_rules.pcmk._common import agent_meta, duration_ms, fmt_ms, is_false
from sanlint_rules.sbd._common import SBD_AGENTS, msgwait_s

DEFAULT_STONITH_TIMEOUT_MS = 60_000
NOT_POWER_AGENTS = ("stonith:fence_scsi", "stonith:fence_mpath", "stonith:fence_kdump", "stonith:fence_sbd")


def fence_action(cluster) -> str:
    p = cluster.property("stonith-action")
    v = (p.value or "").strip().lower() if p is not None else ""
    return "off" if v in ("off", "poweroff") else "reboot"


def device_needs(site, cluster, device, action: str) -> list[tuple[int, str]]:
    """What a fence action of `device` may take (ms, why), in parts."""
    agent = cluster.agent_of(device)
    params = device.params_dict()
    meta = agent_meta(agent)
    defaults = {n: p.default for n, p in meta.params.items()} if meta else {}

    def param_ms(name: str) -> int:
        v = params.get(name)
        if v is None:
            v = defaults.get(name)
        return duration_ms(v) or 0

    parts: list[tuple[int, str]] = []
    delay = duration_ms(params.get("delay")) or 0
    if delay:
        parts.append((delay, f"the agent's own delay={params.get('delay')}"))
    if agent in SBD_AGENTS:
        mw = msgwait_s(site)
        if mw is not None:
            parts.append((mw[0] * 1000, f"SBD msgwait {mw[0]}s ({mw[1]})"))
    elif meta is not None and "power_timeout" in meta.params and agent not in NOT_POWER_AGENTS:
        cycle = (params.get("method") or defaults.get("method") or "onoff") == "cycle"
        times = 2 if action == "reboot" and not cycle else 1
        login, power, wait = param_ms("login_timeout"), param_ms("power_timeout"), param_ms("power_wait")
        parts.append((login + times * power + wait,
                      f"login_timeout {fmt_ms(login)} + {'2 × ' if times == 2 else ''}power_timeout {fmt_ms(power)}"
                      f" + power_wait {fmt_ms(wait)}"))
    if site.pacemaker_version in ("1.1", "2.0") and not duration_ms(params.get("pcmk_delay_max")):
        base = duration_ms(params.get("pcmk_delay_base")) or 0
        if base:
            parts.append((base, f"pcmk_delay_base={params.get('pcmk_delay_base')} (counted by Pacemaker {site.pacemaker_version})"))
    return parts


class FenceTimeoutTooShort(Rule):
    code = "PCMK122"
    name = "fence-timeout-too-short"
    severity = "error"
    reads = ("cluster", "sbd")

    def check(self, ctx):
        site = ctx.site
        for c in site.all_clusters():
            enabled = c.property("fencing-enabled") or c.property("stonith-enabled")
            if enabled is not None and is_false(enabled.value):
                continue
            devices = [p for p in c.primitives() if c.agent_of(p).startswith("stonith:")]
            if not devices:
                continue
            action = fence_action(c)
            prop = c.property("fencing-timeout") or c.property("stonith-timeout")
            cluster_ms = duration_ms(prop.value) if prop is not None else None
            for d in devices:
                own = d.param(f"pcmk_{action}_timeout")
                if own is not None and duration_ms(own.value):
                    timeout, what, span = duration_ms(own.value), f"pcmk_{action}_timeout={own.value}", own.span
                elif cluster_ms:
                    timeout, what, span = cluster_ms, f"{prop.name}={prop.value}", prop.span
                else:
                    timeout, what, span = DEFAULT_STONITH_TIMEOUT_MS, "stonith-timeout (default 60s)", d.id_span or d.span
                parts = device_needs(site, c, d, action)
                need = sum(ms for ms, _ in parts)
                if not parts or timeout >= need:
                    continue
                yield self.finding(
                    f"fence device {d.id} may need {fmt_ms(need)} for a {action} ({'; '.join(w for _, w in parts)}) "
                    f"but {what} gives it {fmt_ms(timeout)}: the fencer gives up first, fencing fails and the "
                    f"lost node's resources stay blocked",
                    span, identity=f"fence device {d.id} / {action} timeout")
