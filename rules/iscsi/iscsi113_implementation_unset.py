'''Implicit implementation: an `iSCSITarget`/`iSCSILogicalUnit` without an explicit `implementation`.

## What it checks

Every `ocf:heartbeat:iSCSITarget` and `ocf:heartbeat:iSCSILogicalUnit`
primitive that does not set the `implementation` parameter.

## Why it matters

The agent then picks the first management tool it finds on the node where
it runs: `ietadm`, then `tgtadm`, then `lio_node`, then `targetcli`.  Nodes
with different packages installed (a leftover iscsitarget package, tgt
pulled in as a dependency) drive different target stacks: the resource
starts on one node and fails, or creates a target the initiators cannot
reach, after a failover.

## Example

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1"
```

## Use instead

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=lio-t
```

## Fix safety

Unsafe: the fix adds `implementation=` with the stack the hosts are
configured for (ietd.conf means `iet`, tgt's targets.conf `tgt`, LIO's
saveconfig.json `lio-t`), or, for an LU, its target's implementation.  If a
node has been running the resource with another detected stack, the next
start changes it, so the admin confirms.  When the hosts show no single
stack, the fix holds the placeholder `CHOOSE-iet-tgt-lio-or-lio-t` and is only
shown (`--diff`).

## Source

resource-agents `heartbeat/iSCSITarget.in` and `iSCSILogicalUnit.in`
(`OCF_RESKEY_implementation_default` from `have_binary ietadm`, `tgtadm`,
`lio_node`, `targetcli`).
'''

from sanlint.edit.cluster import set_param
from sanlint.rule import Fix, Rule
from sanlint.transform.iscsi import IMPL_PLACEHOLDER
from sanlint_rules.iscsi import _common as C



class ImplementationUnset(Rule):
    code = "ISCSI113"
    name = "implementation-unset"
    severity = "warning"
    reads = ("iscsi", "cluster")
    fix = "choice"

    def check(self, ctx):
        site = ctx.site
        stack = C.site_stack(site)
        default = C.IMPL_OF_STACK.get(stack) if stack else None
        for c in site.all_clusters():
            target_impl = {}
            for p in c.primitives():
                if c.agent_of(p) == C.TARGET_AGENT and C.param(p, "iqn"):
                    target_impl.setdefault(C.param(p, "iqn").lower(), C.param(p, "implementation"))
            for p in c.primitives():
                a = c.agent_of(p)
                if a not in (C.TARGET_AGENT, C.LU_AGENT) or C.param(p, "implementation"):
                    continue
                impl = default
                if a == C.LU_AGENT:
                    impl = target_impl.get((C.param(p, "target_iqn") or "").lower()) or default
                kind = "iSCSITarget" if a == C.TARGET_AGENT else "iSCSILogicalUnit"
                yield self.finding(
                    f"{kind} {p.id} sets no implementation: the agent uses whatever target tools each node has "
                    "installed (ietadm, tgtadm, lio_node, targetcli in that order), so nodes can differ",
                    p.agent_span or p.span,
                    identity=f"iscsi cluster {p.id} / implementation",
                    fix=_fix(c, p, impl))


def _fix(c, p, impl):
    value = impl or IMPL_PLACEHOLDER
    edit = set_param(p, "implementation", value)
    if edit is None:
        return None
    return Fix([edit], f"set implementation={value}", safe=False, needs_choice=impl is None)
