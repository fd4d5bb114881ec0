"""Asynchronous failover: protocol A or B on a resource Pacemaker fails over.

## What it checks

A resource managed by Pacemaker (an `ocf:linbit:drbd` primitive names it)
whose replication protocol (resource-level `protocol`, `net { protocol }`
in the resource or a connection, or `common`) is A or B.

## Why it matters

With protocol A a write is acknowledged once it is in the local TCP send
buffer, with B once it reached the peer's memory.  When the primary dies,
Pacemaker promotes the peer, which lacks the writes the initiators were
already told were safe: databases and file systems on the LUN lose
committed data.  Protocol C (acknowledged after both disks) is the only
protocol for automatic failover without data loss.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol A; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
node alpha
node bravo
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
node alpha
node bravo
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
```

## Fix safety

No automatic fix: protocol C adds the peer's disk latency to every write;
the admin must accept that (or not fail over automatically).

## Source

drbd.conf(5) `protocol` (A: "local disk and local TCP send buffer", C: "both
the local and the remote disk"); LINBIT users guide 9 `drbd-replication-modes`
("protocol C ... most commonly used");
https://github.com/LINBIT/linbit-documentation, drbd.conf(5) at
https://manpages.debian.org/drbd.conf.5.
"""

from __future__ import annotations

from sanlint import views
from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import Once, host_resources, protocol


class AsyncProtocolFailover(Rule):
    code = "DRBD117"
    name = "async-protocol-failover"
    severity = "warning"
    reads = ("drbd", "cluster")

    def check(self, ctx: Context):
        managed = views.managed_drbd(ctx.site)
        if not managed:
            return
        once = Once()
        for host, res in host_resources(ctx.site):
            if res.name not in managed:
                continue
            candidates = [protocol(host, res)]
            for c in res.connections:
                for s in c.sections:
                    if s.kind == "net" and s.get("protocol") is not None:
                        o = s.get("protocol")
                        candidates.append(((o.value or "C").upper(), o))
            for proto, st in candidates:
                if proto in ("A", "B") and st is not None and once.first(st.span, res.name):
                    yield self.finding(
                        f"resource {res.name} replicates with protocol {proto} but Pacemaker fails it over "
                        f"({managed[res.name].id}): writes already acknowledged to initiators are lost when the "
                        f"peer is promoted; use protocol C",
                        st.span, identity=f"drbd resource {res.name} / protocol")
