"""Service IP apart from the target: the portal IP is neither grouped nor colocated with the iSCSI target.

## What it checks

Every service IP resource (`ocf:heartbeat:IPaddr2`, `IPaddr`) that serves
an iSCSI target resource (`ocf:heartbeat:iSCSITarget`, or an `lsb:`/
`systemd:` iSCSI target service) must be in the same group as the target,
or tied to it by INFINITY colocations (directly or through a common
resource such as the DRBD Promoted role).  An IP serves a target when it
appears in the target's `portals`; when no target names portals, every IP
of the configuration is taken to serve the targets.

## Why it matters

Initiators log in to the portal address.  If the IP can run on one node
and the target on the other, the initiators reach a node without the
target (login fails) or, worse, a stale target on the former Primary:
multipath then sees the LUN flap on every failover.

## Example

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
primitive target ocf:heartbeat:iSCSITarget params iqn=iqn.2024-01.com.example:san implementation=lio-t portals=10.0.0.10:3260 op monitor interval=10s
```

## Use instead

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
primitive target ocf:heartbeat:iSCSITarget params iqn=iqn.2024-01.com.example:san implementation=lio-t portals=10.0.0.10:3260 op monitor interval=10s
group iscsi-group target ip
```

## Fix safety

No automatic fix: grouping or colocating changes placement; choose which
resource follows which.

## Source

Pacemaker Explained, "Groups" and "Colocation"; resource-agents
`heartbeat/iSCSITarget` (`portals`); LINBIT "Highly available iSCSI
storage with DRBD and Pacemaker".
"""

from __future__ import annotations

from sanlint.model.cluster import Colocation
from sanlint.rule import Rule
from sanlint.views import top_level
from sanlint_rules.pcmk._common import UnionFind

IP_AGENTS = ("ocf:heartbeat:IPaddr2", "ocf:heartbeat:IPaddr")
TARGET_SERVICES = ("iscsitarget", "iscsi-target", "tgt", "tgtd", "target", "scst", "iscsi-scst")


def is_target(agent: str) -> bool:
    if agent == "ocf:heartbeat:iSCSITarget":
        return True
    cls, _, rest = agent.partition(":")
    return cls in ("lsb", "systemd", "service") and rest.split(":")[-1].removesuffix(".service") in TARGET_SERVICES


class IpNotWithTarget(Rule):
    code = "PCMK116"
    name = "ip-not-with-target"
    severity = "warning"
    reads = ("cluster", "iscsi")

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            targets, ips = [], []
            for p in c.primitives():
                agent = c.agent_of(p)
                if is_target(agent):
                    targets.append(p)
                elif agent in IP_AGENTS:
                    ips.append(p)
            if not targets or not ips:
                continue
            uf = UnionFind()
            for con in c.of_kind(Colocation):
                if con.score is not None and con.score.strip().lower().lstrip("+") not in ("inf", "infinity"):
                    continue
                refs = [top_level(c, r.id) for r in con.resources]
                for a in refs[1:]:
                    uf.union(refs[0], a)
            portals: dict[str, list] = {}
            any_portals = False
            for t in targets:
                val = t.params_dict().get("portals")
                if val:
                    any_portals = True
                    for portal in val.split():
                        host = portal.rsplit(":", 1)[0].strip("[]")
                        portals.setdefault(host, []).append(t)
            for ip in ips:
                addr = ip.params_dict().get("ip")
                served = portals.get(addr or "") if any_portals else targets
                if not served:
                    continue
                mine = uf.find(top_level(c, ip.id))
                if any(uf.find(top_level(c, t.id)) == mine for t in served):
                    continue
                names = ", ".join(t.id for t in served)
                yield self.finding(
                    f"service IP {ip.id} ({addr}) is neither grouped nor colocated with the iSCSI target {names}: "
                    f"initiators may reach a node that does not export the target",
                    ip.id_span or ip.span, identity=f"resource {ip.id} / colocation with target")
