"""Service IP apart from the target: the portal IP is neither grouped nor colocated with the iSCSI target.

## What it checks

Every service IP resource (`ocf:heartbeat:IPaddr2`, `IPaddr`) that serves
an iSCSI target resource (`ocf:heartbeat:iSCSITarget`, or an `lsb:`/
`systemd:` iSCSI target service) must be in the same group as the target,
or tied to it by INFINITY colocations (directly or through a common
resource such as the DRBD Promoted role).  An IP serves a target when it
appears in the target's `portals`; when no target names portals, every IP
of the configuration is taken to serve the targets, except an IP grouped or
INFINITY-colocated with another service (a file system, an NFS, web or
database server: anything but the DRBD/LVM/iSCSI stack and other IPs),
which is that service's address, not a portal.

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

from sanlint.model.cluster import Clone, Colocation, Group, Primitive
from sanlint.rule import Rule
from sanlint.views import DRBD_AGENTS, LVM_AGENTS, top_level
from sanlint_rules.pcmk._common import UnionFind

IP_AGENTS = ("ocf:heartbeat:IPaddr2", "ocf:heartbeat:IPaddr")
TARGET_SERVICES = ("iscsitarget", "iscsi-target", "tgt", "tgtd", "target", "scst", "iscsi-scst")


def is_target(agent: str) -> bool:
    if agent == "ocf:heartbeat:iSCSITarget":
        return True
    cls, _, rest = agent.partition(":")
    return cls in ("lsb", "systemd", "service") and rest.split(":")[-1].removesuffix(".service") in TARGET_SERVICES


STACK_AGENTS = IP_AGENTS + DRBD_AGENTS + LVM_AGENTS + ("ocf:heartbeat:iSCSILogicalUnit",)


def serves_others(c, uf, root: str) -> bool:
    """Is a service other than the iSCSI stack (a file system, a web or NFS
    server, a database...) grouped or INFINITY-colocated with the IP?"""
    for top in list(c.resources):
        res = c.resources[top]
        if res.parent is not None or isinstance(res, Clone) or uf.find(top) != root:
            continue
        members = [c.resources.get(k) for k in res.children] if isinstance(res, Group) else [res]
        for m in members:
            if isinstance(m, Primitive) and not c.agent_of(m).startswith("stonith:") \
                    and c.agent_of(m) not in STACK_AGENTS and not is_target(c.agent_of(m)):
                return True
    return False


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
                named = portals.get(addr or "") if any_portals else None
                served = named or ([] if any_portals else targets)
                if not served:
                    continue
                mine = uf.find(top_level(c, ip.id))
                if any(uf.find(top_level(c, t.id)) == mine for t in served):
                    continue
                if not named and serves_others(c, uf, mine):
                    continue  # grouped or colocated with another service: its IP, not the target's portal
                names = ", ".join(t.id for t in served)
                yield self.finding(
                    f"service IP {ip.id} ({addr}) is neither grouped nor colocated with the iSCSI target {names}: "
                    f"initiators may reach a node that does not export the target",
                    ip.id_span or ip.span, identity=f"resource {ip.id} / colocation with target")
