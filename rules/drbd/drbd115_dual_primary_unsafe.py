"""Unsafe dual-primary: `allow-two-primaries` without stonith fencing or without protocol C.

## What it checks

A resource with `allow-two-primaries yes` (or the bare 8.3 flag) in a
`net` section (its own, a connection's, or `common`'s) whose effective
fencing policy is not `resource-and-stonith`, or whose replication
protocol is not C.

## Why it matters

With two primaries both nodes write.  When the link breaks without
stonith-level fencing, both keep writing and the data diverges for good
(split brain with no side to discard safely).  The kernel refuses dual
primary with protocol A or B outright ("Protocol C required",
`ERR_NOT_PROTO_C`), so the resource fails to connect.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; allow-two-primaries yes; }
  disk { fencing resource-only; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.sh";
    after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh";
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; allow-two-primaries yes; }
  disk { fencing resource-and-stonith; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.sh";
    after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh";
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: stonith-level fencing needs a working STONITH setup in
the cluster first.

## Source

LINBIT users guide 9 `drbd-dualprimary.adoc` ("Using 'allow-two-primaries'
without fencing is a very bad idea"); LINBIT/drbd `drbd/drbd_nl.c`
`_check_net_options()` (`ERR_NOT_PROTO_C`); drbdsetup-options
allow-two-primaries; https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/drbd, https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import Once, find, find_all, host_resources, is_yes, protocol


class DualPrimaryUnsafe(Rule):
    code = "DRBD115"
    name = "dual-primary-unsafe"
    severity = "error"
    reads = ("drbd",)

    def check(self, ctx: Context):
        once = Once()
        for host, res in host_resources(ctx.site):
            atp = [f for f in find_all(host, res, ("net",), ("allow-two-primaries",)) if is_yes(f.setting)]
            if not atp:
                continue
            a = atp[0]
            problems = []
            fen = find(host, res, ("disk", "net"), ("fencing",))
            if fen is None or (fen.value or "").lower() != "resource-and-stonith":
                problems.append(f"fencing is {fen.value if fen else 'not set'}, not resource-and-stonith: a link "
                                f"failure leaves both primaries writing (split brain)")
            proto, _ = protocol(host, res)
            if proto != "C":
                problems.append(f"protocol {proto}: the kernel requires protocol C for two primaries")
            if problems and once.first(a.setting.span, res.name if not a.in_common else ""):
                yield self.finding(f"resource {res.name} allows two primaries but " + "; ".join(problems),
                                   a.setting.span, identity=f"drbd resource {res.name} / allow-two-primaries")
