'''Implementation mismatch: an `iSCSITarget`'s `implementation` is not the target stack configured on the hosts.

## What it checks

The `implementation` of every `ocf:heartbeat:iSCSITarget` and
`ocf:heartbeat:iSCSILogicalUnit` resource (`iet`, `tgt`, `lio`, `lio-t`)
against the target stacks the hosts are configured for: ietd.conf or
initiators.allow mean iet, tgt's targets.conf means tgt, LIO's
saveconfig.json means lio/lio-t.  Hosts without any target configuration
file are not judged.  An LU whose implementation differs from its target's
is reported too.

## Why it matters

The agent drives the tools of the implementation it is given
(`ietadm`, `tgtadm`, `lio_node`, `targetcli`).  If the node runs another
target daemon the start fails (`check_binary`, "/proc/net/iet does not
exist"), or, worse, succeeds against a second daemon while the configured
one still serves the old static targets on the same port.

## Example

```tgt path=etc/tgt/targets.conf
default-driver iscsi
```

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=iet
```

## Use instead

```tgt path=etc/tgt/targets.conf
default-driver iscsi
```

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=tgt tid=1
```

## Fix safety

No automatic fix: either the resource or the host's target daemon is the
wrong one.

## Source

resource-agents `heartbeat/iSCSITarget.in` and `iSCSILogicalUnit.in`
(`implementation`: iet, tgt, lio, lio-t; `check_binary`, validate);
ietd.conf(5), targets.conf(5), targetcli(8).
'''

from sanlint.rule import Rule
from sanlint_rules.iscsi import _common as C


class ImplementationMismatch(Rule):
    code = "ISCSI111"
    name = "implementation-mismatch"
    severity = "error"
    reads = ("iscsi", "cluster")

    def check(self, ctx):
        site = ctx.site
        stacks = C.host_impls(site)
        for c in site.all_clusters():
            target_impl = {}
            for p in c.primitives():
                if c.agent_of(p) == C.TARGET_AGENT and C.param(p, "iqn"):
                    target_impl.setdefault(C.param(p, "iqn").lower(), C.param(p, "implementation"))
            for p in c.primitives():
                a = c.agent_of(p)
                if a not in (C.TARGET_AGENT, C.LU_AGENT):
                    continue
                impl = C.param(p, "implementation")
                if impl is None or impl not in C.STACK_OF_IMPL:
                    continue
                span = C.value_span(p, "implementation") or p.span
                wrong = {h: s for h, s in stacks.items() if C.STACK_OF_IMPL[impl] not in s}
                if wrong:
                    hosts = ", ".join(f"{h} ({'/'.join(sorted(s))})" for h, s in sorted(wrong.items()))
                    yield self.finding(
                        f"resource {p.id} uses implementation={impl}, but host {hosts} is configured for another "
                        "target stack: the agent drives the wrong daemon and the start fails",
                        span, identity=f"iscsi cluster {p.id} / implementation")
                    continue
                if a == C.LU_AGENT:
                    t_impl = target_impl.get((C.param(p, "target_iqn") or "").lower())
                    if t_impl and t_impl != impl:
                        yield self.finding(
                            f"iSCSILogicalUnit {p.id} uses implementation={impl} but its iSCSITarget uses "
                            f"{t_impl}: the LUN is added through a different target stack than the target",
                            span, identity=f"iscsi cluster {p.id} / implementation / target")
